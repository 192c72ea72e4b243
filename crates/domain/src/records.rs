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
    pub broken_reason: Option<DeliveryFailure>,
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
    pub last_error: Option<FeedFailure>,
    pub failures: u32,
    pub failing_since: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<FeedFailure>,
}

/// Why a feed could not be fetched or read: what is stored as its last error and as the reason
/// it was disabled, and put into words in each reader's language. Text fields hold foreign text
/// (a parser's or the network library's English, an address), shown as escaped detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedFailure {
    /// The server answered with an error status (404, 410, 500, ...).
    HttpStatus {
        code: u16,
    },
    /// No connection within FEED_CONNECT_TIMEOUT_SECS.
    ConnectTimeout {
        seconds: u64,
    },
    /// No complete answer within FEED_REQUEST_TIMEOUT_SECS.
    Timeout {
        seconds: u64,
    },
    /// The host answered, but nothing listens there (connection refused).
    ConnectionRefused,
    /// No connection for another reason (name not found, TLS, reset).
    ConnectFailed {
        detail: String,
    },
    /// The connection failed during the exchange.
    Network {
        detail: String,
    },
    TooManyRedirects {
        limit: u32,
    },
    /// Larger than FEED_MAX_BYTES once decompressed.
    TooLarge {
        limit_bytes: u64,
    },
    /// The address (or the one a name resolves to) is one the bot does not fetch. `always`: a
    /// link-local or metadata address, never opened; otherwise a private one an operator may open.
    RefusedAddress {
        address: String,
        always: bool,
    },
    /// The address given or redirected to is not a usable URL.
    BadAddress(AddressProblem),
    UnsupportedScheme {
        scheme: String,
    },
    /// The host had its share of requests (FEED_HOST_RATE); next turn in `seconds`.
    HostBusy {
        seconds: u64,
    },
    /// A local file (the command line's) could not be read.
    File {
        detail: String,
    },
    /// The document is not a feed; `detail` is the parser's message.
    NotAFeed {
        detail: String,
    },
    /// The parser failed on the document (contained); `detail` is its message.
    ParserCrashed {
        detail: String,
    },
    /// A reason stored as free text by an older version, or in an encoding this one does not
    /// know: shown as it is, as detail.
    Other(String),
}

/// What is wrong with an address that is not a usable web address, so that the reply can say
/// what to change rather than only that it failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressProblem {
    /// Nothing was given.
    Empty,
    /// No `https://` or `http://` at the start. `suggestion`: the address with `https://` put
    /// before it, when that reads as a web address with a dotted host name.
    NoScheme { suggestion: Option<String> },
    /// No host between `://` and the path.
    NoHost,
    /// The host is neither a valid name nor a valid IP address.
    BadHost,
    /// The port is not a number from 0 to 65535.
    BadPort,
    /// A server redirected to `location`, which is not an address.
    BadRedirect { location: String },
    /// Anything else, and what older versions stored without saying.
    Unreadable,
}

/// Why a server's post could not be delivered in a way retrying will not fix: what stops its
/// schedule until `/digest setup` is run again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryFailure {
    /// Discord 403, code 50013: the bot lacks a permission it needs in the channel.
    MissingPermissions,
    /// Discord 403, code 50001: the bot cannot see the channel.
    MissingAccess,
    /// Discord 404, code 10003: the channel was deleted.
    UnknownChannel,
    /// Another refusal: Discord's HTTP status, its error code if it gave one, and its message
    /// (Discord's English, shown as detail).
    Refused {
        status: u16,
        code: Option<u32>,
        message: String,
    },
    /// A reason stored as free text by an older version, or in an unknown encoding.
    Other(String),
}

/// For logs only: English, never shown to a person.
impl std::fmt::Display for FeedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedFailure::HttpStatus { code } => write!(f, "the server answered HTTP {code}"),
            FeedFailure::ConnectTimeout { seconds } => write!(f, "could not connect within {seconds} s"),
            FeedFailure::Timeout { seconds } => write!(f, "no complete answer within {seconds} s"),
            FeedFailure::ConnectionRefused => f.write_str("connection refused"),
            FeedFailure::ConnectFailed { detail } => write!(f, "could not connect: {detail}"),
            FeedFailure::Network { detail } => write!(f, "network error: {detail}"),
            FeedFailure::TooManyRedirects { limit } => write!(f, "more than {limit} redirects"),
            FeedFailure::TooLarge { limit_bytes } => write!(f, "larger than {limit_bytes} bytes"),
            FeedFailure::RefusedAddress { address, always } => {
                write!(f, "refused address {address} (always: {always})")
            }
            FeedFailure::BadAddress(problem) => write!(f, "invalid feed address: {problem}"),
            FeedFailure::UnsupportedScheme { scheme } => write!(f, "unsupported scheme `{scheme}`"),
            FeedFailure::HostBusy { seconds } => write!(f, "host busy for {seconds} s"),
            FeedFailure::File { detail } => write!(f, "cannot read file: {detail}"),
            FeedFailure::NotAFeed { detail } => write!(f, "not a feed: {detail}"),
            FeedFailure::ParserCrashed { detail } => write!(f, "the parser failed: {detail}"),
            FeedFailure::Other(text) => f.write_str(text),
        }
    }
}

/// For logs only: English, never shown to a person.
impl std::fmt::Display for AddressProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AddressProblem::Empty => f.write_str("empty input"),
            AddressProblem::NoScheme { .. } => f.write_str("no http:// or https:// at the start"),
            AddressProblem::NoHost => f.write_str("no host"),
            AddressProblem::BadHost => f.write_str("not a valid host name or IP address"),
            AddressProblem::BadPort => f.write_str("not a valid port"),
            AddressProblem::BadRedirect { location } => write!(f, "a redirect to `{location}`"),
            AddressProblem::Unreadable => f.write_str("not a URL"),
        }
    }
}

/// For logs only: English, never shown to a person.
impl std::fmt::Display for DeliveryFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryFailure::MissingPermissions => f.write_str("Discord answered 403 Missing Permissions"),
            DeliveryFailure::MissingAccess => f.write_str("Discord answered 403 Missing Access"),
            DeliveryFailure::UnknownChannel => f.write_str("Discord answered 404 Unknown Channel"),
            DeliveryFailure::Refused { status, code, message } => match code {
                Some(code) => write!(f, "Discord answered {status} (code {code}): {message}"),
                None => write!(f, "Discord answered {status}: {message}"),
            },
            DeliveryFailure::Other(text) => f.write_str(text),
        }
    }
}

impl DeliveryFailure {
    /// What a refusal of Discord's (HTTP `status`, its JSON error `code` and `message`) says
    /// about the channel.
    pub fn from_discord(status: u16, code: Option<u32>, message: &str) -> DeliveryFailure {
        match (status, code) {
            (403, Some(50013)) => DeliveryFailure::MissingPermissions,
            (403, Some(50001)) => DeliveryFailure::MissingAccess,
            (404, Some(10003)) => DeliveryFailure::UnknownChannel,
            _ => DeliveryFailure::Refused {
                status,
                code,
                message: crate::text::truncate_chars(message, 200),
            },
        }
    }
}

/// What a vote changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoteChange {
    pub previous: Option<Choice>,
    pub current: Option<Choice>,
}
