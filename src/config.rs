//! One typed configuration, read once at start from the environment (and `.env`). Every key is
//! listed in `.env.example`. Secrets are redacted in `Debug`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context as _};
use url::Url;

use crate::domain::digest::NewsCount;
use crate::domain::shards::ShardPlan;
use crate::feeds::guard::{AddressPolicy, IpNet};
use crate::feeds::FetchLimits;
use crate::render::fonts::FontFile;

/// A value that must never be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub discord_token: Option<Secret>,
    /// Base URL of a Discord-compatible API (tests point it at a fake on loopback).
    pub discord_api_url: Option<Url>,
    /// Register slash commands in this server only (instant updates while developing).
    pub dev_guild_id: Option<u64>,
    /// `sqlite://...` or `postgres://...`; secret because a PostgreSQL URL carries a password.
    pub database_url: Secret,
    /// Which gateway shards this process runs (SHARD_COUNT, SHARD_IDS).
    pub shards: ShardPlan,
    pub claims_file: PathBuf,
    pub feeds_file: PathBuf,
    pub news_window_days: u32,
    /// News items a post shows in a server that has not chosen (`/digest setup news:`).
    pub news_count: NewsCount,
    pub feed_poll_interval: Duration,
    /// A feed failing without a success for this long is disabled.
    pub feed_disable_after: Duration,
    /// How late a missed daily post may still go out after an outage; older ones are skipped.
    pub post_grace: Duration,
    /// How often the daily poster and the feed poller look for due work.
    pub scheduler_tick: Duration,
    pub fetch_limits: FetchLimits,
    /// Lift the refusal of private and loopback feed addresses (intranets, tests).
    pub feed_allow_private: bool,
    /// Open only these ranges (link-local and metadata addresses stay refused).
    pub feed_allow_networks: Vec<IpNet>,
    /// Feeds one server may hold.
    pub feeds_per_server: u32,
    /// Members whose off-topic marks withhold a story from a claim (one moderator's is enough).
    pub evidence_offtopic_min: u32,
    /// Stories one member may bring to the ledgers of a server in a day.
    pub evidence_add_per_day: u32,
    /// Requests a second to one host, at most (0: unlimited, for tests on one local server).
    pub feed_host_rate: f64,
    /// Where to serve /healthz and /metrics, if anywhere.
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Where to serve the public tally pages (`/digest web enable`), if anywhere.
    pub web_addr: Option<std::net::SocketAddr>,
    /// The address people reach those pages at (the reverse proxy's), for links in Discord;
    /// unset: `http://WEB_ADDR/`.
    pub public_url: Option<Url>,
    /// Page requests a second one client may make, on average (bursts of twice as many, at
    /// least 10).
    pub web_rate: f64,
    /// A font with Chinese glyphs for the charts (CHART_FONT: a .ttf, .otf or .ttc, `:N` after a
    /// collection's path for its face N); `None`: fontconfig's choice, else the usual Debian paths.
    pub chart_font: Option<FontFile>,
    /// Where the daily automatic backup goes (SQLite only); `None`: no automatic backups.
    pub backup_dir: Option<PathBuf>,
    /// How many automatic backups are kept; older ones are removed.
    pub backup_keep: u32,
    /// News items that happened longer ago than this are pruned, except those a post showed.
    pub item_retention_days: u32,
    /// Plain text for people, or one JSON object per line for log shippers.
    pub log_format: LogFormat,
    /// Tests only: the bot's clock starts at this instant and can be moved through the
    /// loopback metrics server. None in production (the system clock).
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
    /// Semantic matching through an OpenAI-compatible `/v1/embeddings` endpoint (EMBEDDINGS_URL);
    /// `None`: lexical ranking alone.
    pub embeddings: Option<EmbeddingsConfig>,
}

/// Where and how to ask for embeddings.
#[derive(Clone)]
pub struct EmbeddingsConfig {
    /// The server's base URL; `/v1/embeddings` is added unless the URL already ends in `/v1`.
    pub url: Url,
    pub model: String,
    pub api_key: Option<Secret>,
    /// The longest one ranking waits for embeddings before ranking without them.
    pub timeout: Duration,
    /// Put before each claim text sent (EMBEDDINGS_QUERY_PREFIX), exactly as written: models
    /// trained for search embed a question and a passage differently ("query: " for E5).
    pub query_prefix: String,
    /// Put before each news item's text sent (EMBEDDINGS_DOCUMENT_PREFIX).
    pub document_prefix: String,
}

impl EmbeddingsConfig {
    /// The name item vectors are stored under: the model's, and the document prefix when one is
    /// set, since the same model with another prefix makes other vectors and a change of either
    /// must embed the news again. A control character joins them: a prefix cannot hold one, so
    /// no other model and prefix give the same name.
    pub fn vectors_name(&self) -> String {
        if self.document_prefix.is_empty() {
            self.model.clone()
        } else {
            format!("{}\u{1f}{}", self.model, self.document_prefix)
        }
    }
}

/// The URL without what may be a credential (user, password, query), for logs and errors.
fn redacted_url(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    if !url.username().is_empty() || url.password().is_some() || url.query().is_some() {
        shown.push_str(" [credentials redacted]");
    }
    shown
}

impl fmt::Debug for EmbeddingsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddingsConfig")
            .field("url", &redacted_url(&self.url))
            .field("model", &self.model)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .field("query_prefix", &self.query_prefix)
            .field("document_prefix", &self.document_prefix)
            .finish()
    }
}

/// Characters a prefix for embedded texts may have, at most: an instruction, not a document.
const MAX_EMBEDDINGS_PREFIX_CHARS: usize = 200;

/// How log lines are written to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The keys and their defaults, in the order `.env.example` lists them.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/claim-digest.db";

impl Config {
    /// The base of the site's links: PUBLIC_URL, else the address it is served on; none when the
    /// bot serves no site.
    pub fn site_base(&self) -> Option<Url> {
        match (&self.public_url, self.web_addr) {
            (Some(url), _) => Some(url.clone()),
            (None, Some(addr)) => Url::parse(&format!("http://{addr}/")).ok(),
            (None, None) => None,
        }
    }

    /// Which feed addresses may be fetched (FEED_ALLOW_PRIVATE, FEED_ALLOW_NETWORKS).
    pub fn feed_address_policy(&self) -> AddressPolicy {
        AddressPolicy {
            allow_private: self.feed_allow_private,
            allow_networks: self.feed_allow_networks.clone(),
        }
    }

    pub fn from_env() -> anyhow::Result<Config> {
        Config::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the configuration through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let get = |key: &str| lookup(key).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let number = |key: &str, default: u64, min: u64, max: u64| -> anyhow::Result<u64> {
            match get(key) {
                None => Ok(default),
                Some(raw) => {
                    let n: u64 = raw
                        .parse()
                        .with_context(|| format!("{key}=`{raw}` is not a whole number"))?;
                    if !(min..=max).contains(&n) {
                        bail!("{key}={n} is out of range ({min} to {max})");
                    }
                    Ok(n)
                }
            }
        };
        let flag = |key: &str| -> anyhow::Result<bool> {
            match get(key).as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("false" | "0" | "no" | "off") => Ok(false),
                Some("true" | "1" | "yes" | "on") => Ok(true),
                Some(other) => bail!("{key}=`{other}` is not true or false"),
            }
        };
        let discord_api_url = match get("DISCORD_API_URL") {
            None => None,
            Some(raw) => {
                let url = Url::parse(&raw).with_context(|| format!("DISCORD_API_URL=`{raw}` is not a URL"))?;
                if !matches!(url.scheme(), "http" | "https") {
                    bail!("DISCORD_API_URL must be http(s), got `{raw}`");
                }
                Some(url)
            }
        };
        let dev_guild_id = match get("DEV_GUILD_ID") {
            None => None,
            Some(raw) => Some(
                raw.parse()
                    .with_context(|| format!("DEV_GUILD_ID=`{raw}` is not a server id"))?,
            ),
        };
        let news_window_days = number("NEWS_WINDOW_DAYS", 14, 1, 365)? as u32;
        let item_retention_days = number("ITEM_RETENTION_DAYS", 90, 1, 36_500)? as u32;
        if item_retention_days < news_window_days {
            bail!(
                "ITEM_RETENTION_DAYS={item_retention_days} is shorter than NEWS_WINDOW_DAYS={news_window_days}: news the posts still show would be pruned"
            );
        }
        let log_format = match get("LOG_FORMAT").as_deref().map(str::to_ascii_lowercase).as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("LOG_FORMAT=`{other}` is neither text nor json"),
        };
        let metrics_addr: Option<std::net::SocketAddr> = match get("METRICS_ADDR") {
            None => None,
            Some(raw) => Some(
                raw.parse()
                    .with_context(|| format!("METRICS_ADDR=`{raw}` is not an address such as 127.0.0.1:9100"))?,
            ),
        };
        let web_addr: Option<std::net::SocketAddr> = match get("WEB_ADDR") {
            None => None,
            Some(raw) => Some(
                raw.parse()
                    .with_context(|| format!("WEB_ADDR=`{raw}` is not an address such as 127.0.0.1:8080"))?,
            ),
        };
        let public_url = match get("PUBLIC_URL") {
            None => None,
            Some(raw) => {
                let mut url = Url::parse(&raw).with_context(|| format!("PUBLIC_URL=`{raw}` is not a URL"))?;
                if !matches!(url.scheme(), "http" | "https") || url.query().is_some() || url.fragment().is_some() {
                    bail!("PUBLIC_URL must be an http(s) address with no query, such as https://tally.example.org/, got `{raw}`");
                }
                if !url.path().ends_with('/') {
                    let path = format!("{}/", url.path());
                    url.set_path(&path);
                }
                Some(url)
            }
        };
        let web_rate = match get("WEB_RATE_LIMIT") {
            None => 10.0,
            Some(raw) => match raw.parse::<f64>() {
                Ok(rate) if rate.is_finite() && (0.1..=100_000.0).contains(&rate) => rate,
                _ => bail!("WEB_RATE_LIMIT=`{raw}` is not a number of requests a second from 0.1 to 100000"),
            },
        };
        let clock_start = match get("CLOCK_START") {
            None => None,
            Some(raw) => {
                let start = chrono::DateTime::parse_from_rfc3339(&raw)
                    .with_context(|| format!("CLOCK_START=`{raw}` is not an RFC 3339 instant"))?;
                // The clock can be moved over HTTP: never on an address anyone else can reach.
                if metrics_addr.is_some_and(|addr| !addr.ip().is_loopback()) {
                    bail!("CLOCK_START is for tests and needs METRICS_ADDR on a loopback address");
                }
                Some(start.with_timezone(&chrono::Utc))
            }
        };
        Ok(Config {
            discord_token: get("DISCORD_TOKEN").map(Secret::new),
            discord_api_url,
            dev_guild_id,
            database_url: Secret::new(get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into())),
            shards: ShardPlan::parse(get("SHARD_COUNT").as_deref(), get("SHARD_IDS").as_deref())
                .map_err(anyhow::Error::msg)?,
            claims_file: get("CLAIMS_FILE").unwrap_or_else(|| "data/claims.toml".into()).into(),
            feeds_file: get("FEEDS_FILE").unwrap_or_else(|| "data/feeds.toml".into()).into(),
            news_window_days,
            news_count: NewsCount::clamped(number("NEWS_COUNT", 3, 1, 5)? as i64),
            feed_poll_interval: Duration::from_secs(60 * number("FEED_POLL_MINUTES", 30, 1, 1440)?),
            feed_disable_after: Duration::from_secs(3600 * number("FEED_DISABLE_AFTER_HOURS", 24, 1, 24 * 30)?),
            post_grace: Duration::from_secs(3600 * number("POST_GRACE_HOURS", 12, 0, 23)?),
            scheduler_tick: Duration::from_secs(number("SCHEDULER_TICK_SECS", 30, 1, 600)?),
            fetch_limits: FetchLimits {
                connect_timeout: Duration::from_secs(number("FEED_CONNECT_TIMEOUT_SECS", 5, 1, 120)?),
                request_timeout: Duration::from_secs(number("FEED_REQUEST_TIMEOUT_SECS", 20, 1, 600)?),
                max_body_bytes: number("FEED_MAX_BYTES", 5 * 1024 * 1024, 1024, 100 * 1024 * 1024)?,
                max_redirects: number("FEED_MAX_REDIRECTS", 5, 0, 20)? as usize,
                max_items: number("FEED_MAX_ITEMS", 500, 1, 10_000)? as usize,
            },
            feed_allow_private: flag("FEED_ALLOW_PRIVATE")?,
            feed_allow_networks: AddressPolicy::parse_networks(&get("FEED_ALLOW_NETWORKS").unwrap_or_default())
                .map_err(|e| anyhow::anyhow!("FEED_ALLOW_NETWORKS: {e}"))?,
            feeds_per_server: number("FEEDS_PER_SERVER", 30, 1, 500)? as u32,
            evidence_offtopic_min: number("EVIDENCE_OFFTOPIC_MIN", 3, 1, 1000)? as u32,
            evidence_add_per_day: number("EVIDENCE_ADD_PER_DAY", 5, 1, 1000)? as u32,
            feed_host_rate: match get("FEED_HOST_RATE") {
                None => 1.0,
                Some(raw) => match raw.parse::<f64>() {
                    Ok(rate) if rate.is_finite() && (0.0..=100.0).contains(&rate) => rate,
                    _ => bail!("FEED_HOST_RATE=`{raw}` is not a number of requests a second from 0 to 100"),
                },
            },
            metrics_addr,
            web_addr,
            public_url,
            web_rate,
            clock_start,
            chart_font: get("CHART_FONT").map(|v| FontFile::parse(&v)),
            backup_dir: get("BACKUP_DIR").map(PathBuf::from),
            backup_keep: number("BACKUP_KEEP", 7, 1, 3650)? as u32,
            item_retention_days,
            log_format,
            embeddings: match get("EMBEDDINGS_URL") {
                None => None,
                Some(raw) => {
                    // The value itself is not repeated: it may carry a key.
                    let url = Url::parse(&raw).context("EMBEDDINGS_URL is not a URL")?;
                    if !matches!(url.scheme(), "http" | "https") {
                        bail!("EMBEDDINGS_URL is not an http(s) URL (it starts {}:)", url.scheme());
                    }
                    Some(EmbeddingsConfig {
                        url,
                        model: get("EMBEDDINGS_MODEL").unwrap_or_else(|| "bge-m3".into()),
                        api_key: get("EMBEDDINGS_API_KEY").map(Secret::new),
                        timeout: Duration::from_secs(number("EMBEDDINGS_TIMEOUT_SECS", 10, 1, 300)?),
                        query_prefix: embeddings_prefix(&lookup, "EMBEDDINGS_QUERY_PREFIX")?,
                        document_prefix: embeddings_prefix(&lookup, "EMBEDDINGS_DOCUMENT_PREFIX")?,
                    })
                }
            },
        })
    }
}

/// A prefix for embedded texts, untrimmed: the space after "query:" is part of what the model
/// was trained on. Only blank means none.
fn embeddings_prefix(lookup: &impl Fn(&str) -> Option<String>, key: &str) -> anyhow::Result<String> {
    let raw = lookup(key).unwrap_or_default();
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    if raw.chars().count() > MAX_EMBEDDINGS_PREFIX_CHARS {
        bail!("{key} is longer than {MAX_EMBEDDINGS_PREFIX_CHARS} characters");
    }
    if raw.chars().any(char::is_control) {
        bail!("{key} holds a control character");
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| env.get(k).cloned())
    }

    #[test]
    fn embeddings_are_configured_by_url_and_their_key_is_redacted() {
        assert!(config(&[]).unwrap().embeddings.is_none());
        let c = config(&[
            ("EMBEDDINGS_URL", "http://127.0.0.1:11434"),
            ("EMBEDDINGS_API_KEY", "sk-very-secret"),
        ])
        .unwrap();
        let e = c.embeddings.unwrap();
        assert_eq!(e.model, "bge-m3");
        assert_eq!(e.timeout, Duration::from_secs(10));
        assert!(!format!("{e:?}").contains("sk-very-secret"));
        assert!(config(&[("EMBEDDINGS_URL", "ftp://example.com")]).is_err());
        // Neither an error nor the configuration's Debug repeats a credential in the URL.
        for bad in ["ftp://user:hunter2@example.com", "http//hunter2"] {
            let error = format!("{:#}", config(&[("EMBEDDINGS_URL", bad)]).unwrap_err());
            assert!(
                error.contains("EMBEDDINGS_URL") && !error.contains("hunter2"),
                "{error}"
            );
        }
        let with_key = config(&[("EMBEDDINGS_URL", "https://me:hunter2@api.example/v1?key=hunter2")]).unwrap();
        let shown = format!("{:?}", with_key.embeddings.unwrap());
        assert!(
            shown.contains("https://api.example/v1") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert_eq!((e.query_prefix.as_str(), e.document_prefix.as_str()), ("", ""));
        assert_eq!(e.vectors_name(), "bge-m3");
    }

    #[test]
    fn embeddings_prefixes_are_kept_as_written_and_name_the_stored_vectors() {
        let c = config(&[
            ("EMBEDDINGS_URL", "http://127.0.0.1:8089"),
            ("EMBEDDINGS_MODEL", "multilingual-e5-small"),
            ("EMBEDDINGS_QUERY_PREFIX", "query: "),
            ("EMBEDDINGS_DOCUMENT_PREFIX", "passage: "),
        ])
        .unwrap();
        let e = c.embeddings.unwrap();
        assert_eq!(e.query_prefix, "query: ");
        assert_eq!(e.document_prefix, "passage: ");
        assert_eq!(e.vectors_name(), "multilingual-e5-small\u{1f}passage: ");
        // A query prefix alone leaves the stored vectors as they were.
        let e = config(&[("EMBEDDINGS_URL", "http://x"), ("EMBEDDINGS_QUERY_PREFIX", "query: ")])
            .unwrap()
            .embeddings
            .unwrap();
        assert_eq!(e.vectors_name(), "bge-m3");
        let blank = config(&[("EMBEDDINGS_URL", "http://x"), ("EMBEDDINGS_DOCUMENT_PREFIX", "  ")]).unwrap();
        assert_eq!(blank.embeddings.unwrap().document_prefix, "");
        let long = "x".repeat(201);
        let too_long = config(&[("EMBEDDINGS_URL", "http://x"), ("EMBEDDINGS_QUERY_PREFIX", &long)]);
        assert!(format!("{:#}", too_long.unwrap_err()).contains("EMBEDDINGS_QUERY_PREFIX"));
        assert!(config(&[
            ("EMBEDDINGS_URL", "http://x"),
            ("EMBEDDINGS_DOCUMENT_PREFIX", "a\u{7}b")
        ])
        .is_err());
    }

    #[test]
    fn defaults_without_environment() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url.expose(), DEFAULT_DATABASE_URL);
        assert_eq!(c.shards, ShardPlan::default());
        assert_eq!(c.news_window_days, 14);
        assert_eq!((c.evidence_offtopic_min, c.evidence_add_per_day), (3, 5));
        assert_eq!(c.fetch_limits.max_body_bytes, 5 * 1024 * 1024);
        assert!(!c.feed_allow_private);
        assert!(c.discord_token.is_none());
    }

    #[test]
    fn every_key_read_is_listed_in_env_example() {
        let asked = std::cell::RefCell::new(Vec::new());
        Config::from_lookup(|key| {
            asked.borrow_mut().push(key.to_string());
            None
        })
        .unwrap();
        let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.env.example")).unwrap();
        let asked = asked.into_inner();
        assert!(asked.len() > 20, "{asked:?}");
        for key in asked {
            assert!(
                example.contains(&format!("{key}=")),
                "{key} is missing from .env.example"
            );
        }
    }

    #[test]
    fn token_never_shows_in_debug() {
        let c = config(&[
            ("DISCORD_TOKEN", "MTIz.secret-token-value"),
            ("DATABASE_URL", "postgres://bot:db-password@db.internal/claims"),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("secret-token-value"), "{printed}");
        assert!(!printed.contains("db-password"), "{printed}");
        assert!(printed.contains("redacted"));
        assert_eq!(c.discord_token.unwrap().expose(), "MTIz.secret-token-value");
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = config(&[("NEWS_WINDOW_DAYS", "two weeks")]).unwrap_err();
        assert!(format!("{err:#}").contains("NEWS_WINDOW_DAYS"));
        let err = config(&[("NEWS_COUNT", "9")]).unwrap_err();
        assert_eq!(err.to_string(), "NEWS_COUNT=9 is out of range (1 to 5)");
        let err = config(&[("FEED_ALLOW_PRIVATE", "maybe")]).unwrap_err();
        assert!(err.to_string().contains("FEED_ALLOW_PRIVATE"));
        assert!(config(&[("DISCORD_API_URL", "ftp://x")]).is_err());
        let err = config(&[("SHARD_COUNT", "4"), ("SHARD_IDS", "4-7")]).unwrap_err();
        assert!(err.to_string().contains("SHARD_IDS"), "{err}");
        let c = config(&[("SHARD_COUNT", "4"), ("SHARD_IDS", "2-3")]).unwrap();
        assert_eq!(c.shards.owned, 2..=3);
        let err = config(&[("FEED_ALLOW_NETWORKS", "10.1.0.0/16, intranet")]).unwrap_err();
        assert!(
            err.to_string().contains("FEED_ALLOW_NETWORKS") && err.to_string().contains("`intranet`"),
            "{err}"
        );
        let err = config(&[("FEED_HOST_RATE", "fast")]).unwrap_err();
        assert!(err.to_string().contains("FEED_HOST_RATE"), "{err}");
    }

    #[test]
    fn feed_networks_rate_and_cap() {
        let c = config(&[]).unwrap();
        assert_eq!((c.feeds_per_server, c.feed_host_rate), (30, 1.0));
        assert_eq!(c.feed_address_policy(), AddressPolicy::default());
        let c = config(&[
            ("FEED_ALLOW_NETWORKS", "10.1.0.0/16, fd12:3456::/32,192.168.5.7"),
            ("FEED_HOST_RATE", "0.5"),
            ("FEEDS_PER_SERVER", "5"),
        ])
        .unwrap();
        let nets: Vec<String> = c.feed_allow_networks.iter().map(|n| n.to_string()).collect();
        assert_eq!(nets, ["10.1.0.0/16", "fd12:3456::/32", "192.168.5.7/32"]);
        assert_eq!((c.feeds_per_server, c.feed_host_rate), (5, 0.5));
    }

    #[test]
    fn operations_keys() {
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.backup_dir.as_deref(), c.backup_keep, c.item_retention_days),
            (None, 7, 90)
        );
        assert_eq!(c.log_format, LogFormat::Text);
        let c = config(&[
            ("BACKUP_DIR", "/var/backups/cd"),
            ("BACKUP_KEEP", "30"),
            ("LOG_FORMAT", "JSON"),
        ])
        .unwrap();
        assert_eq!(c.backup_dir, Some(PathBuf::from("/var/backups/cd")));
        assert_eq!((c.backup_keep, c.log_format), (30, LogFormat::Json));
        let err = config(&[("ITEM_RETENTION_DAYS", "7")]).unwrap_err();
        assert!(err.to_string().contains("NEWS_WINDOW_DAYS=14"), "{err}");
        assert!(config(&[("ITEM_RETENTION_DAYS", "7"), ("NEWS_WINDOW_DAYS", "7")]).is_ok());
        assert!(config(&[("BACKUP_KEEP", "0")]).is_err());
        assert!(config(&[("LOG_FORMAT", "xml")])
            .unwrap_err()
            .to_string()
            .contains("LOG_FORMAT"));
    }

    #[test]
    fn a_test_clock_is_refused_where_others_could_move_it() {
        let err = config(&[("CLOCK_START", "tomorrow")]).unwrap_err();
        assert!(err.to_string().contains("CLOCK_START"), "{err}");
        let err = config(&[
            ("CLOCK_START", "2026-11-28T09:00:00Z"),
            ("METRICS_ADDR", "0.0.0.0:9100"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
        let c = config(&[
            ("CLOCK_START", "2026-11-28T09:00:00Z"),
            ("METRICS_ADDR", "127.0.0.1:9100"),
        ])
        .unwrap();
        assert_eq!(c.clock_start, Some("2026-11-28T09:00:00Z".parse().unwrap()));
        assert_eq!(config(&[]).unwrap().clock_start, None);
    }

    #[test]
    fn site_keys() {
        let c = config(&[]).unwrap();
        assert_eq!((c.web_addr, c.site_base()), (None, None));
        let c = config(&[("WEB_ADDR", "127.0.0.1:8080")]).unwrap();
        assert_eq!(c.site_base().unwrap().as_str(), "http://127.0.0.1:8080/");
        let c = config(&[
            ("WEB_ADDR", "127.0.0.1:8080"),
            ("PUBLIC_URL", "https://tally.example.org/digest"),
        ])
        .unwrap();
        assert_eq!(c.site_base().unwrap().as_str(), "https://tally.example.org/digest/");
        assert_eq!(c.web_rate, 10.0);
        assert!(config(&[("WEB_ADDR", "everywhere")])
            .unwrap_err()
            .to_string()
            .contains("WEB_ADDR"));
        assert!(config(&[("PUBLIC_URL", "ftp://x.example/")]).is_err());
        assert!(config(&[("PUBLIC_URL", "https://x.example/?a=1")]).is_err());
        assert!(config(&[("WEB_RATE_LIMIT", "0")]).is_err());
    }

    #[test]
    fn the_chart_font_is_a_path_and_perhaps_a_face() {
        assert_eq!(config(&[]).unwrap().chart_font, None);
        let c = config(&[("CHART_FONT", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc:2")]).unwrap();
        let font = c.chart_font.unwrap();
        assert_eq!(
            (font.path.to_str(), font.face),
            (Some("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), Some(2))
        );
    }
}
