//! What the bot keeps about servers, posts, feeds and votes, as the store hands it out and the
//! services and renderers read it: plain data, no database types.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use crate::digest::NewsCount;
use crate::ids::{ChannelId, ClaimId, FeedId, GuildId, MessageId, PostId, RoleId};
use crate::lang::Lang;
use crate::schedule::Weekdays;
use crate::votes::{Choice, Question};

/// A server's settings, as moderators set them with `/digest setup`.
#[derive(Debug, Clone, PartialEq)]
pub struct GuildSettings {
    pub id: GuildId,
    pub channel: Option<ChannelId>,
    pub post_time: NaiveTime,
    pub timezone: chrono_tz::Tz,
    pub language: Lang,
    pub news_count: NewsCount,
    pub thread: bool,
    pub moderator_role: Option<RoleId>,
    /// The role the daily post mentions, if moderators chose one.
    pub ping_role: Option<RoleId>,
    /// The weekdays the daily post goes out on (in the server's time zone); every day by default.
    pub post_days: Weekdays,
    /// The weekday of the weekly recap (at the post time), when the server opted in.
    pub recap_day: Option<chrono::Weekday>,
    pub paused: bool,
    /// Set when posting failed in a way retrying will not fix (channel gone, access removed).
    pub broken_reason: Option<String>,
}

/// Whether a member moderates the digest in a server: Manage Server (or Administrator) in the
/// server, or the moderator role its moderators chose.
pub fn moderates(manages_server: bool, roles: &[RoleId], moderator_role: Option<RoleId>) -> bool {
    manages_server || moderator_role.is_some_and(|role| roles.contains(&role))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostStatus {
    /// The day's post is claimed in the database; the message may not be on Discord yet.
    Reserved,
    Sent,
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: PostId,
    pub guild: GuildId,
    pub local_date: NaiveDate,
    pub claim_id: ClaimId,
    pub round: u32,
    pub question: Question,
    pub channel: ChannelId,
    pub message: Option<MessageId>,
    /// Sent with the message so that a retried send cannot appear twice.
    pub nonce: String,
    pub status: PostStatus,
    pub error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A server's weekly recap: one row per server and ISO week (UNIQUE), reserved before sending
/// as the daily post is, so that it goes out once through restarts.
#[derive(Debug, Clone, PartialEq)]
pub struct RecapRecord {
    pub id: i64,
    pub guild: GuildId,
    /// The ISO week of the recap's local date, e.g. `2026-W49`.
    pub week: String,
    pub local_date: NaiveDate,
    pub channel: ChannelId,
    pub message: Option<MessageId>,
    pub nonce: String,
    pub status: PostStatus,
}

/// Validators from an earlier fetch, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedRecord {
    pub id: FeedId,
    pub url: String,
    pub title: Option<String>,
    pub validators: Validators,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

/// What a vote changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteChange {
    pub previous: Option<Choice>,
    pub current: Option<Choice>,
}
