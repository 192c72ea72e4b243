//! Our own client for the Discord REST calls the daily cycle depends on (posting, editing,
//! looking back through a channel). serenity's client hides rate-limit headers and the
//! `retry_after` of a 429, and with DISCORD_API_URL set its limiter is off; this client paces
//! itself: under 50 requests a second in all, each route's bucket as Discord's X-RateLimit
//! headers describe it, every 429 waited out before retrying, 5xx and timeouts retried with
//! backoff. The base URL is configuration, so tests point it at a fake on loopback.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::config::Secret;
use crate::metrics::Metrics;

/// Requests per second we allow ourselves: Discord's global limit is 50 per bot; two fewer
/// leaves room for the skew between our clock and Discord's window.
const GLOBAL_PER_SECOND: usize = 48;
/// Attempts at one request when Discord answers 429.
const RATE_LIMIT_ATTEMPTS: u32 = 8;
/// Attempts at one request when Discord fails (5xx) or does not answer.
const FAILURE_ATTEMPTS: u32 = 4;

#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error("Discord answered {status}: {message}")]
    Status {
        status: u16,
        /// Discord's JSON error code (50013 Missing Permissions, 10003 Unknown Channel, ...).
        code: Option<u32>,
        message: String,
    },
    #[error("no usable answer from Discord: {0}")]
    Transport(String),
}

impl RestError {
    /// Discord's JSON error code, when it gave one.
    pub fn code(&self) -> Option<u32> {
        match self {
            RestError::Status { code, .. } => *code,
            RestError::Transport(_) => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Status { status, .. } => Some(*status),
            RestError::Transport(_) => None,
        }
    }
}

#[derive(Clone)]
pub struct DiscordRest {
    client: reqwest::Client,
    base: String,
    pacer: Arc<Pacer>,
    metrics: Arc<Metrics>,
}

impl DiscordRest {
    pub fn new(token: &Secret, api_url: Option<&url::Url>, metrics: Arc<Metrics>) -> anyhow::Result<DiscordRest> {
        let mut auth = HeaderValue::from_str(&format!("Bot {}", token.expose()))?;
        // Keeps the token out of any Debug output of the headers.
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!(
                "DiscordBot (",
                env!("CARGO_PKG_REPOSITORY"),
                ", ",
                env!("CARGO_PKG_VERSION"),
                ")"
            ))
            .timeout(Duration::from_secs(15))
            .build()?;
        let root = api_url.map_or("https://discord.com".to_string(), |u| {
            u.as_str().trim_end_matches('/').to_string()
        });
        Ok(DiscordRest {
            client,
            base: format!("{root}/api/v10"),
            pacer: Arc::new(Pacer::default()),
            metrics,
        })
    }

    pub async fn create_message(
        &self,
        channel: u64,
        body: &serenity::CreateMessage,
    ) -> Result<serenity::Message, RestError> {
        let path = format!("/channels/{channel}/messages");
        self.call(Method::POST, &path, &path, Some(json(body)?)).await
    }

    pub async fn edit_message(
        &self,
        channel: u64,
        message: u64,
        body: &serenity::EditMessage,
    ) -> Result<serenity::Message, RestError> {
        let path = format!("/channels/{channel}/messages/{message}");
        let route = format!("/channels/{channel}/messages/:id");
        self.call(Method::PATCH, &route, &path, Some(json(body)?)).await
    }

    pub async fn message(&self, channel: u64, message: u64) -> Result<serenity::Message, RestError> {
        let path = format!("/channels/{channel}/messages/{message}");
        let route = format!("/channels/{channel}/messages/:id");
        self.call(Method::GET, &route, &path, None).await
    }

    /// The users reacting to a message with `emoji` (a Unicode emoji), every page of them, up
    /// to `MAX_REACTION_PAGES` pages of 100.
    pub async fn reactors(&self, channel: u64, message: u64, emoji: &str) -> Result<Vec<u64>, RestError> {
        /// A user as the reactions endpoint lists them; only the id is read.
        #[derive(serde::Deserialize)]
        struct Reactor {
            id: String,
        }
        const MAX_REACTION_PAGES: usize = 50;
        let emoji: String = url::form_urlencoded::byte_serialize(emoji.as_bytes()).collect();
        let route = format!("/channels/{channel}/messages/:id/reactions");
        let mut users = Vec::new();
        let mut after = None;
        for _ in 0..MAX_REACTION_PAGES {
            let mut path = format!("/channels/{channel}/messages/{message}/reactions/{emoji}?limit=100");
            if let Some(after) = after {
                path.push_str(&format!("&after={after}"));
            }
            let page: Vec<Reactor> = self.call(Method::GET, &route, &path, None).await?;
            let full = page.len() == 100;
            users.extend(page.iter().filter_map(|r| r.id.parse::<u64>().ok()));
            after = users.last().copied();
            if !full {
                break;
            }
        }
        Ok(users)
    }

    pub async fn recent_messages(&self, channel: u64, limit: u8) -> Result<Vec<serenity::Message>, RestError> {
        let route = format!("/channels/{channel}/messages");
        let path = format!("{route}?limit={}", limit.clamp(1, 100));
        self.call(Method::GET, &route, &path, None).await
    }

    pub async fn thread_from_message(
        &self,
        channel: u64,
        message: u64,
        body: &serenity::CreateThread<'_>,
    ) -> Result<serenity::GuildChannel, RestError> {
        let path = format!("/channels/{channel}/messages/{message}/threads");
        let route = format!("/channels/{channel}/messages/:id/threads");
        self.call(Method::POST, &route, &path, Some(json(body)?)).await
    }

    /// One request, paced, retried through 429s, 5xx and timeouts. `route` names the rate-limit
    /// bucket (major parameter kept, other ids replaced).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        route: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<T, RestError> {
        let bucket = format!("{method} {route}");
        let mut rate_limited = 0;
        let mut failures = 0;
        loop {
            self.pacer.wait_turn(&bucket).await;
            let mut request = self.client.request(method.clone(), format!("{}{path}", self.base));
            if let Some(body) = &body {
                request = request.json(body);
            }
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) if failures + 1 < FAILURE_ATTEMPTS => {
                    failures += 1;
                    tracing::warn!(%bucket, error = %e, attempt = failures, "Discord did not answer; retrying");
                    tokio::time::sleep(backoff(failures)).await;
                    continue;
                }
                Err(e) => return Err(RestError::Transport(e.to_string())),
            };
            let status = response.status();
            self.metrics.discord_status(status.as_u16());
            self.pacer.learn(&bucket, response.headers()).await;
            if status.as_u16() == 429 {
                let global = response.headers().get("x-ratelimit-global").is_some();
                let header_wait = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<f64>().ok());
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let wait = body["retry_after"]
                    .as_f64()
                    .or(header_wait)
                    .unwrap_or(1.0)
                    .clamp(0.0, 60.0);
                let global = global || body["global"].as_bool().unwrap_or(false);
                rate_limited += 1;
                tracing::warn!(%bucket, wait, global, "rate limited by Discord; waiting as told");
                if rate_limited >= RATE_LIMIT_ATTEMPTS {
                    return Err(RestError::Status {
                        status: 429,
                        code: None,
                        message: "still rate limited after waiting".into(),
                    });
                }
                self.pacer.hold(&bucket, Duration::from_secs_f64(wait), global).await;
                continue;
            }
            if status.is_server_error() && failures + 1 < FAILURE_ATTEMPTS {
                failures += 1;
                tracing::warn!(%bucket, status = status.as_u16(), attempt = failures, "Discord failed; retrying");
                tokio::time::sleep(backoff(failures)).await;
                continue;
            }
            if !status.is_success() {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let message = body["message"].as_str().unwrap_or("no message").to_string();
                let code = body["code"].as_u64().and_then(|c| u32::try_from(c).ok());
                return Err(RestError::Status {
                    status: status.as_u16(),
                    code,
                    message,
                });
            }
            return response
                .json::<T>()
                .await
                .map_err(|e| RestError::Transport(format!("unexpected answer: {e}")));
        }
    }
}

fn json<T: serde::Serialize>(body: &T) -> Result<serde_json::Value, RestError> {
    serde_json::to_value(body).map_err(|e| RestError::Transport(format!("could not encode the request: {e}")))
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250 * (1 << attempt.min(5)))
}

/// What we know of Discord's limits: our own global window, and each bucket's state.
#[derive(Default)]
pub struct Pacer {
    sent: Mutex<VecDeque<Instant>>,
    buckets: Mutex<HashMap<String, Bucket>>,
    global_hold: Mutex<Option<Instant>>,
}

#[derive(Clone, Copy)]
struct Bucket {
    remaining: u32,
    resets_at: Instant,
}

impl Pacer {
    /// Waits until a request on `bucket` is allowed, then counts it.
    pub async fn wait_turn(&self, bucket: &str) {
        loop {
            let now = Instant::now();
            let held = *self.global_hold.lock().await;
            if let Some(until) = held.filter(|u| *u > now) {
                tokio::time::sleep_until(until).await;
                continue;
            }
            let state = self.buckets.lock().await.get(bucket).copied();
            if let Some(b) = state.filter(|b| b.remaining == 0 && b.resets_at > now) {
                tokio::time::sleep_until(b.resets_at).await;
                continue;
            }
            let mut sent = self.sent.lock().await;
            while sent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
            {
                sent.pop_front();
            }
            if sent.len() >= GLOBAL_PER_SECOND {
                let until = sent[0] + Duration::from_secs(1);
                drop(sent);
                tokio::time::sleep_until(until).await;
                continue;
            }
            sent.push_back(now);
            if let Some(b) = self.buckets.lock().await.get_mut(bucket) {
                b.remaining = b.remaining.saturating_sub(1);
            }
            return;
        }
    }

    /// Reads X-RateLimit-Remaining and X-RateLimit-Reset-After from an answer.
    pub async fn learn(&self, bucket: &str, headers: &HeaderMap) {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<f64>().ok())
        };
        if let (Some(remaining), Some(reset_after)) =
            (number("x-ratelimit-remaining"), number("x-ratelimit-reset-after"))
        {
            let resets_at = Instant::now() + Duration::from_secs_f64(reset_after.clamp(0.0, 3600.0));
            self.buckets.lock().await.insert(
                bucket.to_string(),
                Bucket {
                    remaining: remaining as u32,
                    resets_at,
                },
            );
        }
    }

    /// After a 429: nothing more on this bucket (or at all, when global) for `wait`.
    pub async fn hold(&self, bucket: &str, wait: Duration, global: bool) {
        let until = Instant::now() + wait;
        if global {
            *self.global_hold.lock().await = Some(until);
        } else {
            self.buckets.lock().await.insert(
                bucket.to_string(),
                Bucket {
                    remaining: 0,
                    resets_at: until,
                },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn at_most_fifty_a_second_in_all() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for i in 0..120 {
            pacer.wait_turn(&format!("POST /channels/{i}/messages")).await;
        }
        // 120 requests: two full windows must pass before the last 20 may go.
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(2));
        assert!(Instant::now().duration_since(start) < Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn buckets_and_holds_are_respected() {
        let pacer = Pacer::default();
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        headers.insert("x-ratelimit-reset-after", HeaderValue::from_static("5"));
        pacer.learn("POST /channels/1/messages", &headers).await;
        let start = Instant::now();
        pacer.wait_turn("POST /channels/2/messages").await;
        assert_eq!(Instant::now(), start, "another bucket is not held back");
        pacer.wait_turn("POST /channels/1/messages").await;
        assert!(Instant::now().duration_since(start) >= Duration::from_secs(5));
        pacer.hold("any", Duration::from_secs(3), true).await;
        let held = Instant::now();
        pacer.wait_turn("POST /channels/3/messages").await;
        assert!(
            Instant::now().duration_since(held) >= Duration::from_secs(3),
            "a global 429 holds everything"
        );
    }
}
