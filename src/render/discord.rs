//! Everything drawn on Discord is drawn here: the daily post's embed and buttons, tallies, and
//! the limits Discord enforces. Feed text is untrusted: markdown is escaped, links are checked,
//! and nothing can mention anyone (every message also carries empty allowed_mentions).

use poise::serenity_prelude as serenity;
use serenity::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed, CreateEmbedAuthor,
    CreateEmbedFooter, ReactionType,
};

use chrono::{DateTime, Datelike, Utc};

use crate::domain::claims::{Claim, ClaimKind, ClaimSet, Resolution};
use crate::domain::digest::Digest;
use crate::domain::filter::FeedFilter;
use crate::domain::ids::{ClaimId, PostId};
use crate::domain::ranking::RankedNews;
use crate::domain::stats::{agreement_change, ClaimTotal, Highlights, RoundTally, Standing};
use crate::domain::text::truncate_chars;
use crate::domain::views::{
    ClaimRounds, DigestStatus, FeedAddition, FeedHealth, FeedNotice, FeedProbe, IngestOutcome, ListedFeed,
    MemberRecord, PostResult, PostView, TodaysClaim, VoteReceipt, WeeklyRecap,
};
use crate::domain::votes::{Choice, Question, Tally};
use crate::feeds::discover::{FeedLink, Found, Located};
use crate::message::{reasons, Message};
use crate::render::custom_id;
use crate::render::i18n::{t, Locale};
use crate::render::words;
use crate::store::{GuildSettings, Post, PostStatus};

pub mod evidence;
pub mod suggestions;

/// Lines on one page of a paged list.
pub const PAGE: usize = 10;

/// The page to show (1-based, clamped to what exists) of a list of `len` lines, and how many there are.
pub fn page_of(len: usize, asked: Option<u32>) -> (usize, usize) {
    let pages = len.div_ceil(PAGE).max(1);
    ((asked.unwrap_or(1) as usize).clamp(1, pages), pages)
}

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
    pub const ACTION_ROWS: usize = 5;
    pub const ROW_BUTTONS: usize = 5;
}

/// No mention of anyone, ever: users, roles, @everyone, replied-to authors.
pub fn no_mentions() -> CreateAllowedMentions {
    CreateAllowedMentions::new()
        .empty_users()
        .empty_roles()
        .everyone(false)
        .replied_user(false)
}

/// What a daily post mentions: the server's chosen role, and nothing else (no user, no other
/// role, no @everyone, whatever the embed holds). Without a role, no one.
pub fn post_mentions(view: &PostView<'_>) -> (Option<String>, CreateAllowedMentions) {
    match view.ping {
        Some(role) => (
            Some(format!("<@&{}>", role.0)),
            no_mentions().roles(vec![serenity::RoleId::new(role.0)]),
        ),
        None => (None, no_mentions()),
    }
}

/// A message for Discord: its untrusted arguments escaped, so that nothing a feed or a page
/// wrote can format the reply.
pub fn message_text(locale: Locale, message: &Message) -> String {
    locale.text(&message.escaped(escape_markdown))
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

/// The daily post's buttons: the votes, the essay's link and, when the server's tally page is on,
/// the claim's page in the first row; when the post shows news, the Evidence button in a second.
pub fn vote_buttons(
    post: PostId,
    question: Question,
    locale: Locale,
    essay_url: &str,
    page: Option<&str>,
    with_news: bool,
) -> Vec<CreateActionRow> {
    let mut buttons: Vec<CreateButton> = question
        .choices()
        .into_iter()
        .map(|c| {
            let style = match c {
                Choice::Agree | Choice::Yes => ButtonStyle::Success,
                Choice::Disagree | Choice::No => ButtonStyle::Danger,
                Choice::Unsure | Choice::Early => ButtonStyle::Secondary,
            };
            CreateButton::new(custom_id::vote(post, c))
                .label(words::choice_label(locale, c))
                .emoji(ReactionType::Unicode(c.emoji().into()))
                .style(style)
        })
        .collect();
    if let Some(url) = link_target(essay_url) {
        buttons.push(CreateButton::new_link(url).label(t!(locale, "post-read-essay")));
    }
    if let Some(url) = page.and_then(link_target) {
        buttons.push(CreateButton::new_link(url).label(t!(locale, "web-open-page")));
    }
    let mut rows = vec![CreateActionRow::Buttons(buttons)];
    if with_news {
        rows.push(CreateActionRow::Buttons(vec![evidence::evidence_button(post, locale)]));
    }
    rows
}

fn kind_line(claim: &Claim, round: u32, locale: Locale) -> String {
    format!(
        "{} · {} · {}",
        words::section(locale, &claim.section),
        words::kind(locale, claim.kind),
        t!(locale, "post-round", round = round)
    )
}

pub fn tally_footer(tally: &Tally, question: Question, locale: Locale) -> String {
    let who = t!(locale, "tally-voters", voters = tally.voters());
    let reactions = t!(locale, "tally-reactions");
    let emoji: String = question.choices().iter().map(|c| c.emoji()).collect();
    truncate_chars(
        &format!(
            "{} · {who} · {reactions} {emoji}",
            words::tally_summary(tally, question, locale)
        ),
        limits::FOOTER,
    )
}

/// Lines `• [title](url) — source · date`, as many as fit in one field.
pub fn news_lines(news: &[RankedNews], locale: Locale, budget: usize) -> String {
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
        out = t!(locale, "post-no-news");
    }
    out.trim_end().to_string()
}

/// A claim's text in `lang`, for Discord. A member's suggestion is members' words, escaped as
/// feed text is; the essay's claims show as the claims file writes them.
pub fn claim_text(claim: &Claim, lang: crate::domain::lang::Lang) -> String {
    let text = claim.text.get(lang);
    match claim.suggested_by {
        Some(_) => escape_markdown(text),
        None => text.to_string(),
    }
}

/// Autocompletion's choices for a claim option: each claim's id (what the command receives) and
/// its text in the reader's language, within the 100 characters Discord shows. Choices are
/// plain text, so nothing is escaped.
pub fn claim_choices(claims: &[Claim], locale: Locale) -> serenity::CreateAutocompleteResponse {
    let choices = claims
        .iter()
        .map(|c| {
            let label = format!("{} — {}", c.id, c.text.get(locale.lang()));
            serenity::AutocompleteChoice::new(truncate_chars(&label, 100), c.id.as_str())
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The claim in the other language, then its deadline if it has one, then the member who
/// suggested it (by name: an embed never pings, and the message's allowed_mentions are empty).
fn claim_body(claim: &Claim, locale: Locale) -> String {
    let mut text = format!("*{}*", escape_markdown(claim.text.get(locale.lang().other())));
    if let Some(deadline) = claim.deadline {
        text.push_str(&format!("\n\n⏰ {}: {deadline}", t!(locale, "post-deadline")));
    }
    if let Some(member) = &claim.suggested_by {
        text.push_str("\n\n");
        text.push_str(&t!(
            locale,
            "claim-suggested-by",
            member = escape_markdown(&truncate_chars(member, 100))
        ));
    }
    text
}

fn claim_description(digest: &Digest, locale: Locale) -> String {
    let text = format!(
        "{}\n\n**{}**",
        claim_body(&digest.claim, locale),
        words::prompt(locale, digest.question())
    );
    truncate_chars(&text, limits::EMBED_DESCRIPTION)
}

/// The daily post: an embed with the claim, the news and the tally, and its vote buttons.
pub fn post_embed(view: &PostView<'_>) -> CreateEmbed {
    let digest = view.digest;
    let locale = Locale::of(view.lang);
    let embed = CreateEmbed::new()
        .author(CreateEmbedAuthor::new(truncate_chars(
            &kind_line(&digest.claim, digest.round, locale),
            limits::AUTHOR,
        )))
        .title(truncate_chars(
            &claim_text(&digest.claim, locale.lang()),
            limits::EMBED_TITLE,
        ));
    with_link(embed, &digest.essay.url)
        .description(claim_description(digest, locale))
        .field(
            t!(locale, "post-related-news"),
            news_lines(&digest.news, locale, limits::FIELD_VALUE),
            false,
        )
        .footer(CreateEmbedFooter::new(tally_footer(
            view.tally,
            digest.question(),
            locale,
        )))
        .colour(0x5865F2)
}

/// The thread opened on a post for discussion.
pub fn thread_name(digest: &Digest, locale: Locale) -> String {
    truncate_chars(
        &t!(locale, "post-thread-name", claim = digest.claim.text.get(locale.lang())),
        100,
    )
}

/// A claim on its own, for `/claim show` and friends.
pub fn claim_embed(claim: &Claim, locale: Locale, essay_url: &str) -> CreateEmbed {
    let description = claim_body(claim, locale);
    let embed = CreateEmbed::new()
        .author(CreateEmbedAuthor::new(truncate_chars(
            &format!(
                "{} · {} · {}",
                words::section(locale, &claim.section),
                words::kind(locale, claim.kind),
                claim.id
            ),
            limits::AUTHOR,
        )))
        .title(truncate_chars(&claim_text(claim, locale.lang()), limits::EMBED_TITLE));
    with_link(embed, essay_url)
        .description(truncate_chars(&description, limits::EMBED_DESCRIPTION))
        .colour(0x5865F2)
}

/// The embed's title links to `url` when it is a link Discord takes; an empty link would have
/// Discord refuse the whole message.
fn with_link(embed: CreateEmbed, url: &str) -> CreateEmbed {
    match link_target(url) {
        Some(url) => embed.url(url),
        None => embed,
    }
}

/// A link to a message, which Discord shows as a jump link and which pings no one.
pub fn message_link(guild: u64, channel: u64, message: u64) -> String {
    format!("https://discord.com/channels/{guild}/{channel}/{message}")
}

/// What a member who just voted sees: their choice (and what it replaced), the post's tally, and
/// earlier rounds of the claim now that they may see them.
pub fn vote_confirmation(receipt: &VoteReceipt, earlier: Option<(&Claim, &ClaimRounds)>, locale: Locale) -> String {
    let choice = receipt.change.current.unwrap_or(Choice::Unsure);
    let label = |c: Choice| words::choice_label(locale, c);
    let lead = match receipt.change.previous {
        Some(previous) if previous != choice => t!(
            locale,
            "vote-changed",
            choice = label(choice),
            previous = label(previous)
        ),
        _ => t!(locale, "vote-recorded", choice = label(choice)),
    };
    let mut text = format!(
        "{lead}\n{}",
        words::tally_summary(&receipt.tally, receipt.post.question, locale)
    );
    if let Some((claim, view)) = earlier {
        for round in view.rounds.iter().filter(|r| r.post != receipt.post.id) {
            text.push_str("\n\n");
            text.push_str(&round_line(round, claim, locale));
        }
    }
    truncate_chars(&text, limits::CONTENT)
}

/// Lines for a claim's tally: agreement, and for predictions the verdict, each with its share.
pub fn tally_lines(tally: &Tally, claim: &Claim, locale: Locale) -> String {
    let mut lines = vec![words::tally_summary(tally, Question::Stance, locale)];
    if claim.kind == ClaimKind::Prediction {
        lines.push(words::tally_summary(tally, Question::Verdict, locale));
    }
    lines.join("\n")
}

/// One round's line: `Round 2 · 2026-11-28 · 👍 Agree 3 (60%) · …`.
pub fn round_line(round: &RoundTally, claim: &Claim, locale: Locale) -> String {
    let head = t!(
        locale,
        "tally-round-head",
        round = round.round,
        date = round.date.to_string()
    );
    format!(
        "**{head}** ({})\n{}",
        t!(locale, "tally-round-votes", voters = round.tally.voters()),
        tally_lines(&round.tally, claim, locale)
    )
}

/// The whole picture of one claim for one member, honouring the anchoring rule, in at most `max`
/// characters. What sums the claim up (the change since the first round, a moderator's ruling)
/// always shows; when the rounds do not all fit beside it, the oldest give way first.
pub fn claim_rounds_text(view: &ClaimRounds, claim: &Claim, locale: Locale, max: usize) -> String {
    let mut summary = Vec::new();
    if view.rounds.is_empty() {
        summary.push(t!(locale, "tally-not-posted"));
    }
    if !view.earlier_rounds_visible {
        summary.push(t!(locale, "tally-earlier-locked"));
    } else if let Some(change) = agreement_change(&view.rounds) {
        summary.push(t!(locale, "tally-agreement-change", change = format!("{change:+.0}")));
    }
    if let Some(r) = &view.resolution {
        let note = if r.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", escape_markdown(&truncate_chars(&r.note, max / 3)))
        };
        summary.push(format!(
            "{} **{}**{note}",
            t!(locale, "tally-resolved"),
            words::outcome(locale, r.outcome)
        ));
    }
    const GAP: usize = "\n\n".len();
    let length = |parts: &[String]| parts.iter().map(|p| p.chars().count() + GAP).sum::<usize>();
    let rounds: Vec<String> = view.visible().iter().map(|r| round_line(r, claim, locale)).collect();
    let mut room = max.saturating_sub(length(&summary));
    let mut shown = rounds.len();
    if length(&rounds) > room {
        // Room for the line saying how many are left out, at its longest.
        room = room.saturating_sub(
            t!(locale, "tally-rounds-not-shown", count = rounds.len())
                .chars()
                .count()
                + GAP,
        );
        while shown > 0 && length(&rounds[rounds.len() - shown..]) > room {
            shown -= 1;
        }
    }
    let mut parts = Vec::new();
    if shown < rounds.len() {
        parts.push(t!(locale, "tally-rounds-not-shown", count = rounds.len() - shown));
    }
    parts.extend_from_slice(&rounds[rounds.len() - shown..]);
    parts.extend(summary);
    truncate_chars(&parts.join("\n\n"), max)
}

/// Discord's timestamp markup: each reader sees it in their own time zone.
/// The weekly recap: one embed, in the server's language, every section shown (an empty one
/// says so). Members are named by mention, which an embed never pings; the message carries
/// empty allowed_mentions all the same.
pub fn recap_embed(recap: &WeeklyRecap) -> CreateEmbed {
    let locale = Locale::of(recap.lang);
    let lang = recap.lang;
    let claim_text = |claim: &Claim| escape_markdown(&truncate_chars(claim.text.get(lang), 120));
    let none = || t!(locale, "recap-none");
    let mut sections = Vec::new();
    let claims = if recap.claims.is_empty() {
        none()
    } else {
        recap
            .claims
            .iter()
            .map(|c| {
                t!(
                    locale,
                    "recap-claim-line",
                    date = c.date.format("%m-%d").to_string(),
                    id = c.claim.id.as_str(),
                    claim = claim_text(&c.claim),
                    split = words::tally_summary(&c.tally, c.question, locale)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    sections.push((t!(locale, "recap-claims"), claims));
    let change = match &recap.biggest_change {
        Some((claim, points)) => t!(
            locale,
            "recap-change-line",
            id = claim.id.as_str(),
            claim = claim_text(claim),
            points = format!("{points:+.0}")
        ),
        None => none(),
    };
    sections.push((t!(locale, "recap-biggest-change"), change));
    let disputed = match &recap.most_disputed {
        Some(c) => t!(
            locale,
            "recap-disputed-line",
            id = c.claim.id.as_str(),
            claim = claim_text(&c.claim),
            split = words::tally_summary(&c.tally, c.question, locale)
        ),
        None => none(),
    };
    sections.push((t!(locale, "recap-most-disputed"), disputed));
    let due = if recap.due_soon.is_empty() {
        none()
    } else {
        recap
            .due_soon
            .iter()
            .map(|c| {
                t!(
                    locale,
                    "recap-due-line",
                    id = c.id.as_str(),
                    claim = claim_text(c),
                    deadline = c.deadline.map(|d| d.to_string()).unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    sections.push((t!(locale, "recap-due-soon"), due));
    let active = if recap.most_active.is_empty() {
        none()
    } else {
        recap
            .most_active
            .iter()
            .map(|(user, votes)| {
                t!(
                    locale,
                    "recap-active-line",
                    member = format!("<@{}>", user.0),
                    count = *votes
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    sections.push((t!(locale, "recap-most-active"), active));
    sections.push((
        t!(locale, "recap-evidence"),
        t!(locale, "recap-evidence-added", count = recap.evidence_added),
    ));
    let description: Vec<String> = sections
        .into_iter()
        .map(|(title, body)| format!("**{title}**\n{body}"))
        .collect();
    CreateEmbed::new()
        .title(truncate_chars(
            &t!(
                locale,
                "recap-title",
                first = recap.week.first.to_string(),
                last = recap.week.last.to_string()
            ),
            limits::EMBED_TITLE,
        ))
        .description(truncate_chars(&description.join("\n\n"), limits::EMBED_DESCRIPTION))
}

/// An instant as the clock on the wall of the server's time zone shows it: weekday, date, time.
fn local_time(locale: Locale, at: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    let local = at.with_timezone(&zone);
    t!(
        locale,
        "local-time",
        weekday = locale.text(&words::weekday(local.weekday())),
        date = local.format("%Y-%m-%d").to_string(),
        time = local.format("%H:%M").to_string()
    )
}

fn timestamp(at: DateTime<Utc>, style: char) -> String {
    format!("<t:{}:{style}>", at.timestamp())
}

/// A post's jump link, or nothing when the message is not on Discord.
fn post_link(post: &Post) -> Option<String> {
    post.message.map(|m| message_link(post.guild.0, post.channel.0, m.0))
}

/// `/digest setup`'s answer.
pub fn setup_text(saved: &GuildSettings, next: DateTime<Utc>, locale: Locale) -> String {
    let time = saved.post_time.format("%H:%M").to_string();
    let channel = saved.channel.map(|c| format!("<#{}>", c.0)).unwrap_or_default();
    let mut text = if saved.post_days.is_every_day() {
        t!(
            locale,
            "digest-set-up",
            time = time,
            zone = saved.timezone.name(),
            channel = channel,
            next = timestamp(next, 'F')
        )
    } else {
        t!(
            locale,
            "digest-set-up-on-days",
            days = words::weekdays(locale, saved.post_days),
            time = time,
            zone = saved.timezone.name(),
            channel = channel,
            next = timestamp(next, 'F')
        )
    };
    if let Some(day) = saved.recap_day {
        text.push('\n');
        text.push_str(&t!(
            locale,
            "digest-set-up-recap",
            day = locale.text(&words::weekday(day))
        ));
    }
    // The reply names the role; its empty allowed_mentions keep it from pinging anyone.
    if let Some(role) = saved.ping_role {
        text.push('\n');
        text.push_str(&t!(locale, "digest-set-up-ping", role = format!("<@&{}>", role.0)));
    }
    text
}

/// `/digest now`'s answer.
pub fn post_result_text(result: &PostResult, locale: Locale) -> String {
    match result {
        PostResult::Posted(post) => t!(
            locale,
            "digest-posted",
            link = message_link(
                post.guild.0,
                post.channel.0,
                post.message.map(|m| m.0).unwrap_or_default()
            )
        ),
        PostResult::AlreadyPosted(post) => {
            t!(
                locale,
                "digest-already-posted",
                link = post_link(post).unwrap_or_default()
            )
        }
    }
}

pub fn digest_status_embed(status: &DigestStatus, locale: Locale) -> CreateEmbed {
    let settings = &status.settings;
    let channel = match settings.channel {
        Some(c) => format!("<#{}>", c.0),
        None => t!(locale, "digest-status-not-set"),
    };
    let mut lines = vec![
        t!(locale, "digest-status-channel", channel = channel),
        t!(
            locale,
            "digest-status-time",
            time = settings.post_time.format("%H:%M").to_string(),
            zone = settings.timezone.name()
        ),
        t!(locale, "digest-status-language", language = settings.language.code()),
        t!(locale, "digest-status-news", count = settings.news_count.get()),
        t!(
            locale,
            "digest-status-thread",
            thread = if settings.thread {
                t!(locale, "word-on")
            } else {
                t!(locale, "word-off")
            }
        ),
        t!(locale, "digest-status-feeds", count = status.feeds),
        t!(
            locale,
            "digest-status-days",
            days = words::weekdays(locale, settings.post_days)
        ),
        match settings.recap_day {
            Some(day) => t!(locale, "digest-status-recap", day = locale.text(&words::weekday(day))),
            None => t!(locale, "digest-status-recap-off"),
        },
    ];
    if let Some(role) = settings.moderator_role {
        // A role mention in an embed names the role and pings no one.
        lines.push(t!(
            locale,
            "digest-status-moderator-role",
            role = format!("<@&{}>", role.0)
        ));
    }
    if let Some(role) = settings.ping_role {
        lines.push(t!(locale, "digest-status-ping", role = format!("<@&{}>", role.0)));
    }
    lines.push(match (&settings.broken_reason, settings.paused, status.next) {
        (Some(reason), _, _) => t!(
            locale,
            "digest-status-broken",
            reason = message_text(locale, &reasons::delivery_failure(reason))
        ),
        (None, true, _) => t!(locale, "digest-status-paused"),
        (None, false, Some(_)) => {
            // In the server's own time zone, as moderators set it, each with Discord's relative time.
            let mut text = t!(locale, "digest-status-upcoming", zone = settings.timezone.name());
            for at in &status.upcoming {
                text.push('\n');
                text.push_str(&t!(
                    locale,
                    "digest-status-upcoming-line",
                    when = local_time(locale, *at, settings.timezone),
                    relative = timestamp(*at, 'R')
                ));
            }
            text
        }
        (None, false, None) => t!(locale, "digest-status-not-set-up"),
    });
    if let Some(post) = &status.last {
        let link = post_link(post).unwrap_or_else(|| match post.status {
            PostStatus::Failed => t!(locale, "digest-status-last-failed"),
            // Sent without a message id does not happen; reserved is a post on its way.
            PostStatus::Reserved | PostStatus::Sent => t!(locale, "digest-status-last-sending"),
        });
        lines.push(t!(
            locale,
            "digest-status-last",
            date = post.local_date.to_string(),
            claim = post.claim_id.as_str(),
            link = link
        ));
    }
    CreateEmbed::new()
        .title(t!(locale, "digest-status-title"))
        .description(truncate_chars(&lines.join("\n"), limits::EMBED_DESCRIPTION))
}

/// The line above `/claim today`'s embed: the post's link, or when it is due.
pub fn todays_claim_note(today: &TodaysClaim, settings: &GuildSettings, locale: Locale) -> String {
    match today.post.as_ref().and_then(post_link) {
        Some(link) => t!(locale, "claim-todays-post", link = link),
        None if today.day_off => t!(
            locale,
            "claim-day-off",
            when = local_time(locale, today.due, settings.timezone),
            zone = settings.timezone.name()
        ),
        None => t!(
            locale,
            "claim-not-posted-yet",
            time = today.due.with_timezone(&settings.timezone).format("%H:%M").to_string(),
            zone = settings.timezone.name()
        ),
    }
}

/// The "votes in this server" field of `/claim show`, when there is anything to show.
pub fn claim_votes_field(view: &ClaimRounds, claim: &Claim, locale: Locale) -> Option<(String, String)> {
    (!view.rounds.is_empty() || view.resolution.is_some()).then(|| {
        (
            t!(locale, "claim-votes-here"),
            claim_rounds_text(view, claim, locale, limits::FIELD_VALUE),
        )
    })
}

/// One page of `/claim list`.
pub fn claim_list_embed(claims: &ClaimSet, asked: Option<u32>, locale: Locale) -> CreateEmbed {
    let all = claims.claims();
    let (page, pages) = page_of(all.len(), asked);
    let lang = locale.lang();
    let lines: Vec<String> = all
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|c| {
            format!(
                "`{}` · {} · {}",
                c.id,
                words::kind(locale, c.kind),
                truncate_chars(&claim_text(c, lang), 80)
            )
        })
        .collect();
    let footer = t!(
        locale,
        "claim-list-footer",
        page = page,
        pages = pages,
        count = all.len(),
        next = page % pages + 1
    );
    CreateEmbed::new()
        .title(truncate_chars(claims.essay.title.get(lang), limits::EMBED_TITLE))
        .description(lines.join("\n"))
        .footer(CreateEmbedFooter::new(footer))
}

/// `/claim due`: predictions past their deadline with the verdict votes and any ruling.
pub fn due_predictions_embed(due: &[(Claim, Tally, Option<Resolution>)], locale: Locale) -> CreateEmbed {
    let mut lines = Vec::new();
    for (claim, verdict, resolution) in due {
        let mut line = format!(
            "{}\n{}",
            t!(
                locale,
                "claim-due-line",
                id = claim.id.as_str(),
                deadline = claim.deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
            words::tally_summary(verdict, Question::Verdict, locale)
        );
        if let Some(r) = resolution {
            line.push_str(&format!("\n⚖️ {}", words::outcome(locale, r.outcome)));
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(t!(locale, "claim-due-none"));
    }
    CreateEmbed::new()
        .title(t!(locale, "claim-due-title"))
        .description(truncate_chars(&lines.join("\n\n"), limits::EMBED_DESCRIPTION))
}

pub fn resolved_text(resolution: &Resolution, locale: Locale) -> String {
    t!(
        locale,
        "claim-resolved",
        id = resolution.claim_id.as_str(),
        outcome = words::outcome(locale, resolution.outcome)
    )
}

/// `/tally claim:`: every round the member may see, with the chart attached separately.
pub fn claim_tally_embed(view: &ClaimRounds, claim: &Claim, locale: Locale) -> CreateEmbed {
    let mut embed = CreateEmbed::new()
        .title(truncate_chars(&claim_text(claim, locale.lang()), limits::EMBED_TITLE))
        .description(claim_rounds_text(view, claim, locale, limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(claim.id.as_str()));
    // The title opens the claim's tally page when the server's site is on.
    if let Some(url) = view.page.as_deref().and_then(link_target) {
        embed = embed.url(url);
    }
    if view.latest().is_some() {
        embed = embed.image("attachment://tally.png");
    }
    embed
}

/// The question a running tally mostly answers: verdicts once only verdicts were cast.
fn main_question(tally: &Tally) -> Question {
    let stance: u32 = Question::Stance.choices().iter().map(|c| tally.count(*c)).sum();
    if stance == 0 && tally.voters() > 0 {
        Question::Verdict
    } else {
        Question::Stance
    }
}

/// `/tally` without a claim: the highlights, then the most voted claims.
pub fn overview_embed(mut claims: Vec<ClaimTotal>, highlights: &Highlights, locale: Locale) -> CreateEmbed {
    let label = |id: &Option<ClaimId>| id.as_deref().map(|i| format!("`{i}`")).unwrap_or_else(|| "—".into());
    let mut lines = vec![
        t!(locale, "tally-most-agreed", claim = label(&highlights.most_agreed)),
        t!(locale, "tally-most-disputed", claim = label(&highlights.most_disputed)),
        t!(locale, "tally-most-voted", claim = label(&highlights.most_voted)),
        t!(locale, "tally-newest", claim = label(&highlights.newest)),
        String::new(),
    ];
    claims.sort_by(|a, b| b.1.voters().cmp(&a.1.voters()).then_with(|| a.0.cmp(&b.0)));
    for (id, tally, _) in claims.iter().take(12) {
        lines.push(format!(
            "`{id}` · {}",
            words::tally_summary(tally, main_question(tally), locale)
        ));
    }
    CreateEmbed::new()
        .title(t!(locale, "tally-all-title"))
        .description(truncate_chars(&lines.join("\n"), limits::EMBED_DESCRIPTION))
}

/// `/me`.
pub fn member_record_embed(record: &MemberRecord, locale: Locale) -> CreateEmbed {
    let (with, of) = record.with_majority;
    let majority = match (with * 100).checked_div(of) {
        Some(share) => format!("{with}/{of} ({share}%)"),
        None => "—".to_string(),
    };
    let lines = [
        t!(locale, "me-votes", count = record.votes),
        t!(locale, "me-current-streak", count = record.current_streak),
        t!(locale, "me-longest-streak", count = record.longest_streak),
        t!(locale, "me-majority", share = majority),
        if record.hidden {
            t!(locale, "me-hidden")
        } else {
            t!(locale, "me-visible")
        },
    ];
    CreateEmbed::new()
        .title(t!(locale, "me-title"))
        .description(lines.join("\n"))
        .field(
            t!(locale, "me-calls-title"),
            truncate_chars(
                &evidence::calls_lines(&record.calls, locale).join("\n"),
                limits::FIELD_VALUE,
            ),
            false,
        )
}

/// One page of `/leaderboard`. A user mention in an embed shows the name and never pings.
pub fn leaderboard_embed(standings: &[Standing], asked: Option<u32>, locale: Locale) -> CreateEmbed {
    let (page, pages) = page_of(standings.len(), asked);
    let lines: Vec<String> = standings
        .iter()
        .enumerate()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|(i, s)| {
            t!(
                locale,
                "leaderboard-line",
                rank = i + 1,
                member = format!("<@{}>", s.user.0),
                votes = s.votes,
                current = s.current_streak,
                longest = s.longest_streak
            )
        })
        .collect();
    let body = if lines.is_empty() {
        t!(locale, "leaderboard-empty")
    } else {
        lines.join("\n")
    };
    CreateEmbed::new()
        .title(t!(locale, "leaderboard-title"))
        .description(body)
        .footer(CreateEmbedFooter::new(format!("{page}/{pages}")))
}

/// `/news`.
pub fn news_embed(claim: &Claim, news: &[RankedNews], locale: Locale) -> CreateEmbed {
    CreateEmbed::new()
        .title(truncate_chars(&claim_text(claim, locale.lang()), limits::EMBED_TITLE))
        .description(news_lines(news, locale, limits::EMBED_DESCRIPTION))
        .footer(CreateEmbedFooter::new(claim.id.as_str()))
}

/// `/feeds list`.
pub fn feed_list_embed(feeds: &[ListedFeed], locale: Locale) -> CreateEmbed {
    let mut body = String::new();
    for listed in feeds {
        let feed = &listed.feed;
        let health = match (&feed.last_error, feed.last_success_at) {
            (Some(e), _) => format!(
                "⚠️ {}",
                truncate_chars(&message_text(locale, &reasons::feed_failure(e)), 120)
            ),
            (None, Some(at)) => format!("✓ {}", at.format("%Y-%m-%d %H:%M UTC")),
            (None, None) => t!(locale, "feeds-not-fetched"),
        };
        let mut line = format!(
            "• **{}** <{}>\n  {health}\n",
            escape_markdown(&truncate_chars(&listed.name, 80)),
            feed.url
        );
        for rule in filter_lines(listed.filter.as_ref(), locale) {
            line.push_str(&format!("  {rule}\n"));
        }
        if body.chars().count() + line.chars().count() > limits::EMBED_DESCRIPTION - 20 {
            body.push('…');
            break;
        }
        body.push_str(&line);
    }
    if feeds.is_empty() {
        body = t!(locale, "feeds-none");
    }
    CreateEmbed::new()
        .title(t!(locale, "feeds-list-title", count = feeds.len()))
        .description(body)
}

/// A filter's lists, one line each; none for no filter.
fn filter_lines(filter: Option<&FeedFilter>, locale: Locale) -> Vec<String> {
    let Some(filter) = filter else { return Vec::new() };
    let terms = |terms: &[String]| {
        terms
            .iter()
            .map(|term| escape_markdown(term))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut lines = Vec::new();
    if !filter.include().is_empty() {
        lines.push(t!(locale, "feeds-filter-include", terms = terms(filter.include())));
    }
    if !filter.exclude().is_empty() {
        lines.push(t!(locale, "feeds-filter-exclude", terms = terms(filter.exclude())));
    }
    lines
}

/// `/feeds filter`'s answer: the filter now in force on the feed named.
pub fn feed_filter_text(name: &str, filter: &FeedFilter, locale: Locale) -> String {
    let name = escape_markdown(&truncate_chars(name, 80));
    if filter.is_empty() {
        return t!(locale, "feeds-filter-none", name = name);
    }
    let mut text = t!(locale, "feeds-filter-set", name = name);
    for line in filter_lines(Some(filter), locale) {
        text.push_str(&format!("\n• {line}"));
    }
    text
}

/// `/feeds add`'s answer: the feed added (and how it was found), or the feeds a page names.
pub fn feed_added_text(addition: &FeedAddition, locale: Locale) -> String {
    match addition {
        FeedAddition::Added { feed, parsed, found } => {
            let title = escape_markdown(&truncate_chars(parsed.title.as_deref().unwrap_or(&feed.url), 100));
            let mut text = t!(locale, "feeds-added", name = title, count = parsed.items.len());
            push_found(&mut text, found, &feed.url, locale);
            text
        }
        FeedAddition::Choose { page, links } => feed_choices_text(page, links, locale),
    }
}

/// How a feed was found, when it was not the address given.
fn push_found(text: &mut String, found: &Found, url: &str, locale: Locale) {
    let line = match found {
        Found::Given => return,
        Found::Linked { page } => t!(locale, "feeds-found-linked", page = page.as_str(), url = url),
        Found::UsualPath { page } => t!(locale, "feeds-found-usual", page = page.as_str(), url = url),
    };
    text.push('\n');
    text.push_str(&line);
}

/// The feeds a page names, for a moderator to pick one and add it.
fn feed_choices_text(page: &str, links: &[FeedLink], locale: Locale) -> String {
    let mut text = t!(locale, "feeds-choose", page = page, count = links.len());
    for link in links {
        let line = match &link.title {
            Some(title) => format!("\n• {} <{}>", escape_markdown(title), link.url),
            None => format!("\n• <{}>", link.url),
        };
        text.push_str(&line);
    }
    text
}

/// `/feeds status`.
pub fn feed_health_embed(health: &[FeedHealth], locale: Locale) -> CreateEmbed {
    let never = t!(locale, "feeds-never");
    let stamp = |at: Option<DateTime<Utc>>| at.map(|at| timestamp(at, 'R')).unwrap_or_else(|| never.clone());
    let mut body = String::new();
    for h in health {
        let feed = &h.feed;
        let mut block = format!("**{}**\n", escape_markdown(&truncate_chars(&h.name, 80)));
        if let Some(reason) = &feed.disabled_reason {
            block.push_str(&t!(
                locale,
                "feeds-disabled",
                reason = message_text(locale, &reasons::feed_failure(reason))
            ));
            block.push('\n');
        }
        let next = if feed.disabled_reason.is_some() {
            "—".to_string()
        } else {
            stamp(feed.next_attempt_at)
        };
        block.push_str(&t!(
            locale,
            "feeds-health-line",
            success = stamp(feed.last_success_at),
            next = next,
            items = h.items_in_window
        ));
        block.push('\n');
        if let Some(error) = &feed.last_error {
            block.push_str(&t!(
                locale,
                "feeds-last-error",
                failures = feed.failures,
                error = message_text(locale, &reasons::feed_failure(error))
            ));
            block.push('\n');
        }
        if body.chars().count() + block.chars().count() > limits::EMBED_DESCRIPTION - 2 {
            body.push('…');
            break;
        }
        body.push_str(&block);
    }
    if body.is_empty() {
        body = t!(locale, "feeds-status-none");
    }
    CreateEmbed::new()
        .title(t!(locale, "feeds-status-title"))
        .description(body)
}

/// `/feeds enable`'s answer.
pub fn enabled_feed_text(name: &str, outcome: &IngestOutcome, locale: Locale) -> String {
    let name = escape_markdown(name);
    match outcome {
        IngestOutcome::Stored { items, .. } => t!(locale, "feeds-enabled-stored", name = name, count = *items),
        IngestOutcome::NotModified => t!(locale, "feeds-enabled-unchanged", name = name),
        IngestOutcome::Deferred { until } => {
            t!(locale, "feeds-enabled-held", name = name, when = timestamp(*until, 'R'))
        }
        IngestOutcome::Failed(why) | IngestOutcome::Disabled(why) => {
            t!(
                locale,
                "feeds-enabled-failed",
                name = name,
                reason = message_text(locale, &reasons::feed_failure(why))
            )
        }
    }
}

/// `/feeds test`'s answer: the feed's title, size and first items, or why it is not a feed.
pub fn feed_test_text(probe: &FeedProbe, locale: Locale) -> String {
    match probe {
        Ok(Located::Feed { url, feed, found }) => {
            let untitled = t!(locale, "feeds-test-untitled");
            let title = escape_markdown(&truncate_chars(feed.title.as_deref().unwrap_or(&untitled), 100));
            let mut text = t!(locale, "feeds-test-ok", title = title, count = feed.items.len());
            push_found(&mut text, found, url, locale);
            text.push('\n');
            for item in feed.items.iter().take(5) {
                text.push_str(&format!("• {}\n", escape_markdown(&truncate_chars(&item.title, 150))));
            }
            text
        }
        Ok(Located::Several { page, links }) => feed_choices_text(page, links, locale),
        Err(why) => t!(
            locale,
            "feeds-test-failed",
            reason = message_text(locale, &reasons::locate_failure(why))
        ),
    }
}

/// The notice a server's digest channel gets when one of its feeds is disabled.
pub fn feed_notice_text(notice: &FeedNotice) -> String {
    t!(
        notice.lang,
        "notice-feed-disabled",
        name = escape_markdown(&notice.feed_name),
        reason = message_text(notice.lang.into(), &reasons::feed_failure(&notice.reason))
    )
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
    let rows = body["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > limits::ACTION_ROWS {
        out.push(format!("{} action rows (max {})", rows.len(), limits::ACTION_ROWS));
    }
    for row in rows {
        let components = row["components"].as_array().cloned().unwrap_or_default();
        if components.len() > limits::ROW_BUTTONS {
            out.push(format!(
                "a row of {} buttons (max {})",
                components.len(),
                limits::ROW_BUTTONS
            ));
        }
        for c in components {
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
    use crate::domain::news::NewsItem;
    use crate::store::Post;

    #[test]
    fn member_input_inside_a_code_span_shows_as_typed_and_cannot_end_it() {
        use crate::message::{msg, Arg};
        let en = Locale::of(crate::domain::lang::Lang::En);
        let bad_time = message_text(en, &msg!("error-bad-time", input = Arg::in_code("25:00")));
        assert!(bad_time.contains("`25:00`"), "no backslash inside the span: {bad_time}");
        let hostile = "x` [Verify](https://evil.example) `\n@everyone";
        let no_claim = message_text(en, &msg!("error-no-such-claim", id = Arg::in_code(hostile)));
        assert_eq!(no_claim.matches('`').count(), 2, "{no_claim}");
        assert!(!no_claim.contains('\n'), "{no_claim}");
        // Outside a span, the same text is escaped as every member's text is.
        let days = message_text(en, &msg!("error-bad-days", input = Arg::untrusted("[a](b)")));
        assert!(days.contains("\\[a\\]\\(b\\)"), "{days}");
    }

    #[test]
    fn claim_show_keeps_the_ruling_when_the_rounds_do_not_fit() {
        use crate::domain::claims::Outcome;
        use crate::domain::ids::{PostId, UserId};
        use crate::domain::lang::Lang;
        use crate::domain::stats::RoundTally;
        use crate::domain::views::ClaimRounds;
        use crate::domain::votes::{Choice, Question, Tally};
        let set = ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        let claim = set.get("math-700-days").unwrap();
        let rounds = (1..=12)
            .map(|n| RoundTally {
                round: n,
                post: PostId(i64::from(n)),
                date: chrono::NaiveDate::from_ymd_opt(2026, 1, n).unwrap(),
                tally: Tally::from_counts([(Choice::Agree, 10 + n), (Choice::Disagree, 3), (Choice::Unsure, 1)]),
            })
            .collect();
        let view = ClaimRounds {
            rounds,
            earlier_rounds_visible: true,
            resolution: Some(Resolution {
                claim_id: claim.id.clone(),
                outcome: Outcome::Yes,
                note: "Erdős ".repeat(200),
                resolved_by: UserId(1),
                resolved_at: chrono::Utc::now(),
            }),
            page: None,
            latest_question: Question::Stance,
        };
        for lang in [Lang::En, Lang::Zh] {
            let locale = Locale::of(lang);
            let (_, field) = claim_votes_field(&view, claim, locale).unwrap();
            assert!(
                field.chars().count() <= limits::FIELD_VALUE,
                "{}",
                field.chars().count()
            );
            assert!(field.contains(&t!(locale, "tally-resolved")), "{field}");
            assert!(
                field.contains(&format!("**{}**", words::outcome(locale, Outcome::Yes))),
                "{field}"
            );
            assert!(
                field.contains(&t!(locale, "tally-round-head", round = 12, date = "2026-01-12")),
                "the newest round shows"
            );
            assert!(
                !field.contains(&t!(locale, "tally-round-head", round = 1, date = "2026-01-01")),
                "the oldest gives way"
            );
            let shown = (1..=12)
                .filter(|&n| {
                    field.contains(&t!(
                        locale,
                        "tally-round-head",
                        round = n,
                        date = format!("2026-01-{n:02}")
                    ))
                })
                .count();
            assert!(
                field.contains(&t!(locale, "tally-rounds-not-shown", count = 12 - shown)),
                "{field}"
            );
            // The description of `/tally claim:` has room for them all.
            let all = claim_rounds_text(&view, claim, locale, limits::EMBED_DESCRIPTION);
            assert!(all.contains(&t!(locale, "tally-round-head", round = 1, date = "2026-01-01")));
            assert!(!all.contains(&t!(locale, "tally-rounds-not-shown", count = 1)));
        }
    }

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
    fn claim_choices_speak_the_readers_language_within_discords_length() {
        let set = ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        let claims: Vec<Claim> = set.claims().iter().take(3).cloned().collect();
        for (lang, other) in [
            (crate::domain::lang::Lang::En, crate::domain::lang::Lang::Zh),
            (crate::domain::lang::Lang::Zh, crate::domain::lang::Lang::En),
        ] {
            let response = serde_json::to_value(claim_choices(&claims, Locale::of(lang))).unwrap();
            let choices = response["choices"].as_array().expect("choices");
            assert_eq!(choices.len(), 3, "{response}");
            for (choice, claim) in choices.iter().zip(&claims) {
                let name = choice["name"].as_str().unwrap();
                assert_eq!(choice["value"], claim.id.as_str());
                assert!(name.chars().count() <= 100, "{name}");
                let head: String = claim.text.get(lang).chars().take(20).collect();
                let other_head: String = claim.text.get(other).chars().take(20).collect();
                assert!(name.contains(&head) && !name.contains(&other_head), "{lang:?}: {name}");
            }
        }
    }

    #[test]
    fn an_essay_link_discord_would_refuse_is_left_out_not_sent_empty() {
        let digest = hostile_digest();
        let locale = Locale::of(crate::domain::lang::Lang::En);
        let long = format!("https://example.com/{}", "a".repeat(600));
        for url in [long.as_str(), "ftp://example.com/essay", ""] {
            let embed = serde_json::to_value(claim_embed(&digest.claim, locale, url)).unwrap();
            assert!(embed.get("url").is_none(), "{url}: {embed}");
        }
        let embed = serde_json::to_value(claim_embed(&digest.claim, locale, "https://example.com/essay")).unwrap();
        assert_eq!(embed["url"], "https://example.com/essay");
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
        for lang in [crate::domain::lang::Lang::Zh, crate::domain::lang::Lang::En] {
            let view = PostView {
                post: &post,
                digest: &digest,
                lang,
                tally: &tally,
                thread: false,
                ping: None,
                page: None,
            };
            let body = serde_json::json!({
                "embeds": [serde_json::to_value(post_embed(&view)).unwrap()],
                "components": serde_json::to_value(vote_buttons(post.id, digest.question(), lang.into(), &digest.essay.url, Some("https://tally.example/s/x/claims/c"), !digest.news.is_empty())).unwrap(),
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
    fn pages_are_clamped_to_what_exists() {
        assert_eq!(page_of(0, None), (1, 1));
        assert_eq!(page_of(25, Some(2)), (2, 3));
        assert_eq!(page_of(25, Some(9)), (3, 3));
        assert_eq!(page_of(10, Some(2)), (1, 1));
    }

    #[test]
    fn limit_checker_catches_oversize() {
        let body = serde_json::json!({"content": "x".repeat(2001), "embeds": [{"title": "t".repeat(257)}]});
        assert_eq!(limit_violations(&body).len(), 2);
    }

    mod reasons {
        use super::super::*;
        use crate::domain::digest::NewsCount;
        use crate::domain::ids::{ChannelId, FeedId, GuildId};
        use crate::domain::lang::Lang;
        use crate::domain::records::{DeliveryFailure, FeedFailure, FeedRecord, GuildSettings, Validators};
        use crate::domain::schedule::Weekdays;

        #[test]
        fn a_feed_test_that_found_nothing_says_why_in_the_readers_language() {
            let zh = Locale::of(Lang::Zh);
            let nothing: FeedProbe = Err(crate::domain::views::LocateFailure::NoFeedOnPage);
            let text = feed_test_text(&nothing, zh);
            assert!(text.contains("没有标明新闻源"), "{text}");
            let linked: FeedProbe = Err(crate::domain::views::LocateFailure::LinkedNotUsable {
                url: "https://site.example/feed_*x*".into(),
                why: FeedFailure::HttpStatus { code: 404 },
            });
            let text = feed_test_text(&linked, zh);
            assert!(text.contains("无法读取") && text.contains("HTTP 404"), "{text}");
            assert!(text.contains(r"feed\_\*x\*"), "the page's link is escaped: {text}");
            let en = feed_test_text(&linked, Locale::of(Lang::En));
            assert!(
                en.contains("cannot be read: nothing at this address (HTTP 404)"),
                "{en}"
            );
        }

        #[test]
        fn an_address_without_its_scheme_is_offered_back_with_one() {
            use crate::domain::records::AddressProblem;
            let why = |problem| {
                crate::message::msg!(
                    "feeds-not-added",
                    reason = crate::message::reasons::feed_failure(&FeedFailure::BadAddress(problem))
                )
            };
            let guess = why(AddressProblem::NoScheme {
                suggestion: Some("https://example.com/a_b".into()),
            });
            let en = message_text(Locale::of(Lang::En), &guess);
            assert!(
                en.contains("does not start with https:// or http:// (did you mean https\\://example.com/a\\_b?)"),
                "{en}"
            );
            let zh = message_text(Locale::of(Lang::Zh), &guess);
            assert!(zh.contains("您是否想输入 https\\://example.com/a\\_b"), "{zh}");
            let port = message_text(Locale::of(Lang::En), &why(AddressProblem::BadPort));
            assert!(port.contains("Not added: the port in the address"), "{port}");
            let redirect = why(AddressProblem::BadRedirect {
                location: "@everyone".into(),
            });
            let text = message_text(Locale::of(Lang::Zh), &redirect);
            assert!(text.contains("重定向到 \\@everyone"), "the location is escaped: {text}");
        }

        fn feed(last_error: Option<FeedFailure>, disabled: Option<FeedFailure>) -> FeedRecord {
            FeedRecord {
                id: FeedId(1),
                url: "https://feed.example/rss".into(),
                title: None,
                validators: Validators::default(),
                last_attempt_at: None,
                last_success_at: None,
                failures: u32::from(last_error.is_some()) * 3,
                last_error,
                failing_since: None,
                next_attempt_at: None,
                disabled_reason: disabled,
            }
        }

        fn listed(name: &str, last_error: FeedFailure) -> ListedFeed {
            ListedFeed {
                name: name.into(),
                feed: feed(Some(last_error), None),
                filter: None,
            }
        }

        fn list_text(feeds: &[ListedFeed], lang: Lang) -> String {
            let embed = serde_json::to_value(feed_list_embed(feeds, lang.into())).unwrap();
            embed["description"].as_str().unwrap().to_string()
        }

        fn health_text(feed: FeedRecord, lang: Lang) -> String {
            let health = [FeedHealth {
                name: "Gone".into(),
                feed,
                items_in_window: 0,
            }];
            let embed = serde_json::to_value(feed_health_embed(&health, lang.into())).unwrap();
            embed["description"].as_str().unwrap().to_string()
        }

        #[test]
        fn digest_status_says_a_failed_last_post_and_the_thread_setting_in_words() {
            for lang in [Lang::En, Lang::Zh] {
                let locale = Locale::of(lang);
                let mut status = status_of(None, lang);
                status.settings.thread = true;
                status.last = Some(Post {
                    id: crate::domain::ids::PostId(1),
                    guild: GuildId(1),
                    local_date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                    claim_id: crate::domain::ids::ClaimId::new("math-700-days"),
                    round: 1,
                    question: crate::domain::votes::Question::Stance,
                    channel: ChannelId(2),
                    message: None,
                    nonce: "n".into(),
                    status: PostStatus::Failed,
                    error: None,
                    sent_at: None,
                });
                let embed = serde_json::to_value(digest_status_embed(&status, locale)).unwrap();
                let text = embed["description"].as_str().unwrap();
                assert!(text.contains(&t!(locale, "digest-status-last-failed")), "{text}");
                assert!(
                    text.contains(&t!(locale, "digest-status-thread", thread = t!(locale, "word-on"))),
                    "{text}"
                );
                assert!(!text.contains("Failed") && !text.contains("true"), "{text}");
            }
        }

        fn status_text(broken: DeliveryFailure, lang: Lang) -> String {
            let embed = serde_json::to_value(digest_status_embed(&status_of(Some(broken), lang), lang.into())).unwrap();
            embed["description"].as_str().unwrap().to_string()
        }

        fn status_of(broken: Option<DeliveryFailure>, lang: Lang) -> DigestStatus {
            DigestStatus {
                settings: GuildSettings {
                    id: GuildId(1),
                    channel: Some(ChannelId(2)),
                    post_time: "09:00".parse().unwrap(),
                    timezone: chrono_tz::Asia::Shanghai,
                    language: lang,
                    news_count: NewsCount::default(),
                    thread: false,
                    moderator_role: None,
                    ping_role: None,
                    post_days: Weekdays::EVERY_DAY,
                    recap_day: None,
                    paused: false,
                    broken_reason: broken,
                },
                feeds: 3,
                last: None,
                next: None,
                upcoming: Vec::new(),
            }
        }

        fn unescaped_ats(text: &str) -> usize {
            text.match_indices('@')
                .filter(|(i, _)| !text[..*i].ends_with('\\'))
                .count()
        }

        #[test]
        fn feeds_list_in_chinese_tells_a_404_and_a_timeout_in_chinese() {
            let feeds = [
                listed("Gone", FeedFailure::HttpStatus { code: 404 }),
                listed("Slow", FeedFailure::Timeout { seconds: 20 }),
                listed("Broken", FeedFailure::HttpStatus { code: 503 }),
            ];
            let zh = list_text(&feeds, Lang::Zh);
            assert!(zh.contains("该地址下没有内容（HTTP 404）"), "{zh}");
            assert!(zh.contains("20 秒内未收到完整响应"), "{zh}");
            assert!(zh.contains("服务器出错（HTTP 503）"), "{zh}");
            assert!(!zh.contains("answered") && !zh.contains("within"), "{zh}");
            let en = list_text(&feeds, Lang::En);
            assert!(en.contains("nothing at this address (HTTP 404)"), "{en}");
            assert!(en.contains("no complete answer within 20 s"), "{en}");
        }

        #[test]
        fn feeds_status_in_chinese_tells_why_a_feed_was_disabled_and_its_last_error_in_chinese() {
            let zh = health_text(
                feed(
                    Some(FeedFailure::ConnectTimeout { seconds: 5 }),
                    Some(FeedFailure::HttpStatus { code: 410 }),
                ),
                Lang::Zh,
            );
            assert!(
                zh.contains("已停用") && zh.contains("该新闻源已被永久移除（HTTP 410）"),
                "{zh}"
            );
            assert!(zh.contains("5 秒内未能建立连接"), "{zh}");
        }

        #[test]
        fn an_old_free_text_reason_is_shown_as_escaped_detail() {
            let old = FeedFailure::Other("HTTP status: @everyone [x](https://evil.example) 404".into());
            for lang in [Lang::Zh, Lang::En] {
                let list = list_text(&[listed("Old", old.clone())], lang);
                assert!(list.contains("HTTP status\\: \\@everyone \\[x\\]"), "{list}");
                assert_eq!(unescaped_ats(&list), 0, "{list}");
                let health = health_text(feed(Some(old.clone()), Some(old.clone())), lang);
                assert!(health.contains("\\@everyone"), "{health}");
                assert_eq!(unescaped_ats(&health), 0, "{health}");
            }
        }

        #[test]
        fn a_parsers_message_is_escaped_and_pings_no_one() {
            let failure = FeedFailure::NotAFeed {
                detail: "<@&123> @here `code` **bold**".into(),
            };
            let zh = health_text(feed(Some(failure.clone()), None), Lang::Zh);
            assert!(zh.contains("不是新闻源（"), "{zh}");
            assert_eq!(unescaped_ats(&zh), 0, "{zh}");
            assert!(zh.contains("\\<\\@&123\\>") && zh.contains("\\*\\*bold\\*\\*"), "{zh}");
            let notice = feed_notice_text(&FeedNotice {
                channel: ChannelId(2),
                lang: Lang::Zh,
                feed_name: "@everyone".into(),
                reason: failure,
            });
            assert!(
                notice.contains("持续失败，已停用") && notice.contains("不是新闻源"),
                "{notice}"
            );
            assert_eq!(unescaped_ats(&notice), 0, "{notice}");
        }

        #[test]
        fn digest_status_in_chinese_tells_a_broken_delivery_in_chinese() {
            let zh = status_text(DeliveryFailure::MissingPermissions, Lang::Zh);
            assert!(
                zh.contains("已停止") && zh.contains("机器人在该频道缺少所需权限"),
                "{zh}"
            );
            let zh = status_text(DeliveryFailure::UnknownChannel, Lang::Zh);
            assert!(zh.contains("该频道已不存在"), "{zh}");
            let en = status_text(DeliveryFailure::MissingPermissions, Lang::En);
            assert!(en.contains("the bot lacks a permission it needs"), "{en}");

            // Discord's own message and an older version's text are detail, escaped.
            let refused = DeliveryFailure::Refused {
                status: 403,
                code: Some(50_007),
                message: "Cannot send @everyone".into(),
            };
            let zh = status_text(refused, Lang::Zh);
            assert!(
                zh.contains("Discord 拒绝了这条帖子（HTTP 403") && zh.contains("\\@everyone"),
                "{zh}"
            );
            assert_eq!(unescaped_ats(&zh), 0, "{zh}");
            let old = "Discord answered 403 when posting: the channel is gone";
            let zh = status_text(DeliveryFailure::Other(old.into()), Lang::Zh);
            assert!(
                zh.contains("Discord answered 403 when posting\\: the channel is gone"),
                "{zh}"
            );
        }

        #[test]
        fn a_refusal_quotes_the_reason_in_the_readers_language() {
            use crate::message::{msg, reasons};
            let refusal = msg!(
                "digest-could-not-post",
                reason = reasons::delivery_failure(&DeliveryFailure::Refused {
                    status: 404,
                    code: None,
                    message: "@here".into(),
                })
            );
            let zh = message_text(Lang::Zh.into(), &refusal);
            assert!(
                zh.starts_with("无法发布：Discord 拒绝了这条帖子（HTTP 404：\\@here）"),
                "{zh}"
            );
            let en = message_text(Lang::En.into(), &refusal);
            assert!(
                en.starts_with("Could not post: Discord refused the post (HTTP 404: \\@here)"),
                "{en}"
            );
        }
    }
}
