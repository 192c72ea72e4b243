//! The tally chart attached to `/tally` and shown in a claim's link preview: the claim's own
//! words, the latest round's split as one stacked bar, and, once a claim has been asked twice or
//! more, each choice's share across rounds as lines. Drawn in-process with plotters, on its own
//! light card so it reads on Discord's dark and light themes alike, with every label in the
//! reader's language (`locales/*/chart.ftl`). Chinese needs a font with CJK glyphs (see
//! `render::fonts`); without one the chart is drawn in English, readable rather than boxes.

use anyhow::Context as _;
use plotters::prelude::*;

use crate::domain::claims::Outcome;
use crate::domain::lang::{Lang, Localized};
use crate::domain::stats::RoundTally;
use crate::domain::text::truncate_chars;
use crate::domain::votes::{Choice, Question};
use crate::render::fonts;
use crate::render::i18n::{t, Locale};
use crate::render::words;

pub const WIDTH: u32 = 720;
/// The height with the rounds panel (two rounds or more).
pub const HEIGHT: u32 = 400;
/// The height of the split alone (a claim asked once).
pub const SPLIT_HEIGHT: u32 = 160;

/// The chart's size for `rounds` rounds.
pub fn size(rounds: usize) -> (u32, u32) {
    (WIDTH, if rounds >= 2 { HEIGHT } else { SPLIT_HEIGHT })
}

const BACKGROUND: RGBColor = RGBColor(0xf7, 0xf7, 0xf8);
const INK: RGBColor = RGBColor(0x1e, 0x1f, 0x22);
const MUTED: RGBColor = RGBColor(0x5c, 0x5f, 0x66);

fn colour(choice: Choice) -> RGBColor {
    match choice {
        Choice::Agree | Choice::Yes => RGBColor(0x23, 0x8a, 0x4f),
        Choice::Disagree | Choice::No => RGBColor(0xc4, 0x3c, 0x3c),
        Choice::Unsure | Choice::Early => RGBColor(0x7a, 0x7f, 0x8a),
    }
}

/// The colour of a resolution's badge: the colour of the verdict that matches it.
fn outcome_colour(outcome: Outcome) -> RGBColor {
    match outcome {
        Outcome::Yes => colour(Choice::Yes),
        Outcome::No => colour(Choice::No),
        Outcome::Unclear => colour(Choice::Early),
    }
}

/// Where a resolved prediction's badge is drawn: below the legend, its right edge at the right
/// margin; it is as wide as its words.
const BADGE_RIGHT: i32 = WIDTH as i32 - 20;
const BADGE_TOP: i32 = 132;
const BADGE_BOTTOM: i32 = 152;

/// The split's bar, across the card.
const BAR: (i32, i32, i32, i32) = (20, WIDTH as i32 - 20, 56, 96);

/// What one chart shows.
pub struct ChartInput<'a> {
    /// The claim's text in both languages: the title, in the reader's.
    pub claim: &'a Localized,
    /// Oldest first.
    pub rounds: &'a [RoundTally],
    pub question: Question,
    pub resolution: Option<Outcome>,
    pub locale: Locale,
}

/// A PNG of the chart, sized by `size(rounds.len())`.
pub fn tally_chart(input: &ChartInput<'_>) -> anyhow::Result<Vec<u8>> {
    chart_with(fonts::loaded(), input)
}

fn chart_with(fonts: &fonts::Fonts, input: &ChartInput<'_>) -> anyhow::Result<Vec<u8>> {
    // Chinese words in a font without Chinese glyphs would be boxes: English reads better.
    let locale = if input.locale.lang() == Lang::Zh && !fonts.has_cjk() {
        Locale::fallback()
    } else {
        input.locale
    };
    let labels = Labels::new(input, locale);
    let family = fonts.family_for(labels.texts());
    draw(input, &labels, family)
}

/// Every word on the chart, in one language.
struct Labels {
    title: String,
    caption: Option<String>,
    no_votes: String,
    legend: Vec<String>,
    rounds_title: String,
    axis_round: String,
    resolved: Option<String>,
}

impl Labels {
    fn new(input: &ChartInput<'_>, locale: Locale) -> Labels {
        let latest = input.rounds.last();
        let choices = input.question.choices();
        let legend = match latest {
            Some(r) => {
                let shares = r.tally.percentages(&choices);
                choices
                    .iter()
                    .zip(shares)
                    .map(|(c, percent)| {
                        t!(
                            locale,
                            "chart-legend",
                            label = words::choice_label(locale, *c),
                            count = r.tally.count(*c),
                            percent = percent
                        )
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        Labels {
            title: input.claim.get(locale.lang()).to_string(),
            caption: latest.map(|r| t!(locale, "chart-caption", round = r.round, voters = r.tally.voters())),
            no_votes: t!(locale, "chart-no-votes"),
            legend,
            rounds_title: t!(locale, "chart-rounds-title"),
            axis_round: t!(locale, "chart-axis-round"),
            resolved: input
                .resolution
                .map(|o| t!(locale, "chart-resolved", outcome = words::outcome(locale, o))),
        }
    }

    fn texts(&self) -> impl Iterator<Item = &str> {
        [&self.title, &self.no_votes, &self.rounds_title, &self.axis_round]
            .into_iter()
            .chain(self.caption.iter())
            .chain(self.resolved.iter())
            .chain(self.legend.iter())
            .map(String::as_str)
    }
}

fn draw(input: &ChartInput<'_>, labels: &Labels, family: &str) -> anyhow::Result<Vec<u8>> {
    let (width, height) = size(input.rounds.len());
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        root.fill(&BACKGROUND).map_err(draw_error)?;
        let (top, bottom) = root.split_vertically(SPLIT_HEIGHT);
        draw_split(&top, labels, family, input.rounds.last(), input.question)?;
        if let (Some(outcome), Some(words)) = (input.resolution, &labels.resolved) {
            draw_resolution(&top, outcome, words, family)?;
        }
        // One round has no movement to show: a panel would be an axis to a round that never happened.
        if input.rounds.len() >= 2 {
            draw_rounds(&bottom, labels, family, input.rounds, input.question)?;
        }
        root.present().map_err(draw_error)?;
    }
    encode_png(&pixels, width, height)
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}

/// How wide `text` is drawn in `font`, in pixels.
fn text_width(text: &str, font: &FontDesc<'_>) -> anyhow::Result<i32> {
    Ok(font.box_size(text).map_err(draw_error)?.0 as i32)
}

/// `text`, cut on a character boundary (with `…`) to fit `max` pixels in `font`: measured, so
/// Chinese characters, twice as wide as Latin letters, count as such.
fn fit(text: &str, font: &FontDesc<'_>, max: i32) -> anyhow::Result<String> {
    let mut chars = text.chars().count();
    loop {
        let cut = truncate_chars(text, chars);
        if chars <= 1 || text_width(&cut, font)? <= max {
            return Ok(cut);
        }
        chars -= 1;
    }
}

fn draw_resolution<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    outcome: Outcome,
    words: &str,
    family: &str,
) -> anyhow::Result<()> {
    let font = (family, 14).into_font();
    let words = fit(words, &font, WIDTH as i32 / 2)?;
    let left = BADGE_RIGHT - text_width(&words, &font)? - 16;
    area.draw(&Rectangle::new(
        [(left, BADGE_TOP), (BADGE_RIGHT, BADGE_BOTTOM)],
        outcome_colour(outcome).filled(),
    ))
    .map_err(draw_error)?;
    area.draw(&Text::new(words, (left + 8, BADGE_TOP + 3), font.color(&WHITE)))
        .map_err(draw_error)?;
    Ok(())
}

fn draw_split<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    labels: &Labels,
    family: &str,
    latest: Option<&RoundTally>,
    question: Question,
) -> anyhow::Result<()> {
    let (x0, x1, y0, y1) = BAR;
    let title_font = (family, 20).into_font();
    let title = fit(&labels.title, &title_font, x1 - x0)?;
    area.draw(&Text::new(title, (x0, 10), title_font.color(&INK)))
        .map_err(draw_error)?;
    let Some(latest) = latest else {
        area.draw(&Text::new(
            labels.no_votes.as_str(),
            (x0, 66),
            (family, 18).into_font().color(&INK),
        ))
        .map_err(draw_error)?;
        return Ok(());
    };
    if let Some(caption) = &labels.caption {
        area.draw(&Text::new(
            caption.as_str(),
            (x0, 36),
            (family, 14).into_font().color(&MUTED),
        ))
        .map_err(draw_error)?;
    }
    let choices = question.choices();
    let shares = latest.tally.percentages(&choices);
    let mut x = x0;
    for (choice, share) in choices.iter().zip(&shares) {
        let width = (x1 - x0) * (*share as i32) / 100;
        if width > 0 {
            area.draw(&Rectangle::new([(x, y0), (x + width, y1)], colour(*choice).filled()))
                .map_err(draw_error)?;
        }
        x += width;
    }
    if latest.tally.voters() == 0 {
        area.draw(&Rectangle::new(
            [(x0, y0), (x1, y1)],
            RGBColor(0xd9, 0xdb, 0xdf).filled(),
        ))
        .map_err(draw_error)?;
    }
    let legend_font = (family, 16).into_font();
    let mut lx = x0;
    for (choice, text) in choices.iter().zip(&labels.legend) {
        area.draw(&Rectangle::new([(lx, 112), (lx + 14, 126)], colour(*choice).filled()))
            .map_err(draw_error)?;
        area.draw(&Text::new(text.as_str(), (lx + 20, 110), legend_font.color(&INK)))
            .map_err(draw_error)?;
        lx += 20 + text_width(text, &legend_font)? + 24;
    }
    Ok(())
}

fn draw_rounds<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    labels: &Labels,
    family: &str,
    rounds: &[RoundTally],
    question: Question,
) -> anyhow::Result<()> {
    let first = rounds.first().map_or(1, |r| r.round);
    let last = rounds.last().map_or(first, |r| r.round).max(first + 1);
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .caption(labels.rounds_title.as_str(), (family, 16))
        .x_label_area_size(40)
        .y_label_area_size(40)
        .build_cartesian_2d(first..last, 0u32..100u32)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_labels((last - first + 1).min(12) as usize)
        .x_label_formatter(&|r| r.to_string())
        .x_desc(labels.axis_round.as_str())
        .y_labels(5)
        .label_style((family, 14))
        .axis_desc_style((family, 14))
        .draw()
        .map_err(draw_error)?;
    let choices = question.choices();
    for (i, choice) in choices.iter().enumerate() {
        let points: Vec<(u32, u32)> = rounds
            .iter()
            .filter(|r| r.tally.voters() > 0)
            .map(|r| (r.round, r.tally.percentages(&choices)[i]))
            .collect();
        let style = colour(*choice).stroke_width(3);
        chart
            .draw_series(LineSeries::new(points.clone(), style))
            .map_err(draw_error)?;
        chart
            .draw_series(points.into_iter().map(|p| Circle::new(p, 4, colour(*choice).filled())))
            .map_err(draw_error)?;
    }
    Ok(())
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().context("writing the PNG header")?;
    writer.write_image_data(rgb).context("writing the PNG data")?;
    writer.finish().context("finishing the PNG")?;
    Ok(out)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::domain::ids::PostId;
    use crate::domain::votes::Tally;

    fn round(n: u32, agree: u32, disagree: u32, unsure: u32) -> RoundTally {
        RoundTally {
            round: n,
            post: PostId(i64::from(n)),
            date: chrono::NaiveDate::from_ymd_opt(2026, 1, n).unwrap(),
            tally: Tally::from_counts([
                (Choice::Agree, agree),
                (Choice::Disagree, disagree),
                (Choice::Unsure, unsure),
            ]),
        }
    }

    fn claim(en: &str, zh: &str) -> Localized {
        Localized {
            en: en.into(),
            zh: zh.into(),
        }
    }

    fn chart(text: &Localized, rounds: &[RoundTally], question: Question, resolution: Option<Outcome>) -> Vec<u8> {
        tally_chart(&ChartInput {
            claim: text,
            rounds,
            question,
            resolution,
            locale: Locale::of(Lang::En),
        })
        .unwrap()
    }

    fn decode(png_bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
        let decoder = png::Decoder::new(png_bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        (info, buf)
    }

    fn pixel(buf: &[u8], x: u32, y: u32) -> (u8, u8, u8) {
        let i = ((y * WIDTH + x) * 3) as usize;
        (buf[i], buf[i + 1], buf[i + 2])
    }

    /// The rows `from..to` of a decoded chart, as they are.
    fn rows(buf: &[u8], from: u32, to: u32) -> &[u8] {
        &buf[(from * WIDTH * 3) as usize..(to * WIDTH * 3) as usize]
    }

    /// Pixels in rows `from..to` that are not the card's background.
    fn ink(buf: &[u8], from: u32, to: u32) -> usize {
        rows(buf, from, to)
            .chunks(3)
            .filter(|p| *p != [BACKGROUND.0, BACKGROUND.1, BACKGROUND.2])
            .count()
    }

    #[test]
    fn chart_is_a_png_of_the_expected_size_drawn_from_the_numbers() {
        let text = claim("Agents will write most code", "智能体将编写大部分代码");
        let rounds = [round(1, 1, 3, 0), round(2, 3, 1, 0)];
        let bytes = chart(&text, &rounds, Question::Stance, None);
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let (info, buf) = decode(&bytes);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        // The latest round is 75% agree: the bar is green at 70% of its width and red at 80%.
        let bar_width = (WIDTH - 40) as f64;
        let green = pixel(&buf, 20 + (bar_width * 0.70) as u32, 76);
        let red = pixel(&buf, 20 + (bar_width * 0.80) as u32, 76);
        assert_eq!(green, (0x23, 0x8a, 0x4f));
        assert_eq!(red, (0xc4, 0x3c, 0x3c));
        // Different numbers draw a different picture.
        let other = chart(&text, &[round(1, 0, 4, 0)], Question::Stance, None);
        let (_, other_buf) = decode(&other);
        assert_eq!(
            pixel(&other_buf, 20 + (bar_width * 0.10) as u32, 76),
            (0xc4, 0x3c, 0x3c)
        );
    }

    #[test]
    fn the_title_is_the_claims_words_cut_to_fit() {
        let rounds = [round(1, 1, 1, 0)];
        let (_, short) = decode(&chart(&claim("Agents", "智能体"), &rounds, Question::Stance, None));
        let (_, other) = decode(&chart(&claim("Robots", "机器人"), &rounds, Question::Stance, None));
        assert!(ink(&short, 8, 34) > 50, "the title is drawn");
        assert_ne!(rows(&short, 8, 34), rows(&other, 8, 34), "and it is the claim's words");
        // A long claim is cut with an ellipsis before the right margin, whatever its script.
        let long = "Agents will write most of the code merged in large companies, reviewed by people ".repeat(3);
        let (_, cut) = decode(&chart(&claim(&long, "智能体"), &rounds, Question::Stance, None));
        let right_margin: usize = (8..34)
            .map(|y| {
                (WIDTH - 18..WIDTH)
                    .filter(|x| pixel(&cut, *x, y) != (0xf7, 0xf7, 0xf8))
                    .count()
            })
            .sum();
        assert_eq!(right_margin, 0, "nothing is drawn past the margin");
        let font = (fonts::LATIN, 20).into_font();
        fonts::loaded();
        let fitted = fit(&long, &font, 300).unwrap();
        assert!(
            fitted.ends_with('…') && text_width(&fitted, &font).unwrap() <= 300,
            "{fitted}"
        );
        let fitted = fit("认同".repeat(40).as_str(), &font, 300).unwrap();
        assert!(fitted.chars().count() < 80 && fitted.ends_with('…'), "{fitted}");
    }

    #[test]
    fn a_claim_asked_once_has_no_rounds_panel() {
        let text = claim("Once", "一次");
        let (info, buf) = decode(&chart(&text, &[round(1, 2, 1, 0)], Question::Stance, None));
        assert_eq!((info.width, info.height), size(1));
        assert_eq!(size(1), (WIDTH, SPLIT_HEIGHT));
        assert_eq!(buf.len(), (WIDTH * SPLIT_HEIGHT * 3) as usize);
        let (info, buf) = decode(&chart(
            &text,
            &[round(1, 2, 1, 0), round(2, 1, 2, 0)],
            Question::Stance,
            None,
        ));
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert!(
            ink(&buf, SPLIT_HEIGHT + 20, HEIGHT - 10) > 500,
            "two rounds draw the panel"
        );
    }

    #[test]
    fn chart_without_votes_still_renders() {
        let text = claim("nothing yet", "还没有");
        let bytes = chart(&text, &[round(1, 0, 0, 0)], Question::Verdict, None);
        let (info, _) = decode(&bytes);
        assert_eq!((info.width, info.height), (WIDTH, SPLIT_HEIGHT));
        let (info, _) = decode(&chart(&text, &[], Question::Stance, None));
        assert_eq!((info.width, info.height), (WIDTH, SPLIT_HEIGHT));
    }

    #[test]
    fn a_resolved_prediction_carries_a_badge_in_its_outcomes_colour() {
        let text = claim("p", "p");
        let rounds = [round(1, 3, 1, 0)];
        // A corner of the badge, clear of its text.
        let (x, y) = ((BADGE_RIGHT - 3) as u32, (BADGE_TOP + 2) as u32);
        let (_, open) = decode(&chart(&text, &rounds, Question::Stance, None));
        assert_eq!(pixel(&open, x, y), (0xf7, 0xf7, 0xf8), "no badge before it resolves");
        for outcome in Outcome::ALL {
            let (_, resolved) = decode(&chart(&text, &rounds, Question::Stance, Some(outcome)));
            let c = outcome_colour(outcome);
            assert_eq!(pixel(&resolved, x, y), (c.0, c.1, c.2), "{outcome}");
        }
    }

    /// `text` alone in `family`, on a small card.
    fn drawn(text: &str, family: &str) -> Vec<u8> {
        let mut pixels = vec![0u8; 64 * 40 * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, (64, 40)).into_drawing_area();
            root.fill(&WHITE).unwrap();
            root.draw(&Text::new(text, (8, 6), (family, 24).into_font().color(&BLACK)))
                .unwrap();
            root.present().unwrap();
        }
        pixels
    }

    #[test]
    fn a_chinese_chart_draws_its_words_not_boxes_when_a_cjk_font_is_there() {
        let fonts = fonts::loaded();
        if !fonts.has_cjk() {
            let reason = fonts.missing.clone().unwrap_or_default();
            crate::store::testing::say_skipped(&format!(
                "a_chinese_chart_draws_its_words_not_boxes: no font with Chinese glyphs ({reason}); install fonts-noto-cjk"
            ));
            // In CI (`.ci/run` installs fonts-noto-cjk) a skip would hide a regression.
            let in_ci =
                std::env::var("CI").is_ok_and(|v| !matches!(v.to_ascii_lowercase().as_str(), "" | "0" | "false"));
            assert!(!in_ci, "CI is set and no CJK font was found: {reason}");
            return;
        }
        // Boxes all look alike: in the embedded font, two different characters draw the same.
        assert_eq!(drawn("认", fonts::LATIN), drawn("同", fonts::LATIN));
        // In the CJK font each character draws its own glyph.
        let glyphs: Vec<Vec<u8>> = ["认", "同", "票", "轮"].iter().map(|c| drawn(c, fonts::CJK)).collect();
        for (i, a) in glyphs.iter().enumerate() {
            assert!(a.iter().any(|v| *v < 128), "glyph {i} has ink");
            for b in &glyphs[i + 1..] {
                assert_ne!(a, b, "glyph {i} is not a box like the others");
            }
        }
        // A Chinese server's chart picks the CJK font and draws its title in it.
        let text = claim("Agents will write most code", "智能体将编写大部分代码");
        let rounds = [round(1, 1, 3, 0), round(2, 3, 1, 0)];
        let input = ChartInput {
            claim: &text,
            rounds: &rounds,
            question: Question::Stance,
            resolution: Some(Outcome::Yes),
            locale: Locale::of(Lang::Zh),
        };
        let labels = Labels::new(&input, input.locale);
        assert_eq!(labels.title, "智能体将编写大部分代码");
        assert!(labels.legend[0].starts_with("同意"), "{:?}", labels.legend);
        assert_eq!(fonts.family_for(labels.texts()), fonts::CJK);
        let (_, zh) = decode(&tally_chart(&input).unwrap());
        let (_, boxes) = decode(&draw(&input, &labels, fonts::LATIN).unwrap());
        assert!(ink(&zh, 8, 34) > 100, "the title is drawn");
        assert_ne!(rows(&zh, 8, 34), rows(&boxes, 8, 34), "the title is not boxes");
        assert_ne!(rows(&zh, 104, 130), rows(&boxes, 104, 130), "nor is the legend");
    }

    #[test]
    fn without_a_cjk_font_a_chinese_chart_is_drawn_in_english_not_boxes() {
        let fonts = fonts::Fonts::embedded_only();
        let text = claim("Agents will write most code", "智能体将编写大部分代码");
        let rounds = [round(1, 1, 3, 0), round(2, 3, 1, 0)];
        let zh = ChartInput {
            claim: &text,
            rounds: &rounds,
            question: Question::Stance,
            resolution: None,
            locale: Locale::of(Lang::Zh),
        };
        let en = ChartInput {
            locale: Locale::of(Lang::En),
            ..zh
        };
        assert_eq!(
            chart_with(&fonts, &zh).unwrap(),
            chart_with(&fonts, &en).unwrap(),
            "the English chart, in the embedded font"
        );
    }

    #[test]
    fn an_english_chart_keeps_the_embedded_font() {
        let text = claim("Agents will write most code", "智能体");
        let input = ChartInput {
            claim: &text,
            rounds: &[],
            question: Question::Stance,
            resolution: Some(Outcome::No),
            locale: Locale::of(Lang::En),
        };
        let labels = Labels::new(&input, input.locale);
        assert_eq!(fonts::loaded().family_for(labels.texts()), fonts::LATIN);
        assert_eq!(labels.resolved.as_deref(), Some("Resolved: did not come true"));
    }
}
