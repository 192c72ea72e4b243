//! Semantic matching, optional: texts turned into vectors by an OpenAI-compatible
//! `/v1/embeddings` endpoint (EMBEDDINGS_URL), so that the ranking can fuse meaning with words.
//!
//! Each claim's two texts are embedded once per claims file (kept in memory by claim id) and each
//! item once (kept in memory by identity and model, so a change of model embeds again). When the
//! endpoint is slow, down or answers something that is not one vector per text, the ranking goes
//! on with words alone: one warning, and the next success says nothing more.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use serde::Deserialize;
use url::Url;

use crate::config::EmbeddingsConfig;
use crate::domain::claims::Claim;
use crate::domain::news::NewsItem;

/// Texts sent in one request, at most.
const BATCH: usize = 64;
/// Item vectors kept in memory at most; past this the cache starts again.
const MAX_CACHED_ITEMS: usize = 200_000;

/// The vectors one ranking needs: the claim's two texts and the window's items by identity.
pub struct DenseInputs {
    pub claim_zh: Vec<f32>,
    pub claim_en: Vec<f32>,
    pub items: HashMap<String, Vec<f32>>,
}

pub type ClaimVectors = (Vec<f32>, Vec<f32>);

pub struct Embeddings {
    http: reqwest::Client,
    endpoint: Url,
    config: EmbeddingsConfig,
    /// Per claim id: its Chinese and English texts' vectors.
    claims: Mutex<HashMap<String, ClaimVectors>>,
    items: Mutex<HashMap<String, Vec<f32>>>,
    warned: AtomicBool,
    /// Items sent in one request: halved after a ranking that ran out of time without a batch
    /// done (a CPU server may take longer than EMBEDDINGS_TIMEOUT_SECS over 64 texts, and would
    /// otherwise never embed any), doubled again after one that embedded all it needed.
    item_batch: AtomicUsize,
}

#[derive(Deserialize)]
struct Response {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    embedding: Vec<f32>,
    #[serde(default)]
    index: Option<usize>,
}

impl Embeddings {
    pub fn new(config: EmbeddingsConfig) -> anyhow::Result<Embeddings> {
        let base = config.url.as_str().trim_end_matches('/');
        let endpoint = if base.ends_with("/v1") {
            format!("{base}/embeddings")
        } else {
            format!("{base}/v1/embeddings")
        };
        Ok(Embeddings {
            http: reqwest::Client::builder()
                .timeout(config.timeout)
                .build()
                .context("building the embeddings client")?,
            endpoint: Url::parse(&endpoint)?,
            config,
            claims: Mutex::default(),
            items: Mutex::default(),
            warned: AtomicBool::new(false),
            item_batch: AtomicUsize::new(BATCH),
        })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// One vector per text, in order. An answer with another count, vectors of different or zero
    /// length, or numbers that are not finite, is an error.
    pub async fn embed(&self, texts: &[String]) -> anyhow::Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            let mut request = self
                .http
                .post(self.endpoint.clone())
                .json(&serde_json::json!({ "model": self.config.model, "input": batch }));
            if let Some(key) = &self.config.api_key {
                request = request.bearer_auth(key.expose());
            }
            // Without the URL in the error: some gateways take their key in the query string.
            let response = request
                .send()
                .await
                .map_err(reqwest::Error::without_url)
                .context("embeddings endpoint unreachable")?;
            let status = response.status();
            if !status.is_success() {
                bail!("embeddings endpoint answered {status}");
            }
            let mut answer: Response = response
                .json()
                .await
                .context("embeddings answer is not JSON of vectors")?;
            if answer.data.len() != batch.len() {
                bail!(
                    "embeddings endpoint gave {} vectors for {} texts",
                    answer.data.len(),
                    batch.len()
                );
            }
            if answer.data.iter().all(|d| d.index.is_some()) {
                answer.data.sort_by_key(|d| d.index);
            }
            out.extend(answer.data.into_iter().map(|d| d.embedding));
        }
        let dims = out.first().map_or(0, Vec::len);
        if out
            .iter()
            .any(|v| v.len() != dims || v.iter().any(|x| !x.is_finite()) || v.iter().all(|&x| x == 0.0))
            || (dims == 0 && !texts.is_empty())
        {
            bail!("embeddings endpoint answered vectors that are empty, zero, unequal or not numbers");
        }
        Ok(out)
    }

    /// The vectors to rank `claim` over `items` with, or `None` (after one warning) when the
    /// endpoint fails or takes longer than EMBEDDINGS_TIMEOUT_SECS.
    pub async fn inputs(&self, claim: &Claim, items: &[NewsItem]) -> Option<DenseInputs> {
        let known_before = self.known_count();
        let outcome = tokio::time::timeout(self.config.timeout, self.try_inputs(claim, items)).await;
        let resize = |grow: bool| {
            let _ = self.item_batch.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(if grow { (n * 2).min(BATCH) } else { (n / 2).max(1) })
            });
        };
        // The client's own timeout (the same length) usually ends the request first.
        let timed_out = match &outcome {
            Ok(Ok(_)) => false,
            Ok(Err(e)) => e.chain().any(|c| {
                c.downcast_ref::<reqwest::Error>()
                    .is_some_and(reqwest::Error::is_timeout)
            }),
            Err(_) => true,
        };
        if outcome.as_ref().is_ok_and(Result::is_ok) {
            resize(true);
        } else if timed_out && self.known_count() == known_before {
            resize(false);
        }
        match outcome {
            Ok(Ok(inputs)) => {
                if self.warned.swap(false, Ordering::AcqRel) {
                    tracing::info!("embeddings endpoint answers again: ranking uses meaning and words");
                }
                Some(inputs)
            }
            failure => {
                let why = match failure {
                    Ok(Err(e)) => format!("{e:#}"),
                    _ => format!("no answer within {} s", self.config.timeout.as_secs()),
                };
                if !self.warned.swap(true, Ordering::AcqRel) {
                    tracing::warn!(error = %why, "embeddings unavailable: ranking news by words alone");
                }
                None
            }
        }
    }

    async fn try_inputs(&self, claim: &Claim, items: &[NewsItem]) -> anyhow::Result<DenseInputs> {
        let (claim_zh, claim_en) = self.claim_vectors(claim).await?;
        self.embed_items(items).await?;
        Ok(DenseInputs {
            claim_zh,
            claim_en,
            items: self.known(items)?,
        })
    }

    /// The vectors of the claim's Chinese and English texts, embedded once per claim id.
    pub async fn claim_vectors(&self, claim: &Claim) -> anyhow::Result<ClaimVectors> {
        let cached = self.claims.lock().ok().and_then(|c| c.get(claim.id.as_str()).cloned());
        if let Some(pair) = cached {
            return Ok(pair);
        }
        let mut v = self.embed(&[claim.text.zh.clone(), claim.text.en.clone()]).await?;
        let en = v.pop().unwrap_or_default();
        let zh = v.pop().unwrap_or_default();
        if let Ok(mut c) = self.claims.lock() {
            c.insert(claim.id.to_string(), (zh.clone(), en.clone()));
        }
        Ok((zh, en))
    }

    fn known_count(&self) -> usize {
        self.items.lock().map_or(0, |known| known.len())
    }

    fn key(&self, item: &NewsItem) -> String {
        format!("{}\u{1f}{}", self.config.model, item.identity)
    }

    /// Embeds the items not embedded yet (title and summary, batch by batch) and says how many
    /// that was. Errors on the first batch that fails; the batches before it stay known.
    pub async fn embed_items(&self, items: &[NewsItem]) -> anyhow::Result<usize> {
        let missing: Vec<&NewsItem> = {
            let known = self
                .items
                .lock()
                .map_err(|_| anyhow::anyhow!("embeddings cache poisoned"))?;
            items.iter().filter(|i| !known.contains_key(&self.key(i))).collect()
        };
        // Kept batch by batch: a window too large for one ranking's time is embedded over several.
        let batch_size = self.item_batch.load(Ordering::Acquire).clamp(1, BATCH);
        for batch in missing.chunks(batch_size) {
            let texts: Vec<String> = batch
                .iter()
                .map(|i| format!("{}\n{}", i.title, i.summary).trim().to_string())
                .collect();
            let vectors = self.embed(&texts).await?;
            let mut known = self
                .items
                .lock()
                .map_err(|_| anyhow::anyhow!("embeddings cache poisoned"))?;
            if known.len() + vectors.len() > MAX_CACHED_ITEMS {
                known.clear();
            }
            for (item, v) in batch.iter().zip(vectors) {
                known.insert(self.key(item), v);
            }
        }
        Ok(missing.len())
    }

    /// The vectors known for `items`, by identity (items not embedded yet are absent).
    pub fn known(&self, items: &[NewsItem]) -> anyhow::Result<HashMap<String, Vec<f32>>> {
        let known = self
            .items
            .lock()
            .map_err(|_| anyhow::anyhow!("embeddings cache poisoned"))?;
        Ok(items
            .iter()
            .filter_map(|i| known.get(&self.key(i)).map(|v| (i.identity.clone(), v.clone())))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimSet;
    use crate::domain::ranking::{DenseQuery, NewsIndex, RankOptions};
    use axum::extract::State;
    use axum::http::{header, StatusCode};
    use axum::response::{IntoResponse, Response as HttpResponse};
    use chrono::{TimeZone, Utc};
    use std::sync::Arc;
    use std::time::Duration;

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Mode {
        Good,
        Fails,
        Garbage,
        WrongCount,
        Slow,
        /// 100 ms for each text: a server that needs more than the timeout for a big batch.
        SlowPerText,
    }

    /// A fake embeddings server on 127.0.0.1: texts about teaching point one way, the rest
    /// elsewhere, whatever their language.
    async fn fake(mode: Arc<std::sync::Mutex<Mode>>) -> Url {
        async fn answer(State(mode): State<Arc<std::sync::Mutex<Mode>>>, body: String) -> HttpResponse {
            let mode = *mode.lock().unwrap();
            let request: serde_json::Value = serde_json::from_str(&body).unwrap();
            let inputs: Vec<String> = request["input"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let vector = |text: &str| -> Vec<f32> {
                if ["导师", "teacher", "tutor"].iter().any(|w| text.contains(w)) {
                    vec![1.0, 0.05, 0.0]
                } else if text.contains("market") {
                    vec![0.0, 1.0, 0.1]
                } else {
                    vec![0.1, 0.2, 1.0]
                }
            };
            let mut data: Vec<serde_json::Value> = inputs
                .iter()
                .enumerate()
                .map(|(i, t)| serde_json::json!({ "index": i, "embedding": vector(t) }))
                .collect();
            let json = |v: serde_json::Value| {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    v.to_string(),
                )
                    .into_response()
            };
            match mode {
                Mode::Good => json(serde_json::json!({ "data": data })),
                Mode::Fails => (StatusCode::INTERNAL_SERVER_ERROR, "overloaded").into_response(),
                Mode::Garbage => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"data\": [1, 2",
                )
                    .into_response(),
                Mode::WrongCount => {
                    data.pop();
                    json(serde_json::json!({ "data": data }))
                }
                Mode::Slow => {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    json(serde_json::json!({ "data": data }))
                }
                Mode::SlowPerText => {
                    tokio::time::sleep(Duration::from_millis(100) * data.len() as u32).await;
                    json(serde_json::json!({ "data": data }))
                }
            }
        }
        let app = axum::Router::new()
            .route("/v1/embeddings", axum::routing::post(answer))
            .with_state(mode);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Url::parse(&format!("http://{addr}")).unwrap()
    }

    fn claim() -> Claim {
        let set = ClaimSet::parse(
            r#"
[essay]
title = { zh = "测试", en = "Test" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "tutors"
section = { zh = "一", en = "一" }
text = { zh = "虚拟导师几乎已经实现。", en = "虚拟导师几乎已经实现。" }
kind = "opinion"
"#,
        )
        .unwrap();
        set.claims()[0].clone()
    }

    fn items() -> Vec<NewsItem> {
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        [
            "Study mode turns the chatbot into a patient teacher",
            "Stock markets rally on rate cut",
            "New phone comes in green",
            "Weather turns cold",
        ]
        .iter()
        .enumerate()
        .map(|(n, title)| NewsItem {
            identity: format!("id-{n}"),
            story_key: Some(format!("example.com/{n}")),
            title: title.to_string(),
            url: Some(format!("https://example.com/{n}")),
            summary: String::new(),
            source: "Test".into(),
            published: Some(at),
            seen_at: at,
        })
        .collect()
    }

    fn embeddings(url: Url, timeout: Duration) -> Embeddings {
        Embeddings::new(EmbeddingsConfig {
            url,
            model: "fake-model".into(),
            api_key: Some(crate::config::Secret::new("key")),
            timeout,
        })
        .unwrap()
    }

    fn rank(inputs: Option<&DenseInputs>, claim: &Claim, items: Vec<NewsItem>) -> Vec<String> {
        let options = RankOptions {
            limit: 3,
            dense: inputs.map(|d| DenseQuery {
                claim_zh: &d.claim_zh,
                claim_en: &d.claim_en,
                items: &d.items,
            }),
            ..Default::default()
        };
        NewsIndex::new(items)
            .rank(claim, &options)
            .into_iter()
            .map(|r| r.item.title)
            .collect()
    }

    #[tokio::test]
    async fn fusion_lets_a_chinese_claim_find_an_english_item() {
        let mode = Arc::new(std::sync::Mutex::new(Mode::Good));
        let e = embeddings(fake(mode).await, Duration::from_secs(5));
        let (claim, items) = (claim(), items());
        assert!(rank(None, &claim, items.clone()).is_empty(), "no shared word");
        let inputs = e.inputs(&claim, &items).await.expect("the fake answers");
        assert_eq!(inputs.items.len(), 4);
        assert_eq!(
            rank(Some(&inputs), &claim, items),
            ["Study mode turns the chatbot into a patient teacher"]
        );
    }

    #[tokio::test]
    async fn failures_garbage_and_timeouts_fall_back_to_words_alone() {
        let mode = Arc::new(std::sync::Mutex::new(Mode::Fails));
        let url = fake(mode.clone()).await;
        let (claim, items) = (claim(), items());
        for bad in [Mode::Fails, Mode::Garbage, Mode::WrongCount, Mode::Slow] {
            *mode.lock().unwrap() = bad;
            // A fresh client each time: nothing cached from an earlier answer.
            let e = embeddings(url.clone(), Duration::from_millis(1500));
            let started = std::time::Instant::now();
            assert!(e.inputs(&claim, &items).await.is_none(), "{bad:?}");
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "{bad:?}: waited past the timeout"
            );
            assert!(e.warned.load(Ordering::Acquire), "{bad:?}: warned");
            // Still failing: no second warning (the flag stays up), and ranking by words goes on.
            assert!(e.inputs(&claim, &items).await.is_none());
            assert!(rank(None, &claim, items.clone()).is_empty());
        }
        // Back again: used, and the warning is cleared for the next outage.
        *mode.lock().unwrap() = Mode::Good;
        let e = embeddings(url, Duration::from_secs(5));
        e.warned.store(true, Ordering::Release);
        assert!(e.inputs(&claim, &items).await.is_some());
        assert!(!e.warned.load(Ordering::Acquire));
    }

    #[tokio::test]
    async fn a_server_too_slow_for_a_whole_batch_is_sent_smaller_ones() {
        let mode = Arc::new(std::sync::Mutex::new(Mode::SlowPerText));
        let e = embeddings(fake(mode).await, Duration::from_millis(700));
        let claim = claim();
        let claim_vectors = e.claim_vectors(&claim).await.expect("two texts fit the time");
        assert_eq!(claim_vectors.0.len(), 3);
        // Twelve items take 1.2 s in one request: the first ranking gets nothing in time.
        let many: Vec<NewsItem> = (0..3)
            .flat_map(|_| items())
            .enumerate()
            .map(|(n, mut item)| {
                item.identity = format!("id-{n}");
                item
            })
            .collect();
        assert!(e.inputs(&claim, &many).await.is_none());
        assert_eq!(e.item_batch.load(Ordering::Acquire), BATCH / 2);
        // Halved until a batch fits; after that each ranking keeps what it embedded in time.
        let mut rankings = 1;
        let inputs = loop {
            rankings += 1;
            assert!(rankings < 20, "never embedded the window");
            if let Some(inputs) = e.inputs(&claim, &many).await {
                break inputs;
            }
        };
        assert_eq!(inputs.items.len(), many.len());
        let size = e.item_batch.load(Ordering::Acquire);
        assert!((2..=BATCH).contains(&size), "grown again after a success: {size}");
    }

    #[tokio::test]
    async fn the_endpoint_is_the_base_url_plus_v1_embeddings() {
        for (base, endpoint) in [
            ("http://127.0.0.1:11434", "http://127.0.0.1:11434/v1/embeddings"),
            ("http://127.0.0.1:8080/v1", "http://127.0.0.1:8080/v1/embeddings"),
            ("https://api.example.com/v1/", "https://api.example.com/v1/embeddings"),
        ] {
            let e = embeddings(Url::parse(base).unwrap(), Duration::from_secs(1));
            assert_eq!(e.endpoint.as_str(), endpoint);
        }
    }
}
