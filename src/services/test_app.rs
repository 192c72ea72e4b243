//! For the services' own tests: the app over the shipped claims and an in-memory store, with
//! one English server (42) posting to channel 7.

use chrono::{NaiveTime, Utc};

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::domain::digest::NewsCount;
use crate::domain::ids::{ChannelId, GuildId};
use crate::domain::lang::Lang;
use crate::domain::schedule::parse_timezone;
use crate::feeds::FeedCatalog;
use crate::services::App;
use crate::store::{GuildSettings, GuildUpdate, Store};

pub const GUILD: GuildId = GuildId(42);
pub const CHANNEL: ChannelId = ChannelId(7);

/// The app with `config`, no server set up yet.
pub async fn app(config: Config) -> App {
    let claims = ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
    App::new(
        config,
        claims,
        FeedCatalog::default(),
        Store::in_memory().await.unwrap(),
    )
    .unwrap()
}

/// The server posts at `time` (`HH:MM`) in time zone `tz`.
pub async fn app_with_guild(tz: &str, time: &str) -> (App, GuildSettings) {
    let app = app(Config::from_lookup(|_| None).unwrap()).await;
    app.store.ensure_guild(GUILD, Lang::En, &[], Utc::now()).await.unwrap();
    let update = GuildUpdate {
        channel: CHANNEL,
        post_time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
        timezone: parse_timezone(tz).unwrap(),
        language: Lang::En,
        news_count: NewsCount::default(),
        thread: false,
        moderator_role: None,
        ping_role: None,
        post_days: None,
        recap_day: None,
    };
    let settings = app.store.setup_guild(GUILD, &update).await.unwrap();
    (app, settings)
}
