//! The tally chart attached to `/tally`: the latest round's split as one stacked bar, and each
//! choice's share across rounds as lines. Drawn in-process with plotters and an embedded font
//! (DejaVu Sans, see data/fonts), on its own light card so it reads on Discord's dark and light
//! themes alike. The font has no Chinese glyphs, so the chart's labels are English; the message
//! text around it carries the server's language and serves screen readers.

use std::sync::Once;

use anyhow::Context as _;
use plotters::prelude::*;

use crate::domain::claims::Outcome;
use crate::domain::stats::RoundTally;
use crate::domain::votes::{Choice, Question};

pub const WIDTH: u32 = 720;
pub const HEIGHT: u32 = 400;

static FONT: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
static REGISTER: Once = Once::new();

fn colour(choice: Choice) -> RGBColor {
    match choice {
        Choice::Agree | Choice::Yes => RGBColor(0x23, 0x8a, 0x4f),
        Choice::Disagree | Choice::No => RGBColor(0xc4, 0x3c, 0x3c),
        Choice::Unsure | Choice::Early => RGBColor(0x7a, 0x7f, 0x8a),
    }
}

fn english(choice: Choice) -> String {
    crate::render::words::choice_label(crate::render::i18n::Locale::of(crate::domain::lang::Lang::En), choice)
}

/// The colour of a resolution's badge: the colour of the verdict that matches it.
fn outcome_colour(outcome: Outcome) -> RGBColor {
    match outcome {
        Outcome::Yes => colour(Choice::Yes),
        Outcome::No => colour(Choice::No),
        Outcome::Unclear => colour(Choice::Early),
    }
}

/// Where a resolved prediction's badge is drawn: below the legend, at the right.
const BADGE: [(i32, i32); 2] = [(WIDTH as i32 - 240, 130), (WIDTH as i32 - 20, 148)];

/// A PNG of `rounds` (oldest first) for the choices of `question`; a resolved prediction carries
/// a badge with its outcome.
pub fn tally_chart(
    title: &str,
    rounds: &[RoundTally],
    question: Question,
    resolution: Option<Outcome>,
) -> anyhow::Result<Vec<u8>> {
    REGISTER.call_once(|| {
        // The embedded font is valid, so this cannot fail; if it ever did, text would be missing.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&RGBColor(0xf7, 0xf7, 0xf8)).map_err(draw_error)?;
        let (top, bottom) = root.split_vertically(150);
        draw_split(&top, title, rounds.last(), question)?;
        if let Some(outcome) = resolution {
            draw_resolution(&top, outcome)?;
        }
        draw_rounds(&bottom, rounds, question)?;
        root.present().map_err(draw_error)?;
    }
    encode_png(&pixels)
}

fn draw_resolution<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    outcome: Outcome,
) -> anyhow::Result<()> {
    area.draw(&Rectangle::new(BADGE, outcome_colour(outcome).filled()))
        .map_err(draw_error)?;
    let words = crate::render::words::outcome(crate::render::i18n::Locale::of(crate::domain::lang::Lang::En), outcome);
    area.draw(&Text::new(
        format!("Resolved: {words}"),
        (BADGE[0].0 + 8, BADGE[0].1 + 1),
        ("sans-serif", 14).into_font().color(&WHITE),
    ))
    .map_err(draw_error)?;
    Ok(())
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}

fn draw_split<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    latest: Option<&RoundTally>,
    question: Question,
) -> anyhow::Result<()> {
    let dark = RGBColor(0x1e, 0x1f, 0x22);
    area.draw(&Text::new(
        title.to_string(),
        (20, 14),
        ("sans-serif", 22).into_font().color(&dark),
    ))
    .map_err(draw_error)?;
    let Some(latest) = latest else {
        area.draw(&Text::new(
            "No votes yet",
            (20, 70),
            ("sans-serif", 18).into_font().color(&dark),
        ))
        .map_err(draw_error)?;
        return Ok(());
    };
    let choices = question.choices();
    let shares = latest.tally.percentages(&choices);
    let (x0, x1, y0, y1) = (20i32, WIDTH as i32 - 20, 56i32, 96i32);
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
    let legend: Vec<String> = choices
        .iter()
        .zip(&shares)
        .map(|(c, s)| format!("{} {} ({s}%)", english(*c), latest.tally.count(*c)))
        .collect();
    let mut lx = x0;
    for (choice, text) in choices.iter().zip(legend) {
        area.draw(&Rectangle::new([(lx, 112), (lx + 14, 126)], colour(*choice).filled()))
            .map_err(draw_error)?;
        area.draw(&Text::new(
            text.clone(),
            (lx + 20, 110),
            ("sans-serif", 16).into_font().color(&dark),
        ))
        .map_err(draw_error)?;
        lx += 30 + 10 * text.len() as i32;
    }
    let caption = format!("Round {} · {} votes", latest.round, latest.tally.voters());
    area.draw(&Text::new(
        caption,
        (x1 - 200, 20),
        ("sans-serif", 16).into_font().color(&dark),
    ))
    .map_err(draw_error)?;
    Ok(())
}

fn draw_rounds<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    rounds: &[RoundTally],
    question: Question,
) -> anyhow::Result<()> {
    let last = rounds.last().map_or(1, |r| r.round).max(2);
    let first = rounds.first().map_or(1, |r| r.round);
    let mut chart = ChartBuilder::on(area)
        .margin(16)
        .caption("Share by round (%)", ("sans-serif", 16))
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(first..last, 0u32..100u32)
        .map_err(draw_error)?;
    chart
        .configure_mesh()
        .x_labels((last - first + 1).min(12) as usize)
        .x_label_formatter(&|r| format!("R{r}"))
        .y_labels(5)
        .label_style(("sans-serif", 14))
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

fn encode_png(rgb: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
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

    #[test]
    fn chart_is_a_png_of_the_expected_size_drawn_from_the_numbers() {
        let rounds = [round(1, 1, 3, 0), round(2, 3, 1, 0)];
        let bytes = tally_chart("o3-on-trend", &rounds, Question::Stance, None).unwrap();
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
        let other = tally_chart("o3-on-trend", &[round(1, 0, 4, 0)], Question::Stance, None).unwrap();
        let (_, other_buf) = decode(&other);
        assert_eq!(
            pixel(&other_buf, 20 + (bar_width * 0.10) as u32, 76),
            (0xc4, 0x3c, 0x3c)
        );
    }

    #[test]
    fn chart_without_votes_still_renders() {
        let bytes = tally_chart("nothing yet", &[round(1, 0, 0, 0)], Question::Verdict, None).unwrap();
        let (info, _) = decode(&bytes);
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        assert!(tally_chart("empty", &[], Question::Stance, None).is_ok());
    }

    #[test]
    fn a_resolved_prediction_carries_a_badge_in_its_outcomes_colour() {
        let rounds = [round(1, 3, 1, 0)];
        // A corner of the badge, clear of its text.
        let (x, y) = ((BADGE[1].0 - 3) as u32, (BADGE[0].1 + 2) as u32);
        let (_, open) = decode(&tally_chart("p", &rounds, Question::Stance, None).unwrap());
        assert_eq!(pixel(&open, x, y), (0xf7, 0xf7, 0xf8), "no badge before it resolves");
        for outcome in Outcome::ALL {
            let (_, resolved) = decode(&tally_chart("p", &rounds, Question::Stance, Some(outcome)).unwrap());
            let c = outcome_colour(outcome);
            assert_eq!(pixel(&resolved, x, y), (c.0, c.1, c.2), "{outcome}");
        }
    }
}
