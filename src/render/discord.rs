//! Everything drawn on Discord is drawn here: the daily post's embed and buttons, tallies, and
//! the limits Discord enforces. Feed text is untrusted: markdown is escaped, links are checked,
//! and nothing can mention anyone (every message also carries empty allowed_mentions).

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedAuthor,
    CreateEmbedFooter, ReactionType,
};

use crate::domain::claims::{Claim, ClaimKind};
use crate::domain::digest::Digest;
use crate::domain::ids::PostId;
use crate::domain::lang::Lang;
use crate::domain::ranking::RankedNews;
use crate::domain::stats::{agreement_change, RoundTally};
use crate::domain::text::truncate_chars;
use crate::domain::votes::{Choice, Question, Tally};
use crate::services::poster::PostView;
use crate::services::tallies::ClaimRounds;

/// Discord's limits on what a bot sends.
pub mod limits {
    pub const CONTENT: usize = 2000;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4096;
    pub const EMBED_FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    pub const AUTHOR: usize = 256;
    pub const EMBED_TOTAL: usize = 6000;
    pub const CUSTOM_ID: usize = 100;
    pub const BUTTON_LABEL: usize = 80;
}

/// No mention of anyone, ever: users, roles, @everyone, replied-to authors.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

/// Escapes Discord markdown, so feed text shows as written and cannot forge links or layout.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '(' | ')' | '<' | '@' | ':' | '-'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An http(s) URL safe inside `[text](url)`: parentheses and spaces percent-encoded, length bounded.
pub fn link_target(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))?;
    let s = parsed
        .as_str()
        .replace('(', "%28")
        .replace(')', "%29")
        .replace(' ', "%20");
    (s.len() <= 512).then_some(s)
}

pub fn vote_custom_id(post: PostId, choice: Choice) -> String {
    format!("vote:{}:{}", post.0, choice.as_str())
}

/// Parses `vote:<post id>:<choice>`.
pub fn parse_vote_custom_id(id: &str) -> Option<(PostId, Choice)> {
    let mut parts = id.split(':');
    if parts.next()? != "vote" {
        return None;
    }
    let post = parts.next()?.parse().ok()?;
    let choice = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((PostId(post), choice))
}

pub fn vote_buttons(post: PostId, question: Question, lang: Lang, essay_url: &str) -> Vec<CreateActionRow> {
    let mut buttons: Vec<CreateButton> = question
        .choices()
        .into_iter()
        .map(|c| {
            let style = match c {
                Choice::Agree | Choice::Yes => ButtonStyle::Success,
                Choice::Disagree | Choice::No => ButtonStyle::Danger,
                Choice::Unsure | Choice::Early => ButtonStyle::Secondary,
            };
            CreateButton::new(vote_custom_id(post, c))
                .label(c.label(lang))
                .emoji(ReactionType::Unicode(c.emoji().into()))
                .style(style)
        })
        .collect();
    if let Some(url) = link_target(essay_url) {
        buttons.push(CreateButton::new_link(url).label(match lang {
            Lang::Zh => "阅读原文",
            Lang::En => "Read the essay",
        }));
    }
    vec![CreateActionRow::Buttons(buttons)]
}

fn kind_line(claim: &Claim, round: u32, lang: Lang) -> String {
    let round = match lang {
        Lang::Zh => format!("第 {round} 轮"),
        Lang::En => format!("round {round}"),
    };
    format!("{} · {} · {round}", claim.section.get(lang), claim.kind.label(lang))
}

pub fn tally_footer(tally: &Tally, question: Question, lang: Lang) -> String {
    let voters = tally.voters();
    let who = match lang {
        Lang::Zh => format!("{voters} 人投票"),
        Lang::En => format!("{voters} vote{}", if voters == 1 { "" } else { "s" }),
    };
    let reactions = match lang {
        Lang::Zh => "也可用表情回应",
        Lang::En => "reactions count too",
    };
    let emoji: String = question.choices().iter().map(|c| c.emoji()).collect();
    truncate_chars(
        &format!("{} · {who} · {reactions} {emoji}", tally.summary(question, lang)),
        limits::FOOTER,
    )
}

/// Lines `• [title](url) — source · date`, as many as fit in one field.
pub fn news_lines(news: &[RankedNews], lang: Lang, budget: usize) -> String {
    let mut out = String::new();
    for n in news {
        let title = escape_markdown(&truncate_chars(&n.item.title, 200));
        let source = escape_markdown(&truncate_chars(&n.item.source, 60));
        let date = n
            .item
            .published
            .map(|p| p.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let head = match n.item.url.as_deref().and_then(link_target) {
            Some(url) => format!("[{title}]({url})"),
            None => title,
        };
        let line = format!(
            "• {head} — {source}{}{date}\n",
            if date.is_empty() { "" } else { " · " }
        );
        if out.chars().count() + line.chars().count() > budget {
            break;
        }
        out.push_str(&line);
    }
    if out.is_empty() {
        out = match lang {
            Lang::Zh => "近期没有与此论断相关的新闻。".into(),
            Lang::En => "No recent news bears on this claim.".into(),
        };
    }
    out.trim_end().to_string()
}

/// The claim in the other language, then its deadline if it has one.
fn claim_body(claim: &Claim, lang: Lang) -> String {
    let mut text = format!("*{}*", escape_markdown(claim.text.get(lang.other())));
    if let Some(deadline) = claim.deadline {
        let label = match lang {
            Lang::Zh => "截止日期",
            Lang::En => "Deadline",
        };
        text.push_str(&format!("\n\n⏰ {label}: {deadline}"));
    }
    text
}

fn claim_description(digest: &Digest, lang: Lang) -> String {
    let text = format!(
        "{}\n\n**{}**",
        claim_body(&digest.claim, lang),
        digest.question().prompt(lang)
    );
    truncate_chars(&text, limits::EMBED_DESCRIPTION)
}

/// The daily post: an embed with the claim, the news and the tally, and its vote buttons.
pub fn post_embed(view: &PostView<'_>) -> CreateEmbed {
    let digest = view.digest;
    let lang = view.lang;
    let news_title = match lang {
        Lang::Zh => "相关新闻",
        Lang::En => "Related news",
    };
    CreateEmbed::new()
        .author(CreateEmbedAuthor::new(truncate_chars(
            &kind_line(&digest.claim, digest.round, lang),
            limits::AUTHOR,
        )))
        .title(truncate_chars(digest.claim.text.get(lang), limits::EMBED_TITLE))
        .url(link_target(&digest.essay.url).unwrap_or_default())
        .description(claim_description(digest, lang))
        .field(news_title, news_lines(&digest.news, lang, limits::FIELD_VALUE), false)
        .footer(CreateEmbedFooter::new(tally_footer(
            view.tally,
            digest.question(),
            lang,
        )))
        .colour(0x5865F2)
}

/// The thread opened on a post for discussion.
pub fn thread_name(digest: &Digest, lang: Lang) -> String {
    let prefix = match lang {
        Lang::Zh => "讨论",
        Lang::En => "Discuss",
    };
    truncate_chars(&format!("{prefix}: {}", digest.claim.text.get(lang)), 100)
}

/// A claim on its own, for `/claim show` and friends.
pub fn claim_embed(claim: &Claim, lang: Lang, essay_url: &str) -> CreateEmbed {
    let description = claim_body(claim, lang);
    CreateEmbed::new()
        .author(CreateEmbedAuthor::new(truncate_chars(
            &format!(
                "{} · {} · {}",
                claim.section.get(lang),
                claim.kind.label(lang),
                claim.id
            ),
            limits::AUTHOR,
        )))
        .title(truncate_chars(claim.text.get(lang), limits::EMBED_TITLE))
        .url(link_target(essay_url).unwrap_or_default())
        .description(truncate_chars(&description, limits::EMBED_DESCRIPTION))
        .colour(0x5865F2)
}

/// A link to a message, which Discord shows as a jump link and which pings no one.
pub fn message_link(guild: u64, channel: u64, message: u64) -> String {
    format!("https://discord.com/channels/{guild}/{channel}/{message}")
}

/// Lines for a claim's tally: agreement, and for predictions the verdict, each with its share.
pub fn tally_lines(tally: &Tally, claim: &Claim, lang: Lang) -> String {
    let mut lines = vec![tally.summary(Question::Stance, lang)];
    if claim.kind == ClaimKind::Prediction {
        lines.push(tally.summary(Question::Verdict, lang));
    }
    lines.join("\n")
}

/// One round's line: `Round 2 · 2026-11-28 · 👍 Agree 3 (60%) · …`.
pub fn round_line(round: &RoundTally, claim: &Claim, lang: Lang) -> String {
    let head = match lang {
        Lang::Zh => format!("第 {} 轮 · {}", round.round, round.date),
        Lang::En => format!("Round {} · {}", round.round, round.date),
    };
    format!(
        "**{head}** ({} {})\n{}",
        round.tally.voters(),
        if lang == Lang::Zh { "票" } else { "votes" },
        tally_lines(&round.tally, claim, lang)
    )
}

/// The whole picture of one claim for one member, honouring the anchoring rule.
pub fn claim_rounds_text(view: &ClaimRounds, claim: &Claim, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut parts: Vec<String> = view.visible().iter().map(|r| round_line(r, claim, lang)).collect();
    if view.rounds.is_empty() {
        parts.push(
            (if zh {
                "这条论断还没有在本服务器发布过。"
            } else {
                "This claim has not been posted in this server yet."
            })
            .into(),
        );
    }
    if !view.earlier_rounds_visible {
        parts.push(
            (if zh {
                "🔒 在本轮投票后，才能看到之前各轮的结果。"
            } else {
                "🔒 Vote in this round to see how earlier rounds voted."
            })
            .into(),
        );
    } else if let Some(change) = agreement_change(&view.rounds) {
        parts.push(if zh {
            format!("同意比例较第一轮变化 {change:+.0} 个百分点")
        } else {
            format!("Agreement since the first round: {change:+.0} points")
        });
    }
    if let Some(r) = &view.resolution {
        let outcome = match (r.outcome.as_str(), zh) {
            ("yes", true) => "已成真",
            ("no", true) => "未成真",
            (_, true) => "尚无定论",
            ("yes", false) => "came true",
            ("no", false) => "did not come true",
            (_, false) => "unclear",
        };
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", escape_markdown(&r.note))
        };
        parts.push(format!(
            "{} **{outcome}**{note}",
            if zh {
                "⚖️ 版主裁定："
            } else {
                "⚖️ Resolved:"
            }
        ));
    }
    truncate_chars(&parts.join("\n\n"), limits::EMBED_DESCRIPTION)
}

/// Checks a JSON message body against Discord's limits; returns what is over.
pub fn limit_violations(body: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let len = |v: &serde_json::Value| v.as_str().map(|s| s.chars().count()).unwrap_or(0);
    if len(&body["content"]) > limits::CONTENT {
        out.push(format!("content has {} characters", len(&body["content"])));
    }
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        let checks = [
            ("title", len(&e["title"]), limits::EMBED_TITLE),
            ("description", len(&e["description"]), limits::EMBED_DESCRIPTION),
            ("footer", len(&e["footer"]["text"]), limits::FOOTER),
            ("author", len(&e["author"]["name"]), limits::AUTHOR),
        ];
        for (name, n, max) in checks {
            total += n;
            if n > max {
                out.push(format!("embed {i} {name} has {n} characters (max {max})"));
            }
        }
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > limits::EMBED_FIELDS {
            out.push(format!("embed {i} has {} fields", fields.len()));
        }
        for f in &fields {
            total += len(&f["name"]) + len(&f["value"]);
            if len(&f["name"]) > limits::FIELD_NAME || len(&f["value"]) > limits::FIELD_VALUE {
                out.push(format!("embed {i} field over its limit"));
            }
        }
    }
    if total > limits::EMBED_TOTAL {
        out.push(format!("embeds total {total} characters"));
    }
    for row in body["components"].as_array().cloned().unwrap_or_default() {
        for c in row["components"].as_array().cloned().unwrap_or_default() {
            if len(&c["custom_id"]) > limits::CUSTOM_ID {
                out.push(format!("custom_id `{}` too long", c["custom_id"]));
            }
            if len(&c["label"]) > limits::BUTTON_LABEL {
                out.push("button label too long".into());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimSet;
    use crate::domain::news::NewsItem;
    use crate::store::{Post, PostStatus};

    fn hostile_digest() -> Digest {
        let set = ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        let claim = set.get("math-700-days").unwrap().clone();
        let item = |n: usize| RankedNews {
            item: NewsItem {
                identity: format!("i{n}"),
                story_key: None,
                title: format!(
                    "@everyone <@&123> [click](https://evil.example) **bold** {}",
                    "长".repeat(400)
                ),
                url: Some(format!("https://news.example/a_(b)/{n}")),
                summary: String::new(),
                source: "@here".into(),
                published: None,
                seen_at: chrono::Utc::now(),
            },
            score: 9.0,
            why: Default::default(),
        };
        Digest {
            date: "2026-11-28".parse().unwrap(),
            essay: set.essay.clone(),
            claim,
            round: 3,
            news: (0..8).map(item).collect(),
        }
    }

    #[test]
    fn embed_respects_limits_and_neutralises_feed_text() {
        let digest = hostile_digest();
        let post = Post {
            id: PostId(42),
            guild: crate::domain::ids::GuildId(1),
            local_date: digest.date,
            claim_id: digest.claim.id.clone(),
            round: 3,
            question: digest.question(),
            channel: crate::domain::ids::ChannelId(2),
            message: None,
            nonce: "n".into(),
            status: PostStatus::Reserved,
            error: None,
            sent_at: None,
        };
        let tally = Tally::default();
        for lang in [Lang::Zh, Lang::En] {
            let view = PostView {
                post: &post,
                digest: &digest,
                lang,
                tally: &tally,
                thread: false,
            };
            let body = serde_json::json!({
                "embeds": [serde_json::to_value(post_embed(&view)).unwrap()],
                "components": serde_json::to_value(vote_buttons(post.id, digest.question(), lang, &digest.essay.url)).unwrap(),
            });
            assert_eq!(limit_violations(&body), Vec::<String>::new());
            let news = body["embeds"][0]["fields"][0]["value"].as_str().unwrap();
            let unescaped_at = news
                .match_indices('@')
                .filter(|(i, _)| !news[..*i].ends_with('\\'))
                .count();
            assert_eq!(unescaped_at, 0, "every @ is escaped: {news}");
            assert!(news.contains("\\[click\\]\\(https\\:"), "forged link escaped: {news}");
            assert!(news.contains("(https://news.example/a_%28b%29/0)"), "{news}");
            let ids: Vec<&str> = body["components"][0]["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c["custom_id"].as_str())
                .collect();
            assert_eq!(ids, ["vote:42:yes", "vote:42:no", "vote:42:early"]);
        }
    }

    #[test]
    fn custom_ids_round_trip_and_reject_garbage() {
        assert_eq!(parse_vote_custom_id("vote:7:agree"), Some((PostId(7), Choice::Agree)));
        assert_eq!(
            parse_vote_custom_id(&vote_custom_id(PostId(i64::MAX), Choice::Early)),
            Some((PostId(i64::MAX), Choice::Early))
        );
        for bad in [
            "vote:7",
            "vote:x:agree",
            "vote:7:maybe",
            "poll:7:agree",
            "vote:7:agree:extra",
        ] {
            assert_eq!(parse_vote_custom_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn limit_checker_catches_oversize() {
        let body = serde_json::json!({"content": "x".repeat(2001), "embeds": [{"title": "t".repeat(257)}]});
        assert_eq!(limit_violations(&body).len(), 2);
    }
}
