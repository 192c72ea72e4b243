//! What the services hand to the renderers: one plain type for each thing a person is shown (a
//! post, a tally, a status, a feed's health), drawn by `render` for Discord, the terminal and the
//! web alike.

use chrono::{DateTime, Utc};

use crate::claims::{Claim, Resolution};
use crate::digest::Digest;
use crate::filter::FeedFilter;
use crate::ids::{ChannelId, RoleId};
use crate::lang::Lang;
use crate::news::{FeedLink, Found, Located, ParsedFeed};
use crate::records::{FeedFailure, FeedRecord, GuildSettings, Post, VoteChange};
use crate::stats::RoundTally;
use crate::votes::Tally;

/// What `/digest status` shows.
#[derive(Debug, Clone)]
pub struct DigestStatus {
    pub settings: GuildSettings,
    pub feeds: usize,
    pub last: Option<Post>,
    /// When the next post is due, when the digest is set up and running.
    pub next: Option<DateTime<Utc>>,
    /// The next three post times (on the server's post days), when running.
    pub upcoming: Vec<DateTime<Utc>>,
}

/// One claim posted in a recap's week, with its split.
#[derive(Debug, Clone)]
pub struct RecapClaim {
    pub claim: Claim,
    pub round: u32,
    pub date: chrono::NaiveDate,
    pub question: crate::votes::Question,
    pub tally: Tally,
}

/// What a weekly recap shows: the week's claims with their splits, the biggest change of
/// opinion, the most disputed claim, predictions falling due in the next 30 days and the week's
/// most active members (those who have not hidden themselves).
#[derive(Debug, Clone)]
pub struct WeeklyRecap {
    pub week: crate::schedule::RecapWeek,
    pub lang: Lang,
    pub claims: Vec<RecapClaim>,
    /// A claim of the week whose agreement moved most from its first round to this week's, in
    /// percentage points (signed).
    pub biggest_change: Option<(Claim, f64)>,
    /// The week's claim whose agree and disagree votes were closest to even.
    pub most_disputed: Option<RecapClaim>,
    /// Unresolved predictions whose deadline falls in the 30 days from the recap's date.
    pub due_soon: Vec<Claim>,
    /// Members by votes cast on the week's posts, most first (at most five).
    pub most_active: Vec<(crate::ids::UserId, u32)>,
    /// Stories members brought to the evidence ledgers during the week.
    pub evidence_added: u32,
}

/// Today's claim in a server: the one today's post carries (or is being sent with), else the
/// one the rotation will post next.
#[derive(Debug, Clone)]
pub struct TodaysClaim {
    pub claim: Claim,
    /// Today's post, when one is reserved or sent.
    pub post: Option<Post>,
    /// When today's post is due; on a day off, when the next post day's is.
    pub due: DateTime<Utc>,
    /// Today is not one of the server's post days.
    pub day_off: bool,
}

/// What a post needs to be drawn on Discord.
pub struct PostView<'a> {
    pub post: &'a Post,
    pub digest: &'a Digest,
    pub lang: Lang,
    pub tally: &'a Tally,
    pub thread: bool,
    /// The role the post mentions (the server's choice), and no one else.
    pub ping: Option<RoleId>,
    /// The claim's public tally page, when the server's site is on.
    pub page: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PostResult {
    Posted(Post),
    AlreadyPosted(Post),
}

#[derive(Debug, Clone)]
pub struct VoteReceipt {
    pub post: Post,
    pub change: VoteChange,
    pub tally: Tally,
}

/// A claim's tally in one server, round by round.
#[derive(Debug, Clone)]
pub struct ClaimRounds {
    pub rounds: Vec<RoundTally>,
    /// False when the member has not voted in the claim's latest round: earlier rounds are then
    /// withheld, so that they do not anchor the member's vote.
    pub earlier_rounds_visible: bool,
    pub resolution: Option<Resolution>,
    /// The claim's public tally page, when the server's site is on.
    pub page: Option<String>,
    /// The question the latest round asked (a stance before any round).
    pub latest_question: crate::votes::Question,
}

impl ClaimRounds {
    pub fn latest(&self) -> Option<&RoundTally> {
        self.rounds.last()
    }

    /// Rounds the member may see: all of them, or only the latest.
    pub fn visible(&self) -> &[RoundTally] {
        match (self.earlier_rounds_visible, self.rounds.len()) {
            (true, _) | (false, 0) => &self.rounds,
            (false, n) => &self.rounds[n - 1..],
        }
    }

    /// The running total over all rounds.
    pub fn total(&self) -> Tally {
        Tally::from_counts(
            self.rounds
                .iter()
                .flat_map(|r| r.tally.counts.iter().map(|(c, n)| (*c, *n))),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    pub votes: u32,
    pub current_streak: u32,
    pub longest_streak: u32,
    /// (sided with the majority, posts that had one).
    pub with_majority: (u32, u32),
    pub hidden: bool,
    /// How the member's stances on resolved predictions turned out.
    pub calls: crate::evidence::Calls,
}

/// `/claim show`: a claim's rounds and the strongest evidence on each side of its ledger.
#[derive(Debug, Clone)]
pub struct ClaimShow {
    pub rounds: ClaimRounds,
    pub supporting: Vec<crate::evidence::Entry>,
    pub contradicting: Vec<crate::evidence::Entry>,
}

/// One feed of a server as `/feeds list` shows it.
#[derive(Debug, Clone)]
pub struct ListedFeed {
    pub name: String,
    pub feed: FeedRecord,
    pub filter: Option<FeedFilter>,
}

/// One feed of a server as `/feeds status` shows it.
#[derive(Debug, Clone)]
pub struct FeedHealth {
    pub name: String,
    pub feed: FeedRecord,
    /// Items of the news window from this feed.
    pub items_in_window: u64,
}

/// What fetching a URL once, without adding it, found.
pub type FeedProbe = Result<Located, LocateFailure>;

/// Why no feed was found at an address a moderator gave (`/feeds add`, `/feeds test`, `feed
/// check`). Told at once, never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocateFailure {
    /// Reading the address failed, or what it holds is not a feed.
    Feed(crate::records::FeedFailure),
    /// The server answered a plain request with 304 Not Modified.
    NotModified,
    /// A web page that names no feed, and none of the usual feed paths on its site is one.
    NoFeedOnPage,
    /// The page names a feed at `url`, which cannot be read.
    LinkedNotUsable {
        url: String,
        why: crate::records::FeedFailure,
    },
}

/// What `/feeds add` came to.
#[derive(Debug, Clone)]
pub enum FeedAddition {
    Added {
        feed: Box<FeedRecord>,
        parsed: ParsedFeed,
        found: Found,
    },
    /// The page given names several feeds; nothing was added.
    Choose { page: String, links: Vec<FeedLink> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    Stored {
        title: Option<String>,
        items: usize,
        new: usize,
    },
    NotModified,
    /// Not fetched: the feed's host already had its share of requests (FEED_HOST_RATE); the
    /// feed is held until then, without counting as a failure.
    Deferred {
        until: DateTime<Utc>,
    },
    Failed(FeedFailure),
    /// This failure disabled the feed; the reason is stored and shown to moderators.
    Disabled(FeedFailure),
}

/// A feed that was disabled, to be told to one server.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedNotice {
    pub channel: ChannelId,
    pub lang: Lang,
    pub feed_name: String,
    pub reason: FeedFailure,
}
