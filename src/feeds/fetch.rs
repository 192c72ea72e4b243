//! Getting a feed's bytes: over HTTP(S) with timeouts, decompression and a size cap, or from a
//! local file (for previews and tests).

use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use url::Url;

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
            return Err(FetchError::InvalidUrl("empty input".into()));
        }
        match Url::parse(input) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(FeedSource::Http(url)),
            Ok(url) if url.scheme() == "file" => url
                .to_file_path()
                .map(FeedSource::File)
                .map_err(|_| FetchError::InvalidUrl(format!("`{input}` is not a usable file URL"))),
            // A Windows drive letter parses as a one-letter scheme; anything else is refused.
            Ok(url) if url.scheme().len() > 1 => Err(FetchError::UnsupportedScheme(url.scheme().to_string())),
            _ => Ok(FeedSource::File(PathBuf::from(input))),
        }
    }

    /// Only http(s) is accepted from Discord: local files are for the command line.
    pub fn parse_remote(input: &str) -> Result<Url, FetchError> {
        match FeedSource::parse(input)? {
            FeedSource::Http(url) => Ok(url),
            FeedSource::File(_) => Err(FetchError::InvalidUrl(format!(
                "`{}` is not an http(s) URL",
                crate::domain::text::truncate_chars(input, 200)
            ))),
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

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    #[error("invalid feed address: {0}")]
    InvalidUrl(String),
    #[error("unsupported scheme `{0}`: only http and https feeds are fetched")]
    UnsupportedScheme(String),
    #[error("timed out after {0} s (request time limit)")]
    Timeout(u64),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("too many redirects (limit {0})")]
    TooManyRedirects(usize),
    #[error("response larger than {limit} bytes (size limit)")]
    TooLarge { limit: u64 },
    #[error("the server answered HTTP {0}")]
    Status(u16),
    #[error("network error: {0}")]
    Network(String),
    #[error("cannot read file: {0}")]
    File(String),
}

/// Validators from an earlier fetch, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Fetched {
    /// 304: nothing changed since the validators were given.
    NotModified,
    Body {
        /// The URL after redirects, the base for relative links.
        final_url: String,
        bytes: Vec<u8>,
        content_type: Option<String>,
        validators: Validators,
    },
}

#[derive(Clone)]
pub struct FeedClient {
    http: reqwest::Client,
    limits: FetchLimits,
}

pub const USER_AGENT: &str = concat!(
    "claim-digest/",
    env!("CARGO_PKG_VERSION"),
    " (Discord bot; +",
    env!("CARGO_PKG_REPOSITORY"),
    ")"
);

impl FeedClient {
    pub fn new(limits: FetchLimits) -> anyhow::Result<FeedClient> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(limits.connect_timeout)
            .timeout(limits.request_timeout)
            .redirect(reqwest::redirect::Policy::limited(limits.max_redirects))
            .gzip(true)
            .build()?;
        Ok(FeedClient { http, limits })
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
        })
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
        let mut response = self
            .http
            .get(url.clone())
            .headers(headers)
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let validators = Validators {
            etag: header(ETAG),
            last_modified: header(LAST_MODIFIED),
        };
        let final_url = response.url().to_string();
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
        Ok(Fetched::Body {
            final_url,
            bytes,
            content_type,
            validators,
        })
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.limits.request_timeout.as_secs())
        } else if e.is_redirect() {
            FetchError::TooManyRedirects(self.limits.max_redirects)
        } else if e.is_connect() {
            FetchError::Connect(root_cause(&e))
        } else {
            FetchError::Network(root_cause(&e))
        }
    }
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
}
