//! Server set-up and feed lists, as moderators change them.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::filter::{parse_terms, FeedFilter, FilterError};
use crate::domain::ids::{FeedId, GuildId};
use crate::domain::lang::Lang;
use crate::domain::text::{plain_text, truncate_chars};
pub use crate::domain::views::{FeedAddition, FeedHealth, FeedProbe, ListedFeed};
use crate::error::{Error, UserError};
use crate::feeds::discover::Located;
use crate::feeds::FeedSource;
use crate::message::{msg, reasons, Arg};
use crate::store::{AddFeed, FeedRecord, FetchRecord, GuildSettings};

impl App {
    /// The server's settings, created with the default feed list on first use.
    pub async fn guild(&self, id: GuildId, locale: Option<&str>, now: DateTime<Utc>) -> anyhow::Result<GuildSettings> {
        let lang = locale.map(Lang::from_locale).unwrap_or_default();
        self.store
            .ensure_guild_with(id, lang, self.config.news_count, &self.catalog.feeds, now)
            .await
    }

    /// The language a server chose for its posts, if the server is known.
    pub async fn server_language(&self, id: GuildId) -> anyhow::Result<Option<Lang>> {
        Ok(self.store.guild(id).await?.map(|g| g.language))
    }

    /// Checks that `url` is a feed that parses, or a page naming one, then adds that feed to the
    /// server's list. A page naming several is answered with them, for the moderator to choose.
    pub async fn add_feed(
        &self,
        guild: GuildId,
        url: &str,
        name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<FeedAddition, Error> {
        let max = self.config.feeds_per_server;
        // Checked before fetching too, so a full list costs the feed's host nothing.
        if self.store.guild_feed_ids(guild).await?.len() >= max as usize {
            return Err(msg!("feeds-list-full", max = max).into());
        }
        let parsed_url = FeedSource::parse_remote(url)
            .map_err(|e| UserError::new(msg!("feeds-not-added", reason = reasons::feed_failure(&e.failure()))))?;
        let (feed_url, parsed, found) = match self.locate_feed(&FeedSource::Http(parsed_url), now).await {
            Ok(Located::Feed { url, feed, found }) => (url, feed, found),
            Ok(Located::Several { page, links }) => return Ok(FeedAddition::Choose { page, links }),
            Err(why) => return Err(msg!("feeds-not-added", reason = reasons::locate_failure(&why.failure())).into()),
        };
        let feed = self.store.upsert_feed(&feed_url).await?;
        let name = name
            .map(plain_text)
            .filter(|n| !n.is_empty())
            .or_else(|| parsed.title.clone())
            // Not the whole URL, which may hold a private feed's token and is shown in channels.
            .or_else(|| {
                url::Url::parse(&feed.url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
            })
            .unwrap_or_else(|| feed.url.clone());
        let name = truncate_chars(&name, 100);
        match self.store.add_guild_feed_capped(guild, feed.id, &name, max).await? {
            AddFeed::Added => {}
            AddFeed::Full => return Err(msg!("feeds-list-full", max = max).into()),
            AddFeed::AlreadyThere => return Err(msg!("feeds-already-listed").into()),
        }
        // The items and the fetch's record in one transaction. Should it fail, the feed is
        // listed but unfetched, which the poller treats as due: its items come with the next poll.
        let next = now + chrono::Duration::from_std(self.config.feed_poll_interval).map_err(anyhow::Error::from)?;
        let record = FetchRecord::Success {
            title: parsed.title.clone(),
            validators: Default::default(),
            next_attempt_at: next,
        };
        self.store
            .store_fetched_items(feed.id, &parsed.items, now, &record)
            .await?;
        let feed = self.store.feed(feed.id).await?.unwrap_or(feed);
        Ok(FeedAddition::Added {
            feed: Box::new(feed),
            parsed,
            found,
        })
    }

    /// `/feeds filter`: sets the server's word filter on one of its feeds, replacing the lists
    /// given and keeping the other; `clear` removes both. Returns the filter now in force.
    pub async fn set_feed_filter(
        &self,
        guild: GuildId,
        feed: FeedId,
        change: FilterChange<'_>,
    ) -> Result<(String, FeedFilter), Error> {
        let (name, _) = self.guild_feed(guild, feed).await?;
        let selection = self.store.guild_feed_selection(guild).await?;
        if !selection.feeds.contains(&feed) {
            return Err(msg!("feeds-not-listed").into());
        }
        let current = selection.filters.get(&feed).cloned().unwrap_or_default();
        let filter = match change {
            FilterChange::Show => return Ok((name, current)),
            FilterChange::Clear => FeedFilter::default(),
            FilterChange::Set { include, exclude } => {
                // A list given with no word in it (only commas, say) is a mistake, not a request
                // to empty the list: `clear:` does that.
                for given in [include, exclude].into_iter().flatten() {
                    if parse_terms(given).is_empty() {
                        return Err(msg!(
                            "feeds-filter-no-words",
                            input = Arg::untrusted(truncate_chars(given, 80))
                        )
                        .into());
                    }
                }
                let terms = |given: Option<&str>, kept: &[String]| given.map_or_else(|| kept.to_vec(), parse_terms);
                FeedFilter::new(terms(include, current.include()), terms(exclude, current.exclude())).map_err(|e| {
                    match e {
                        FilterError::TooMany { max } => msg!("feeds-filter-too-many", max = max),
                        FilterError::TooLong { term, max } => {
                            msg!(
                                "feeds-filter-too-long",
                                term = Arg::untrusted(truncate_chars(&term, 80)),
                                max = max
                            )
                        }
                    }
                })?
            }
        };
        if !self.store.set_feed_filter(guild, feed, &filter).await? {
            return Err(msg!("feeds-not-listed").into());
        }
        Ok((name, filter))
    }

    pub async fn remove_feed(&self, guild: GuildId, feed: FeedId) -> Result<String, Error> {
        let (name, _) = self.guild_feed(guild, feed).await?;
        if !self.store.remove_guild_feed(guild, feed).await? {
            return Err(msg!("feeds-not-listed").into());
        }
        Ok(name)
    }

    /// One of the server's feeds, by the id a moderator picked, with its name there. A feed of
    /// another server is refused as unknown, as a feed that does not exist is.
    async fn guild_feed(&self, guild: GuildId, feed: FeedId) -> Result<(String, FeedRecord), Error> {
        self.store
            .guild_feeds(guild)
            .await?
            .into_iter()
            .find(|(_, f)| f.id == feed)
            .ok_or_else(|| msg!("feeds-unknown").into())
    }
}

/// What `/feeds filter` was asked to do.
#[derive(Debug, Clone, Copy)]
pub enum FilterChange<'a> {
    Show,
    Clear,
    /// Replace the lists given (comma-separated words or phrases), keep the others.
    Set {
        include: Option<&'a str>,
        exclude: Option<&'a str>,
    },
}

impl App {
    /// The server's feeds with the names it gave them.
    pub async fn guild_feeds(&self, guild: GuildId) -> anyhow::Result<Vec<(String, FeedRecord)>> {
        self.store.guild_feeds(guild).await
    }

    /// `/feeds list`: the server's feeds, each with its word filter when it has one.
    pub async fn feed_list(&self, guild: GuildId) -> anyhow::Result<Vec<ListedFeed>> {
        let mut filters = self.store.guild_feed_selection(guild).await?.filters;
        Ok(self
            .store
            .guild_feeds(guild)
            .await?
            .into_iter()
            .map(|(name, feed)| ListedFeed {
                filter: filters.remove(&feed.id),
                name,
                feed,
            })
            .collect())
    }

    /// Each of the server's feeds with its health and what it holds in the news window.
    pub async fn feed_health(&self, guild: GuildId, now: DateTime<Utc>) -> anyhow::Result<Vec<FeedHealth>> {
        let since = now - chrono::Duration::days(i64::from(self.config.news_window_days));
        let mut out = Vec::new();
        for (name, feed) in self.store.guild_feeds(guild).await? {
            let items_in_window = self.store.count_items_since(feed.id, since).await?;
            out.push(FeedHealth {
                name,
                feed,
                items_in_window,
            });
        }
        Ok(out)
    }

    /// Lifts a feed's disabled state and fetches it at once.
    pub async fn enable_feed(
        &self,
        guild: GuildId,
        feed: FeedId,
        now: DateTime<Utc>,
    ) -> Result<(String, super::ingest::IngestReport), Error> {
        let (name, record) = self.guild_feed(guild, feed).await?;
        self.store.enable_feed(feed).await?;
        let url = FeedSource::parse_remote(&record.url)
            .map_err(|e| UserError::new(msg!("feeds-not-added", reason = reasons::feed_failure(&e.failure()))))?;
        Ok((name, self.ingest(&FeedSource::Http(url), None, now).await?))
    }

    /// `/feeds test`: fetches and parses a URL (or finds the feed a page names) without adding it.
    pub async fn test_feed(&self, url: &str, now: DateTime<Utc>) -> Result<FeedProbe, Error> {
        let url = FeedSource::parse_remote(url)
            .map_err(|e| UserError::new(msg!("feeds-test-failed", reason = reasons::feed_failure(&e.failure()))))?;
        Ok(self
            .locate_feed(&FeedSource::Http(url), now)
            .await
            .map_err(|e| e.failure()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[tokio::test]
    async fn a_new_server_shows_news_count_items_until_it_chooses() {
        let config = Config::from_lookup(|k| (k == "NEWS_COUNT").then(|| "5".to_string())).unwrap();
        let app = crate::services::test_app::app(config).await;
        let settings = app.guild(GuildId(5), Some("en-US"), Utc::now()).await.unwrap();
        assert_eq!(settings.news_count.get(), 5);
    }

    #[tokio::test]
    async fn a_feed_of_another_server_cannot_be_removed_enabled_or_filtered_from_this_one() {
        let app = crate::services::test_app::app(Config::from_lookup(|_| None).unwrap()).await;
        let spec = |n: u32| crate::feeds::FeedSpec {
            name: format!("News {n}"),
            url: format!("https://news{n}.example/feed"),
            language: Some(crate::domain::lang::Lang::En),
        };
        let (ours, theirs) = (GuildId(1), GuildId(2));
        let lang = crate::domain::lang::Lang::En;
        app.store
            .ensure_guild(ours, lang, &[spec(1)], Utc::now())
            .await
            .unwrap();
        app.store
            .ensure_guild(theirs, lang, &[spec(2)], Utc::now())
            .await
            .unwrap();
        let their_feed = app.store.feed_by_url(&spec(2).url).await.unwrap().unwrap().id;
        let refused = |result: Result<(), Error>| match result {
            Err(Error::User(e)) => assert_eq!(e.0.id, "feeds-unknown", "{e}"),
            other => panic!("another server's feed must be unknown here: {other:?}"),
        };
        refused(app.remove_feed(ours, their_feed).await.map(drop));
        refused(app.enable_feed(ours, their_feed, Utc::now()).await.map(drop));
        refused(
            app.set_feed_filter(ours, their_feed, FilterChange::Clear)
                .await
                .map(drop),
        );
        // Nothing changed for the server that holds it.
        assert_eq!(app.guild_feeds(theirs).await.unwrap().len(), 1);
        let (name, filter) = app
            .set_feed_filter(theirs, their_feed, FilterChange::Show)
            .await
            .unwrap();
        assert_eq!((name.as_str(), filter), ("News 2", FeedFilter::default()));
        assert_eq!(app.remove_feed(theirs, their_feed).await.unwrap(), "News 2");
    }
}
