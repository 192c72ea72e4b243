//! Server set-up and feed lists, as moderators change them.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::{FeedId, GuildId};
use crate::domain::lang::Lang;
use crate::domain::text::{plain_text, truncate_chars};
use crate::error::{Error, UserError};
use crate::feeds::{FeedSource, ParsedFeed};
use crate::store::{AddFeed, FeedRecord, FetchRecord, GuildSettings};

impl App {
    /// The server's settings, created with the default feed list on first use.
    pub async fn guild(&self, id: GuildId, locale: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<GuildSettings> {
        let lang = locale.map(Lang::from_locale).unwrap_or_default();
        self.store.ensure_guild(id, lang, &self.catalog.feeds, now).await
    }

    /// Checks that `url` is a feed that parses, then adds it to the server's list.
    pub async fn add_feed(
        &self,
        guild: GuildId,
        url: &str,
        name: Option<&str>,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<(FeedRecord, ParsedFeed), Error> {
        let max = self.config.feeds_per_server;
        // Checked before fetching too, so a full list costs the feed's host nothing.
        if self.store.guild_feed_ids(guild).await?.len() >= max as usize {
            return Err(UserError::new(crate::render::feeds::list_full(lang, max)).into());
        }
        let parsed_url = FeedSource::parse_remote(url).map_err(|e| UserError::new(e.to_string()))?;
        let source = FeedSource::Http(parsed_url);
        let parsed = match self.probe_feed(&source, now).await? {
            Ok(parsed) => parsed,
            Err(why) => {
                return Err(UserError::new(match lang {
                    Lang::Zh => format!("无法添加：{why}"),
                    Lang::En => format!("Not added: {why}"),
                })
                .into())
            }
        };
        let feed = self.store.upsert_feed(&source.url()).await?;
        let name = name
            .map(plain_text)
            .filter(|n| !n.is_empty())
            .or_else(|| parsed.title.clone())
            .unwrap_or_else(|| feed.url.clone());
        let name = truncate_chars(&name, 100);
        match self.store.add_guild_feed_capped(guild, feed.id, &name, max).await? {
            AddFeed::Added => {}
            AddFeed::Full => return Err(UserError::new(crate::render::feeds::list_full(lang, max)).into()),
            AddFeed::AlreadyThere => {
                return Err(UserError::new(match lang {
                    Lang::Zh => "这个订阅源已经在列表里了。",
                    Lang::En => "That feed is already on this server's list.",
                })
                .into())
            }
        }
        self.store.insert_items(feed.id, &parsed.items).await?;
        let next = now + chrono::Duration::from_std(self.config.feed_poll_interval).map_err(anyhow::Error::from)?;
        let record = FetchRecord::Success {
            title: parsed.title.clone(),
            validators: Default::default(),
            next_attempt_at: next,
        };
        self.store.record_fetch(feed.id, now, &record).await?;
        let feed = self.store.feed(feed.id).await?.unwrap_or(feed);
        Ok((feed, parsed))
    }

    pub async fn remove_feed(&self, guild: GuildId, feed: FeedId, lang: Lang) -> Result<String, Error> {
        let name = self
            .store
            .guild_feeds(guild)
            .await?
            .into_iter()
            .find(|(_, f)| f.id == feed)
            .map(|(n, _)| n);
        match name {
            Some(name) if self.store.remove_guild_feed(guild, feed).await? => Ok(name),
            _ => Err(UserError::new(match lang {
                Lang::Zh => "这个服务器的列表里没有这个订阅源。",
                Lang::En => "That feed is not on this server's list.",
            })
            .into()),
        }
    }
}
