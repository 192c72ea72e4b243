//! The public tally site on 127.0.0.1 over an in-memory store, with one Discord server set up to
//! post daily, for the web and browser tests to seed and then read over HTTP.

use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use tokio::net::TcpListener;

use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::digest::NewsCount;
use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, PostId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::schedule::parse_timezone;
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::feeds::FeedCatalog;
use claim_digest::services::App;
use claim_digest::store::{GuildUpdate, NewPost, Reservation, Store, VoteSource};

pub struct Site {
    pub app: App,
    pub store: Store,
    /// The site's address, ending in `/`.
    pub base: String,
    pub claims: ClaimSet,
    pub guild: GuildId,
    pub now: DateTime<Utc>,
    listener: TcpListener,
}

/// One post to seed: which claim, which round, on which day, what was asked.
pub struct Seed<'a> {
    pub claim: &'a str,
    pub round: u32,
    pub date: NaiveDate,
    pub question: Question,
    pub message: u64,
}

impl Site {
    /// `guild` set up in `lang` (posting to channel 1 at 09:00 UTC) over the claims in
    /// `claims_file`, each client allowed `rate` requests a second (WEB_RATE_LIMIT). Nothing is
    /// served until [`Site::serve`].
    pub async fn new(guild: GuildId, lang: Lang, claims_file: &Path, rate: &str) -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/", listener.local_addr().unwrap());
        let env = [("PUBLIC_URL", base.clone()), ("WEB_RATE_LIMIT", rate.to_string())];
        let config = Config::from_lookup(|k| env.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone())).unwrap();
        let claims = ClaimSet::load(claims_file).unwrap();
        let store = Store::in_memory().await.unwrap();
        let app = App::new(config, claims.clone(), FeedCatalog::default(), store.clone()).unwrap();
        let now = Utc::now();
        store.ensure_guild(guild, lang, &[], now).await.unwrap();
        store
            .setup_guild(
                guild,
                &GuildUpdate {
                    channel: ChannelId(1),
                    post_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                    timezone: parse_timezone("UTC").unwrap(),
                    language: lang,
                    news_count: NewsCount::default(),
                    thread: false,
                    moderator_role: None,
                    ping_role: None,
                    post_days: None,
                    recap_day: None,
                },
            )
            .await
            .unwrap();
        Site {
            app,
            store,
            base,
            claims,
            guild,
            now,
            listener,
        }
    }

    /// A post sent to channel 1 as message `seed.message`, with each member's vote on it.
    pub async fn post(&self, seed: Seed<'_>, votes: &[(UserId, Choice)]) -> PostId {
        let new = NewPost {
            guild: self.guild,
            local_date: seed.date,
            claim_id: seed.claim.into(),
            round: seed.round,
            question: seed.question,
            channel: ChannelId(1),
            nonce: format!("{}-{}", seed.claim, seed.round),
        };
        let Reservation::Reserved(post) = self.store.reserve_post(&new, self.now).await.unwrap() else {
            panic!("{} round {} reserved", seed.claim, seed.round)
        };
        self.store
            .mark_post_sent(post.id, MessageId(seed.message), self.now)
            .await
            .unwrap();
        for (user, choice) in votes {
            self.store
                .cast_vote(post.id, *user, *choice, VoteSource::Button, self.now)
                .await
                .unwrap();
        }
        post.id
    }

    /// Serves the site until the test ends.
    pub fn serve(self) -> (App, Store, String, ClaimSet) {
        self.serve_with(claim_digest::web::ConnectionLimits::default())
    }

    /// Serves the site until the test ends, holding connections to `limits`.
    pub fn serve_with(self, limits: claim_digest::web::ConnectionLimits) -> (App, Store, String, ClaimSet) {
        let served = self.app.clone();
        let listener = self.listener;
        tokio::spawn(async move { claim_digest::web::serve_with(listener, served, limits).await.unwrap() });
        (self.app, self.store, self.base, self.claims)
    }
}
