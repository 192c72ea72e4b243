//! Getting a feed's bytes: over HTTP(S) with timeouts, decompression and a size cap, or from a
//! local file (for previews and tests).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{
    HeaderMap, HeaderValue, CACHE_CONTROL, CONTENT_LOCATION, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, RETRY_AFTER,
};
use tokio::sync::Semaphore;
use url::Url;

use super::guard::{self, AddressPolicy, BlockedAddress, BlockedName, GuardedResolver, Lookup, Refusal, SystemLookup};
use super::pace::{self, HostPacer};
pub use claim_digest_domain::records::Validators;
pub use claim_digest_domain::records::{AddressProblem, FeedFailure};

/// An address or name the policy refuses, kept as data so that the reason can be told in words.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Blocked {
    #[error(transparent)]
    Address(BlockedAddress),
    #[error(transparent)]
    Name(BlockedName),
}

/// Where a feed comes from, as given by a moderator or on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedSource {
    Http(Url),
    File(PathBuf),
}

impl FeedSource {
    /// Accepts an http(s) URL, a file:// URL or a local path.
    pub fn parse(input: &str) -> Result<FeedSource, FetchError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(FetchError::InvalidUrl(AddressProblem::Empty));
        }
        match Url::parse(input) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(FeedSource::Http(url)),
            Ok(url) if url.scheme() == "file" => url
                .to_file_path()
                .map(FeedSource::File)
                .map_err(|_| FetchError::InvalidUrl(AddressProblem::Unreadable)),
            // A Windows drive letter parses as a one-letter scheme; anything else is refused.
            Ok(url) if url.scheme().len() > 1 => Err(FetchError::UnsupportedScheme(url.scheme().to_string())),
            // Written as a URL but not one: say what is wrong rather than look for such a file.
            Err(error) if input.contains("://") => Err(FetchError::InvalidUrl(problem_of(error))),
            _ => Ok(FeedSource::File(PathBuf::from(input))),
        }
    }

    /// Only http(s) is accepted from Discord: local files are for the command line.
    pub fn parse_remote(input: &str) -> Result<Url, FetchError> {
        match FeedSource::parse(input)? {
            FeedSource::Http(url) => Ok(url),
            // A file:// URL names its scheme, which is the thing to say.
            FeedSource::File(_) if input.trim().get(..5).is_some_and(|s| s.eq_ignore_ascii_case("file:")) => {
                Err(FetchError::UnsupportedScheme("file".into()))
            }
            FeedSource::File(_) => Err(FetchError::InvalidUrl(AddressProblem::NoScheme {
                suggestion: with_https(input.trim()),
            })),
        }
    }

    /// The URL this source is stored under, which is also the base for relative links.
    pub fn url(&self) -> String {
        match self {
            FeedSource::Http(url) => url.to_string(),
            FeedSource::File(path) => {
                let absolute = std::path::absolute(path).unwrap_or_else(|_| path.clone());
                Url::from_file_path(&absolute)
                    .map(|u| u.to_string())
                    .unwrap_or_else(|_| absolute.display().to_string())
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct FetchLimits {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_body_bytes: u64,
    pub max_redirects: usize,
    pub max_items: usize,
}

impl Default for FetchLimits {
    fn default() -> Self {
        FetchLimits {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            max_body_bytes: 5 * 1024 * 1024,
            max_redirects: 5,
            max_items: 500,
        }
    }
}

/// What the URL parser's refusal says is wrong with an address.
fn problem_of(error: url::ParseError) -> AddressProblem {
    use url::ParseError as E;
    match error {
        E::EmptyHost => AddressProblem::NoHost,
        E::IdnaError | E::InvalidDomainCharacter | E::InvalidIpv4Address | E::InvalidIpv6Address => {
            AddressProblem::BadHost
        }
        E::InvalidPort => AddressProblem::BadPort,
        _ => AddressProblem::Unreadable,
    }
}

/// `example.com/feed` as `https://example.com/feed`, the address a moderator most likely meant;
/// `None` unless that is an http(s) URL whose host is a dotted name (a bare word, a path or an
/// e-mail address is not guessed at), and short enough to be quoted back whole.
fn with_https(input: &str) -> Option<String> {
    // The longest foreign text a reason quotes (`DETAIL_CHARS` in the bot's messages): a longer
    // suggestion would be cut, and offer a broken address.
    const LONGEST: usize = 200;
    if input.chars().any(char::is_whitespace) {
        return None;
    }
    let url = Url::parse(&format!("https://{input}")).ok()?;
    if !url.username().is_empty() || url.password().is_some() || url.as_str().chars().count() > LONGEST {
        return None;
    }
    match url.host()? {
        url::Host::Domain(name) if name.contains('.') && !name.ends_with('.') => Some(url.to_string()),
        _ => None,
    }
}

/// Each refusal names the limit it hit, by its configuration key.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    #[error("invalid feed address: {0}")]
    InvalidUrl(AddressProblem),
    #[error("unsupported scheme `{0}`: only http and https feeds are fetched")]
    UnsupportedScheme(String),
    #[error("refused: {0}")]
    Blocked(Blocked),
    #[error("{host} is already being asked as often as FEED_HOST_RATE allows; next turn in {} s", retry_after.as_secs().max(1))]
    HostBusy { host: String, retry_after: Duration },
    #[error("could not connect within {0} s (FEED_CONNECT_TIMEOUT_SECS)")]
    ConnectTimeout(u64),
    #[error("no complete answer within {0} s (FEED_REQUEST_TIMEOUT_SECS)")]
    Timeout(u64),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("could not connect: the host refused the connection")]
    ConnectionRefused,
    #[error("more than {0} redirects (FEED_MAX_REDIRECTS)")]
    TooManyRedirects(usize),
    #[error("larger than {limit} bytes once decompressed (FEED_MAX_BYTES)")]
    TooLarge { limit: u64 },
    #[error("the server answered HTTP {code}")]
    Status { code: u16, retry_after: Option<Duration> },
    #[error("network error: {0}")]
    Network(String),
    #[error("cannot read file: {0}")]
    File(String),
}

impl FetchError {
    /// A short category for a disabled feed's stored reason.
    pub fn category(&self) -> &'static str {
        match self {
            FetchError::InvalidUrl(_) | FetchError::UnsupportedScheme(_) => "bad address",
            FetchError::Blocked(_) => "blocked address",
            FetchError::HostBusy { .. } => "host busy",
            FetchError::ConnectTimeout(_)
            | FetchError::Timeout(_)
            | FetchError::Connect(_)
            | FetchError::ConnectionRefused
            | FetchError::Network(_) => "unreachable",
            FetchError::TooManyRedirects(_) => "redirect loop",
            FetchError::TooLarge { .. } => "too large",
            FetchError::Status { .. } => "HTTP status",
            FetchError::File(_) => "unreadable file",
        }
    }

    /// The failure as the bot stores it and tells it to people, in their language.
    pub fn failure(&self) -> FeedFailure {
        match self {
            FetchError::InvalidUrl(problem) => FeedFailure::BadAddress(problem.clone()),
            FetchError::UnsupportedScheme(scheme) => FeedFailure::UnsupportedScheme { scheme: scheme.clone() },
            FetchError::Blocked(Blocked::Address(blocked)) => FeedFailure::RefusedAddress {
                address: blocked.ip.to_string(),
                always: blocked.why == Refusal::AlwaysRefused,
            },
            FetchError::Blocked(Blocked::Name(name)) => FeedFailure::RefusedAddress {
                address: name.0.clone(),
                always: true,
            },
            FetchError::HostBusy { retry_after, .. } => FeedFailure::HostBusy {
                seconds: retry_after.as_secs().max(1),
            },
            FetchError::ConnectTimeout(seconds) => FeedFailure::ConnectTimeout { seconds: *seconds },
            FetchError::Timeout(seconds) => FeedFailure::Timeout { seconds: *seconds },
            FetchError::Connect(detail) => FeedFailure::ConnectFailed { detail: detail.clone() },
            FetchError::ConnectionRefused => FeedFailure::ConnectionRefused,
            FetchError::TooManyRedirects(limit) => FeedFailure::TooManyRedirects {
                limit: u32::try_from(*limit).unwrap_or(u32::MAX),
            },
            FetchError::TooLarge { limit } => FeedFailure::TooLarge { limit_bytes: *limit },
            FetchError::Status { code, .. } => FeedFailure::HttpStatus { code: *code },
            FetchError::Network(detail) => FeedFailure::Network { detail: detail.clone() },
            FetchError::File(detail) => FeedFailure::File { detail: detail.clone() },
        }
    }

    /// How long the server asked us to wait (429 and 503 with Retry-After), or our own pacing.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            FetchError::HostBusy { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: nothing changed since the validators were given.
    NotModified { max_age: Option<Duration> },
    Body {
        /// The URL after redirects, the base for relative links.
        final_url: String,
        bytes: Vec<u8>,
        content_type: Option<String>,
        validators: Validators,
        /// Cache-Control max-age, when the server gave one.
        max_age: Option<Duration>,
    },
}

/// Requests to one host at the same time, at most.
const PER_HOST: usize = 2;

/// The clock the host pacing reads; tests substitute their own.
pub type Clock = Arc<dyn Fn() -> std::time::Instant + Send + Sync>;

#[derive(Clone)]
pub struct FeedClient {
    http: reqwest::Client,
    limits: FetchLimits,
    policy: Arc<AddressPolicy>,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    pacer: Arc<Mutex<HostPacer>>,
    spacing: Option<Duration>,
    /// The longest a request waits for its host's turn before it is refused as busy.
    max_host_wait: Duration,
    clock: Clock,
}

pub const USER_AGENT: &str = concat!(
    "claim-digest/",
    env!("CARGO_PKG_VERSION"),
    " (Discord bot; +",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

impl FeedClient {
    /// A client under `policy` (a bool stands for FEED_ALLOW_PRIVATE alone), without host
    /// pacing until [`FeedClient::paced`] sets it.
    pub fn new(limits: FetchLimits, policy: impl Into<AddressPolicy>) -> anyhow::Result<FeedClient> {
        FeedClient::build(limits, policy.into(), &[], Arc::new(SystemLookup))
    }

    /// Like [`FeedClient::new`], with some host names pinned to addresses (as curl's
    /// `--resolve`), which bypass the name lookup and its address check. For tests that need a
    /// "public" host on loopback.
    pub fn with_pinned_hosts(
        limits: FetchLimits,
        policy: impl Into<AddressPolicy>,
        pins: &[(&str, SocketAddr)],
    ) -> anyhow::Result<FeedClient> {
        FeedClient::build(limits, policy.into(), pins, Arc::new(SystemLookup))
    }

    /// Like [`FeedClient::new`], with names looked up by `lookup` (and still checked).
    pub fn with_lookup(
        limits: FetchLimits,
        policy: impl Into<AddressPolicy>,
        lookup: Arc<dyn Lookup>,
    ) -> anyhow::Result<FeedClient> {
        FeedClient::build(limits, policy.into(), &[], lookup)
    }

    /// At most `per_second` requests a second to any one host (0: unlimited); a request waits
    /// up to `max_wait` for its host's turn, else fails with [`FetchError::HostBusy`].
    pub fn paced(mut self, per_second: f64, max_wait: Duration) -> FeedClient {
        self.spacing = pace::spacing(per_second);
        self.pacer = Arc::new(Mutex::new(HostPacer::new(self.spacing)));
        self.max_host_wait = max_wait;
        self
    }

    /// The clock host pacing reads (tests choose the time).
    pub fn with_clock(mut self, clock: Clock) -> FeedClient {
        self.clock = clock;
        self
    }

    fn build(
        limits: FetchLimits,
        policy: AddressPolicy,
        pins: &[(&str, SocketAddr)],
        lookup: Arc<dyn Lookup>,
    ) -> anyhow::Result<FeedClient> {
        let policy = Arc::new(policy);
        // Redirects are followed by hand, so that every hop is checked and paced like the first.
        // No proxy, not even one from the environment (HTTP_PROXY): a proxy resolves and reaches
        // the feed's host itself, where the address guard cannot see it.
        let mut builder = reqwest::Client::builder()
            .no_proxy()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver {
                policy: policy.clone(),
                lookup,
            }))
            .gzip(true);
        for (host, addr) in pins {
            builder = builder.resolve(host, *addr);
        }
        Ok(FeedClient {
            http: builder.build()?,
            limits,
            policy,
            hosts: Default::default(),
            pacer: Default::default(),
            spacing: None,
            max_host_wait: Duration::ZERO,
            clock: Arc::new(std::time::Instant::now),
        })
    }

    /// The time between two requests to one host, if requests are paced.
    pub fn host_spacing(&self) -> Option<Duration> {
        self.spacing
    }

    /// The longest a request waits for its host's turn.
    pub fn max_host_wait(&self) -> Duration {
        self.max_host_wait
    }

    /// How long until `host` (a [`host_key`]) may be sent another request.
    pub fn host_busy_for(&self, host: &str) -> Duration {
        let now = (self.clock)();
        self.pacer.lock().expect("pacer lock").busy_for(host, now)
    }

    /// Refuses a URL whose host is a metadata name or a literal address the policy refuses.
    /// Names are checked again on the addresses they resolve to.
    pub fn check_url(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::UnsupportedScheme(url.scheme().to_string()));
        }
        match url.host() {
            Some(url::Host::Domain(name)) if guard::is_metadata_name(name) => {
                Err(FetchError::Blocked(Blocked::Name(guard::BlockedName(name.to_string()))))
            }
            Some(url::Host::Domain(_)) => Ok(()),
            Some(url::Host::Ipv4(v4)) => self.check_ip(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => self.check_ip(IpAddr::V6(v6)),
            None => Err(FetchError::InvalidUrl(AddressProblem::NoHost)),
        }
    }

    fn check_ip(&self, ip: IpAddr) -> Result<(), FetchError> {
        self.policy
            .check(ip)
            .map_err(|b| FetchError::Blocked(Blocked::Address(b)))
    }

    /// Waits for the host's turn, or refuses when it is booked too far ahead.
    async fn wait_turn(&self, url: &Url) -> Result<(), FetchError> {
        let host = host_key(url);
        let booked = self
            .pacer
            .lock()
            .expect("pacer lock")
            .book(&host, (self.clock)(), self.max_host_wait);
        match booked {
            Ok(wait) if wait.is_zero() => Ok(()),
            Ok(wait) => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Err(retry_after) => Err(FetchError::HostBusy { host, retry_after }),
        }
    }

    pub fn limits(&self) -> &FetchLimits {
        &self.limits
    }

    pub async fn fetch(&self, source: &FeedSource, validators: Option<&Validators>) -> Result<Fetched, FetchError> {
        match source {
            FeedSource::Http(url) => self.fetch_http(url, validators).await,
            FeedSource::File(path) => self.read_file(path).await,
        }
    }

    async fn read_file(&self, path: &std::path::Path) -> Result<Fetched, FetchError> {
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| FetchError::File(format!("{}: {e}", path.display())))?;
        if meta.len() > self.limits.max_body_bytes {
            return Err(FetchError::TooLarge {
                limit: self.limits.max_body_bytes,
            });
        }
        let bytes = tokio::fs::read(path)
            .await
            .map_err(|e| FetchError::File(format!("{}: {e}", path.display())))?;
        Ok(Fetched::Body {
            final_url: FeedSource::File(path.to_path_buf()).url(),
            bytes,
            content_type: None,
            validators: Validators::default(),
            max_age: None,
        })
    }

    fn host_slot(&self, url: &Url) -> Arc<Semaphore> {
        let host = host_key(url);
        let mut hosts = self.hosts.lock().expect("host table lock");
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(PER_HOST)))
            .clone()
    }

    async fn fetch_http(&self, url: &Url, validators: Option<&Validators>) -> Result<Fetched, FetchError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"),
        );
        if let Some(v) = validators {
            if let Some(etag) = v.etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                headers.insert(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = v.last_modified.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
                headers.insert(IF_MODIFIED_SINCE, lm);
            }
        }
        let mut url = url.clone();
        let mut redirects = 0;
        // Each hop: the address checked, a per-host slot held, the host's turn awaited.
        let (mut response, _permit) = loop {
            self.check_url(&url)?;
            let permit = self
                .host_slot(&url)
                .acquire_owned()
                .await
                .map_err(|_| FetchError::Network("client shut down".into()))?;
            self.wait_turn(&url).await?;
            let response = self
                .http
                .get(url.clone())
                .headers(headers.clone())
                .send()
                .await
                .map_err(|e| self.classify(e))?;
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .filter(|_| matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308));
            let Some(location) = location else {
                break (response, permit);
            };
            if redirects >= self.limits.max_redirects {
                return Err(FetchError::TooManyRedirects(self.limits.max_redirects));
            }
            let next = url.join(location).map_err(|_| {
                FetchError::InvalidUrl(AddressProblem::BadRedirect {
                    location: claim_digest_domain::text::truncate_chars(location, 200),
                })
            })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::UnsupportedScheme(
                    claim_digest_domain::text::truncate_chars(next.scheme(), 20),
                ));
            }
            redirects += 1;
            url = next;
        };
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let max_age = header(CACHE_CONTROL).as_deref().and_then(max_age);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified { max_age });
        }
        if !status.is_success() {
            let retry_after = header(RETRY_AFTER).as_deref().and_then(retry_after);
            return Err(FetchError::Status {
                code: status.as_u16(),
                retry_after,
            });
        }
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        // A Content-Location header names the document's own address: relative links resolve
        // against it (as feedparser does), else against the URL after redirects.
        let final_url = header(CONTENT_LOCATION)
            .and_then(|location| response.url().join(&location).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .unwrap_or_else(|| response.url().clone())
            .to_string();
        let limit = self.limits.max_body_bytes;
        // Content-Length is only a hint (and absent for compressed bodies): the cap is enforced
        // on the decompressed bytes as they arrive, so a gzip bomb stops at the limit.
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(e))? {
            if bytes.len() as u64 + chunk.len() as u64 > limit {
                return Err(FetchError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        let bytes = crate::repair::with_http_charset(bytes, content_type.as_deref());
        Ok(Fetched::Body {
            final_url,
            bytes,
            content_type,
            validators,
            max_age,
        })
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        if let Some(blocked) = find_cause::<guard::BlockedAddress>(&e) {
            return FetchError::Blocked(Blocked::Address(blocked.clone()));
        }
        if let Some(blocked) = find_cause::<guard::BlockedName>(&e) {
            return FetchError::Blocked(Blocked::Name(blocked.clone()));
        }
        if e.is_timeout() && e.is_connect() {
            FetchError::ConnectTimeout(self.limits.connect_timeout.as_secs())
        } else if e.is_timeout()
            || find_cause::<std::io::Error>(&e).is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            FetchError::Timeout(self.limits.request_timeout.as_secs())
        } else if e.is_connect()
            && find_cause::<std::io::Error>(&e).is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            FetchError::ConnectionRefused
        } else if e.is_connect() {
            FetchError::Connect(root_cause(&e))
        } else {
            FetchError::Network(root_cause(&e))
        }
    }
}

/// The host a URL's requests count against, for pacing and the per-host slots.
pub fn host_key(url: &Url) -> String {
    url.host_str()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

fn find_cause<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if let Some(found) = c.downcast_ref::<T>() {
            return Some(found);
        }
        cause = c.source();
    }
    None
}

/// `max-age` from a Cache-Control header.
fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

/// Retry-After as seconds or an HTTP date.
fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().ok()
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_and_retry_headers() {
        assert_eq!(max_age("public, max-age=600"), Some(Duration::from_secs(600)));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("soon"), None);
        let later = (chrono::Utc::now() + chrono::Duration::seconds(3600)).to_rfc2822();
        let parsed = retry_after(&later).unwrap();
        assert!(
            parsed > Duration::from_secs(3500) && parsed <= Duration::from_secs(3600),
            "{parsed:?}"
        );
    }

    #[test]
    fn sources_from_inputs() {
        assert!(matches!(
            FeedSource::parse("https://example.com/feed").unwrap(),
            FeedSource::Http(_)
        ));
        assert_eq!(
            FeedSource::parse("file:///tmp/a.xml").unwrap(),
            FeedSource::File("/tmp/a.xml".into())
        );
        assert_eq!(
            FeedSource::parse("feeds/a.xml").unwrap(),
            FeedSource::File("feeds/a.xml".into())
        );
        assert_eq!(
            FeedSource::parse("gopher://x").unwrap_err(),
            FetchError::UnsupportedScheme("gopher".into())
        );
        assert!(FeedSource::parse("  ").is_err());
        assert!(FeedSource::parse_remote("/etc/passwd").is_err());
        assert!(FeedSource::parse_remote("http://example.com/rss").is_ok());
    }

    #[test]
    fn a_refused_address_says_what_is_wrong_with_it() {
        let problem = |input: &str| match FeedSource::parse_remote(input) {
            Err(FetchError::InvalidUrl(problem)) => problem,
            other => panic!("{input}: {other:?}"),
        };
        assert_eq!(problem("  "), AddressProblem::Empty);
        // What a moderator most often means, offered back.
        assert_eq!(
            problem("example.com/feed.xml"),
            AddressProblem::NoScheme {
                suggestion: Some("https://example.com/feed.xml".into())
            }
        );
        assert_eq!(
            problem("www.Example.org"),
            AddressProblem::NoScheme {
                suggestion: Some("https://www.example.org/".into())
            }
        );
        // Not guessed at: a bare word, a path, text with spaces.
        for input in [
            "feed",
            "/etc/passwd",
            "feeds/a.xml",
            "my feed.xml",
            "example.",
            "editor@example.com",
        ] {
            assert_eq!(problem(input), AddressProblem::NoScheme { suggestion: None }, "{input}");
        }
        assert_eq!(problem("https://"), AddressProblem::NoHost);
        assert_eq!(problem("https://exa mple.com/feed"), AddressProblem::BadHost);
        assert_eq!(problem("http://[::1/feed"), AddressProblem::BadHost);
        assert_eq!(problem("https://example.com:99999/feed"), AddressProblem::BadPort);
        // Written as a URL, it is never looked for as a file on the command line either.
        assert!(matches!(
            FeedSource::parse("https://exa mple.com"),
            Err(FetchError::InvalidUrl(AddressProblem::BadHost))
        ));
        // A suggestion is quoted whole or not at all.
        let long = format!("example.com/{}", "a".repeat(190));
        assert_eq!(problem(&long), AddressProblem::NoScheme { suggestion: None });
        assert_eq!(
            FeedSource::parse_remote("file:///etc/passwd"),
            Err(FetchError::UnsupportedScheme("file".into()))
        );
    }
}
