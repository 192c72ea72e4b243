//! Semantic matching, optional: texts turned into vectors by an OpenAI-compatible
//! `/v1/embeddings` endpoint (EMBEDDINGS_URL), so that the ranking can fuse meaning with words.
//!
//! Each claim's two texts are embedded once per claims file (kept in memory by the texts). Each
//! item is embedded once, soon after ingest, by the embedder ([`App::run_embedder_once`]), and its
//! vector kept with the item in the database, the model named (with the document prefix, when
//! one is set: EMBEDDINGS_DOCUMENT_PREFIX): a change of either embeds again. A
//! ranking reads the window's vectors from memory, then from the database, and embeds only what
//! neither has. When the endpoint is slow, down or answers something that is not one vector per
//! text, the ranking goes on with words alone: one warning, and the next success says nothing
//! more.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::App;
use crate::config::EmbeddingsConfig;
use crate::domain::claims::Claim;
use crate::domain::news::NewsItem;
use crate::domain::ranking::{cosine, ItemVectors, Vector};
use crate::store::Store;

/// Texts sent in one request, at most.
const BATCH: usize = 64;
/// Numbers of item vectors kept in memory at most (256 MB: a 14-day window of 50,000 items at
/// 1,024 dimensions fits, with room); past this the vectors kept longest are let go, and
/// rankings that need them read the database's copy.
const MAX_CACHED_NUMBERS: usize = 64 * 1024 * 1024;

/// The vectors one ranking needs: the claim's two texts and the window's items by identity.
pub struct DenseInputs {
    pub claim_zh: Vec<f32>,
    pub claim_en: Vec<f32>,
    pub items: ItemVectors,
}

pub type ClaimVectors = (Vec<f32>, Vec<f32>);

pub struct Embeddings {
    http: reqwest::Client,
    endpoint: Url,
    config: EmbeddingsConfig,
    /// What item vectors are stored under ([`EmbeddingsConfig::vectors_name`]).
    vectors_name: String,
    /// Per claim, by its two texts (not its id: a claims file whose text changed is embedded
    /// again, and two sets that reuse an id never share vectors): their vectors.
    claims: Mutex<HashMap<(String, String), ClaimVectors>>,
    items: Mutex<Cache>,
    warned: AtomicBool,
    /// Whether a text the endpoint refused alone was warned about (once per process).
    warned_refusal: AtomicBool,
    /// Items sent in one request: halved after a ranking that ran out of time without a batch
    /// done (a CPU server may take longer than EMBEDDINGS_TIMEOUT_SECS over 64 texts, and would
    /// otherwise never embed any), doubled again after one that embedded all it needed.
    item_batch: AtomicUsize,
    /// Where item vectors are kept (the bot's database); `claims eval` keeps them in memory only.
    store: Option<Store>,
    /// Rung by ingest when a fetch stored new items: the embedder's cue.
    new_items: tokio::sync::Notify,
    /// When this process last checked that the model behind the name is unchanged, and what the
    /// probe text's vector was then.
    model_checked: Mutex<Option<(std::time::Instant, Vec<f32>)>>,
}

/// Item vectors in memory by model and identity, and how many numbers they hold. Rankings get
/// shared references: several servers posting at the same minute do not each copy the window.
struct Cache {
    vectors: HashMap<String, Vector>,
    /// Keys in the order they came: when full, the first let go is the vector kept longest,
    /// which is mostly the oldest item, the first to leave every window.
    order: VecDeque<String>,
    numbers: usize,
    limit: usize,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::with_limit(MAX_CACHED_NUMBERS)
    }
}

impl Cache {
    fn with_limit(limit: usize) -> Cache {
        Cache {
            vectors: HashMap::new(),
            order: VecDeque::new(),
            numbers: 0,
            limit,
        }
    }

    fn insert(&mut self, key: String, v: Vector) {
        self.numbers += v.len();
        match self.vectors.insert(key.clone(), v) {
            Some(old) => self.numbers -= old.len(),
            None => self.order.push_back(key),
        }
        while self.numbers > self.limit {
            let Some(oldest) = self.order.pop_front() else { break };
            if let Some(old) = self.vectors.remove(&oldest) {
                self.numbers -= old.len();
            }
        }
    }

    /// Forgets everything, keeping the limit.
    fn clear(&mut self) {
        *self = Cache::with_limit(self.limit);
    }
}

/// A window's item vectors, and how many of them the endpoint made just now.
pub struct WindowVectors {
    pub vectors: ItemVectors,
    pub embedded: usize,
}

/// What one pass of the embedder did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct EmbedderOutcome {
    /// Items whose vectors were made by the endpoint in this pass.
    pub embedded: usize,
    /// Items whose vectors this process had made already (at a ranking) and now stored.
    pub stored_from_memory: usize,
    /// The pass stopped at its limit: more items may be waiting.
    pub more: bool,
    /// The model behind the name answered differently than when the stored vectors were made:
    /// this many were deleted, to be made again.
    pub model_changed: Option<u64>,
}

/// Items one embedder pass takes at most; a loop runs passes until one is not full.
const EMBEDDER_PASS: u32 = 256;

/// The text embedded to tell whether the model behind a name is still the one that made the
/// stored vectors (see [`Embeddings::check_model`]). Never change it: a new text reads as a new
/// model, and every stored vector would be made again.
const PROBE_TEXT: &str = "claim-digest probe: the same model gives this text the same vector";

/// How close the probe's vector must stay to the recorded one for the model to count as the same:
/// one model answers the same text alike to about a millionth (batching and threads change the
/// last digits), while two models' vectors, even of one family, are much further apart.
const SAME_MODEL: f32 = 0.99;

/// How often each process asks the probe again while it runs.
const MODEL_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Items whose vectors one delete takes, when a changed model's are forgotten: the write lock is
/// held briefly, as retention's batches hold it.
const FORGET_BATCH: u32 = 500;

/// The one warning for a model found changed behind its name, wherever it was found.
pub fn warn_model_changed(model: &str, deleted: u64) {
    tracing::warn!(
        model,
        deleted,
        "the embeddings server answers differently under this model's name than when the stored vectors were made: they were deleted and the news is embedded again"
    );
}

/// What [`Embeddings::check_model`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelCheck {
    /// No probe was recorded for this name yet; now one is.
    Recorded,
    Same,
    /// The server answers differently under this name: its stored vectors were deleted.
    Changed {
        deleted: u64,
    },
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
            vectors_name: config.vectors_name(),
            config,
            claims: Mutex::default(),
            items: Mutex::default(),
            warned: AtomicBool::new(false),
            warned_refusal: AtomicBool::new(false),
            item_batch: AtomicUsize::new(BATCH),
            store: None,
            new_items: tokio::sync::Notify::new(),
            model_checked: Mutex::new(None),
        })
    }

    /// The same, keeping item vectors in `store`.
    pub fn with_store(mut self, store: Store) -> Embeddings {
        self.store = Some(store);
        self
    }

    /// Ingest stored new items: the embedder wakes.
    pub fn new_items_stored(&self) {
        self.new_items.notify_one();
    }

    /// Until ingest next stores new items (at once if it did since the last wait).
    pub async fn wait_for_new_items(&self) {
        self.new_items.notified().await;
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// The prefixes put before claim texts and before items' texts.
    pub fn prefixes(&self) -> (&str, &str) {
        (&self.config.query_prefix, &self.config.document_prefix)
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
                return Err(Refused(status).into());
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
        // The client's own timeout (the same length) usually ends the request first.
        let timed_out = match &outcome {
            Ok(Ok(_)) => false,
            Ok(Err(e)) => is_timeout(e),
            Err(_) => true,
        };
        if outcome.as_ref().is_ok_and(Result::is_ok) {
            self.resize_item_batch(true);
        } else if timed_out && self.known_count() == known_before {
            self.resize_item_batch(false);
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
        // Every process checks the model now and then, not only the embedder's: a ranking here
        // must not go on with vectors it holds from the model before.
        // A database that cannot be read is not the endpoint's failure: the ranking goes on.
        match self.check_model_if_due().await {
            Ok(Some(ModelCheck::Changed { deleted })) => warn_model_changed(self.model(), deleted),
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %format!("{e:#}"), "the embeddings model was not checked"),
        }
        let (claim_zh, claim_en) = self.claim_vectors(claim).await?;
        let window = self.item_vectors(items, claim_zh.len()).await?;
        Ok(DenseInputs {
            claim_zh,
            claim_en,
            items: window.vectors,
        })
    }

    /// Embeds one short text, as `claim-digest check` asks: the numbers in its vector.
    pub async fn probe(&self) -> anyhow::Result<usize> {
        let text = format!("{}claim-digest check", self.config.query_prefix);
        let vectors = self.embed(&[text]).await?;
        Ok(vectors.first().map_or(0, Vec::len))
    }

    /// The vectors of the claim's Chinese and English texts, embedded once per text.
    pub async fn claim_vectors(&self, claim: &Claim) -> anyhow::Result<ClaimVectors> {
        let key = (claim.text.zh.clone(), claim.text.en.clone());
        let cached = self.claims.lock().ok().and_then(|c| c.get(&key).cloned());
        if let Some(pair) = cached {
            return Ok(pair);
        }
        let prefix = &self.config.query_prefix;
        let texts = [
            format!("{prefix}{}", claim.text.zh),
            format!("{prefix}{}", claim.text.en),
        ];
        let mut v = self.embed(&texts).await?;
        let en = v.pop().unwrap_or_default();
        let zh = v.pop().unwrap_or_default();
        if let Ok(mut c) = self.claims.lock() {
            c.insert(key, (zh.clone(), en.clone()));
        }
        Ok((zh, en))
    }

    fn known_count(&self) -> usize {
        self.items.lock().map_or(0, |known| known.vectors.len())
    }

    fn key(&self, item: &NewsItem) -> String {
        self.key_of(&item.identity)
    }

    fn key_of(&self, identity: &str) -> String {
        format!("{}\u{1f}{}", self.vectors_name, identity)
    }

    /// The vectors of `items` (title and summary) by identity, each of `dims` numbers (the
    /// claim's): read from memory, then from the database, and what neither has embedded, batch
    /// by batch, and kept in both. A vector of another length was made by another model served
    /// under the same name: it counts as missing and is replaced. The set is gathered here, not
    /// read back from the cache, which may let go of its first vectors halfway through a large
    /// window. Errors on the first batch that fails; the batches before it stay known.
    pub async fn item_vectors(&self, items: &[NewsItem], dims: usize) -> anyhow::Result<WindowVectors> {
        let mut vectors = self.known(items)?;
        vectors.retain(|_, v| v.len() == dims);
        let mut missing: Vec<&NewsItem> = items.iter().filter(|i| !vectors.contains_key(&i.identity)).collect();
        if let (Some(store), false) = (&self.store, missing.is_empty()) {
            let missing_items: Vec<NewsItem> = missing.iter().map(|&i| i.clone()).collect();
            match store.item_vectors(&self.vectors_name, &missing_items).await {
                Ok(stored) => {
                    let stored: Vec<(String, Vector)> = stored
                        .into_iter()
                        .filter(|(_, v)| v.len() == dims)
                        .map(|(identity, v)| (identity, v.into()))
                        .collect();
                    self.remember(stored.iter().map(|(identity, v)| (self.key_of(identity), v.clone())))?;
                    vectors.extend(stored);
                    missing.retain(|i| !vectors.contains_key(&i.identity));
                }
                // The database's trouble is not the endpoint's: what it keeps is asked for again.
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "could not read stored item vectors; embedding them again")
                }
            }
        }
        let made = self.embed_and_keep(&missing).await?;
        let embedded = made.len();
        vectors.extend(made);
        Ok(WindowVectors { vectors, embedded })
    }

    fn remember(&self, vectors: impl IntoIterator<Item = (String, Vector)>) -> anyhow::Result<()> {
        let mut known = self
            .items
            .lock()
            .map_err(|_| anyhow::anyhow!("embeddings cache poisoned"))?;
        for (key, v) in vectors {
            known.insert(key, v);
        }
        Ok(())
    }

    /// Embeds `items` batch by batch, each batch kept in memory and in the database as it comes.
    /// Returns the vectors made, by identity; an item whose text the endpoint refused alone is
    /// left out (see [`Embeddings::embed_each`]).
    async fn embed_and_keep(&self, items: &[&NewsItem]) -> anyhow::Result<Vec<(String, Vector)>> {
        // Kept batch by batch: a window too large for one ranking's time is embedded over several.
        let batch_size = self.item_batch.load(Ordering::Acquire).clamp(1, BATCH);
        let mut made = Vec::with_capacity(items.len());
        for batch in items.chunks(batch_size) {
            let texts: Vec<String> = batch
                .iter()
                .map(|i| format!("{}{}", self.config.document_prefix, item_text(i)))
                .collect();
            let vectors: Vec<Option<Vec<f32>>> = match self.embed(&texts).await {
                Ok(vectors) => vectors.into_iter().map(Some).collect(),
                Err(e) if is_refusal(&e) => self.embed_each(&texts, e).await?,
                Err(e) => return Err(e),
            };
            let kept: Vec<(&NewsItem, Vec<f32>)> = batch
                .iter()
                .zip(vectors)
                .filter_map(|(&item, v)| Some((item, v?)))
                .collect();
            self.keep_in_store(kept.iter().map(|(item, v)| (*item, v.as_slice())))
                .await;
            let kept: Vec<(String, Vector)> = kept.into_iter().map(|(i, v)| (i.identity.clone(), v.into())).collect();
            self.remember(kept.iter().map(|(identity, v)| (self.key_of(identity), v.clone())))?;
            made.extend(kept);
        }
        Ok(made)
    }

    /// A batch the endpoint refused (400, 413, 422: one text too long for its tokenizer, say),
    /// sent again one text at a time, so that one item it will never take does not keep the rest
    /// from being embedded on every pass. Those refused alone are `None`: ranked by words alone,
    /// and asked for again at the next pass. When every text of a batch is refused alone, the
    /// endpoint refuses everything (a wrong model name) and the batch's error stands.
    async fn embed_each(&self, texts: &[String], batch_error: anyhow::Error) -> anyhow::Result<Vec<Option<Vec<f32>>>> {
        let mut each = Vec::with_capacity(texts.len());
        if texts.len() > 1 {
            for text in texts {
                match self.embed(std::slice::from_ref(text)).await {
                    Ok(mut v) => each.push(v.pop()),
                    Err(e) if is_refusal(&e) => each.push(None),
                    Err(e) => return Err(e),
                }
            }
            if each.iter().all(Option::is_none) {
                return Err(batch_error);
            }
        } else {
            each.push(None);
        }
        let refused = each.iter().filter(|v| v.is_none()).count();
        if !self.warned_refusal.swap(true, Ordering::AcqRel) {
            tracing::warn!(refused, error = %format!("{batch_error:#}"), "the embeddings endpoint refused some items' texts; they are ranked by words alone");
        }
        Ok(each)
    }

    /// Stores vectors with their items. A database that cannot take them costs a later embedding,
    /// not this ranking: the failure is logged and the vectors stay in memory.
    async fn keep_in_store(&self, vectors: impl Iterator<Item = (&NewsItem, &[f32])>) {
        let Some(store) = &self.store else { return };
        let vectors: Vec<(&NewsItem, &[f32])> = vectors.collect();
        if let Err(e) = store.put_item_vectors(&self.vectors_name, &vectors).await {
            tracing::warn!(error = %format!("{e:#}"), items = vectors.len(), "could not store item vectors; they will be made again");
        }
    }

    /// Whether the model behind the name still answers as it did when the stored vectors were
    /// made, told by one fixed text (prefixed as items are) whose vector is recorded the first
    /// time. A name's model can change without the name (a model pulled again under the same
    /// tag, another server behind the URL); its stored vectors would then be another model's,
    /// and similarities between the two meaningless. On a change they are deleted and the new
    /// answer recorded, so the embedder makes the window's vectors again. This process's own
    /// vectors in memory, claims' included, are dropped when the answer differs from the one it
    /// saw last, whichever process found the change first.
    pub async fn check_model(&self) -> anyhow::Result<ModelCheck> {
        let Some(store) = &self.store else {
            anyhow::bail!("checking the model needs the database");
        };
        let text = format!("{}{PROBE_TEXT}", self.config.document_prefix);
        let now = self.embed(&[text]).await?.pop().unwrap_or_default();
        let same = |before: &[f32]| cosine(before, &now).is_some_and(|c| c >= SAME_MODEL);
        let seen_here = self
            .model_checked
            .lock()
            .ok()
            .and_then(|mut checked| checked.replace((std::time::Instant::now(), now.clone())))
            .map(|(_, probe)| probe);
        if seen_here.is_some_and(|before| !same(&before)) {
            self.forget_in_memory();
        }
        let check = match store.model_probe(&self.vectors_name).await? {
            None => ModelCheck::Recorded,
            Some(before) if same(&before) => return Ok(ModelCheck::Same),
            Some(_) => {
                self.forget_in_memory();
                let deleted = store.forget_model_vectors(&self.vectors_name, FORGET_BATCH).await?;
                ModelCheck::Changed { deleted }
            }
        };
        store.set_model_probe(&self.vectors_name, &now).await?;
        Ok(check)
    }

    /// [`Embeddings::check_model`] when this process has not checked within the hour (and keeps
    /// its vectors in a database); `None` otherwise.
    async fn check_model_if_due(&self) -> anyhow::Result<Option<ModelCheck>> {
        let due = self
            .model_checked
            .lock()
            .map(|checked| checked.as_ref().is_none_or(|(at, _)| at.elapsed() >= MODEL_CHECK_EVERY))
            .unwrap_or(true);
        if !due || self.store.is_none() {
            return Ok(None);
        }
        self.check_model().await.map(Some)
    }

    fn forget_in_memory(&self) {
        if let Ok(mut known) = self.items.lock() {
            known.clear();
        }
        if let Ok(mut claims) = self.claims.lock() {
            claims.clear();
        }
    }

    /// One pass of the embedder: up to [`EMBEDDER_PASS`] items of the window ending `now` that
    /// have no stored vector by this model, newest first, embedded and stored (or only stored,
    /// when a ranking here embedded them already). The first pass, and one an hour after, checks
    /// the model first ([`Embeddings::check_model`]).
    pub async fn run_once(&self, since: DateTime<Utc>) -> anyhow::Result<EmbedderOutcome> {
        let Some(store) = &self.store else {
            anyhow::bail!("the embedder needs the database to keep vectors in");
        };
        let model_changed = match self.check_model_if_due().await? {
            Some(ModelCheck::Changed { deleted }) => Some(deleted),
            _ => None,
        };
        let waiting = store
            .items_without_vector(&self.vectors_name, since, EMBEDDER_PASS)
            .await?;
        let more = waiting.len() == EMBEDDER_PASS as usize;
        let in_memory = self.known(&waiting)?;
        let (known, unknown): (Vec<&NewsItem>, Vec<&NewsItem>) =
            waiting.iter().partition(|i| in_memory.contains_key(&i.identity));
        if !known.is_empty() {
            let vectors: Vec<(&NewsItem, &[f32])> = known.iter().map(|&i| (i, &*in_memory[&i.identity])).collect();
            store.put_item_vectors(&self.vectors_name, &vectors).await?;
        }
        let progress = self.known_count();
        let made = match self.embed_and_keep(&unknown).await {
            Ok(made) => made,
            Err(e) => {
                if is_timeout(&e) && self.known_count() == progress {
                    self.resize_item_batch(false);
                }
                return Err(e);
            }
        };
        Ok(EmbedderOutcome {
            embedded: made.len(),
            stored_from_memory: known.len(),
            more,
            model_changed,
        })
    }

    fn resize_item_batch(&self, grow: bool) {
        let _ = self.item_batch.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            Some(if grow { (n * 2).min(BATCH) } else { (n / 2).max(1) })
        });
    }

    /// The vectors known for `items`, by identity (items not embedded yet are absent), shared
    /// with the cache.
    pub fn known(&self, items: &[NewsItem]) -> anyhow::Result<ItemVectors> {
        let known = self
            .items
            .lock()
            .map_err(|_| anyhow::anyhow!("embeddings cache poisoned"))?;
        Ok(items
            .iter()
            .filter_map(|i| known.vectors.get(&self.key(i)).map(|v| (i.identity.clone(), v.clone())))
            .collect())
    }
}

/// Characters of an item's title and summary sent to be embedded, at most. Some servers refuse a
/// text longer than the model's context (512 tokens for the e5 family) rather than cut it, and
/// one such item would fail its whole batch every time. In Chinese a character is about a token;
/// in English 500 characters still hold the title and the first lines of the summary.
const MAX_TEXT_CHARS: usize = 500;

fn item_text(item: &NewsItem) -> String {
    let text = format!("{}\n{}", item.title, item.summary);
    let text = text.trim();
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((end, _)) => text[..end].trim_end().to_string(),
        None => text.to_string(),
    }
}

/// The endpoint answered with an error status.
#[derive(Debug)]
struct Refused(reqwest::StatusCode);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "embeddings endpoint answered {}", self.0)
    }
}

impl std::error::Error for Refused {}

/// Whether the endpoint refused what was sent rather than failed: a status that blames the
/// request's content (not its key, its address or the server's load).
fn is_refusal(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        c.downcast_ref::<Refused>()
            .is_some_and(|Refused(status)| matches!(status.as_u16(), 400 | 413 | 422))
    })
}

fn is_timeout(error: &anyhow::Error) -> bool {
    error.chain().any(|c| {
        c.downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_timeout)
    })
}

impl App {
    /// One pass of the embedder over the news window ending `now` (see [`Embeddings::run_once`]);
    /// `None` without EMBEDDINGS_URL.
    pub async fn run_embedder_once(&self, now: DateTime<Utc>) -> Option<anyhow::Result<EmbedderOutcome>> {
        let embeddings = self.embeddings.as_ref()?;
        let since = now - chrono::Duration::days(i64::from(self.config.news_window_days));
        let outcome = embeddings.run_once(since).await;
        if let Ok(done) = &outcome {
            crate::metrics::Metrics::add(
                &self.metrics.items_embedded,
                (done.embedded + done.stored_from_memory) as u64,
            );
        }
        Some(outcome)
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

    fn vector(n: usize, x: f32) -> Vector {
        vec![x; n].into()
    }

    #[test]
    fn a_full_cache_lets_go_of_the_vectors_kept_longest_and_no_more() {
        let mut cache = Cache::with_limit(10);
        for (key, x) in [("a", 1.0), ("b", 2.0), ("c", 3.0)] {
            cache.insert(key.into(), vector(3, x));
        }
        assert_eq!(cache.numbers, 9);
        // Storing "a" again changes its vector, not its place in line nor the count.
        cache.insert("a".into(), vector(3, 4.0));
        assert_eq!((cache.numbers, cache.order.len()), (9, 3));
        cache.insert("d".into(), vector(3, 5.0));
        let mut kept: Vec<&str> = cache.vectors.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["b", "c", "d"], "only the first in line is let go");
        assert_eq!(cache.numbers, 9);
        assert_eq!(cache.order, ["b", "c", "d"]);
        // A vector larger than the rest together clears the way for itself.
        cache.insert("e".into(), vector(8, 6.0));
        assert_eq!(cache.vectors.keys().collect::<Vec<_>>(), ["e"]);
        assert_eq!(cache.numbers, 8);
        cache.clear();
        assert_eq!(
            (cache.numbers, cache.vectors.len(), cache.order.len(), cache.limit),
            (0, 0, 0, 10)
        );
    }

    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Mode {
        Good,
        Fails,
        Garbage,
        WrongCount,
        Slow,
        /// 100 ms for each text: a server that needs more than the timeout for a big batch.
        SlowPerText,
        /// 400 for any request holding a text about the weather, as a server answers a text its
        /// tokenizer will not take.
        RefusesWeather,
        /// 400 for everything, as for a model it does not know.
        RefusesAll,
        /// Another model under the same name: the same texts, other vectors of the same length.
        OtherModel,
    }

    /// A fake embeddings server on 127.0.0.1: texts about teaching point one way, the rest
    /// elsewhere, whatever their language.
    async fn fake(mode: Arc<std::sync::Mutex<Mode>>) -> Url {
        fake_counting(mode, Arc::default()).await
    }

    type Sent = Arc<std::sync::Mutex<Vec<String>>>;
    type FakeState = (Arc<std::sync::Mutex<Mode>>, Arc<AtomicUsize>, Sent);

    /// As [`fake`], adding to `texts` the number of texts each request asks for.
    async fn fake_counting(mode: Arc<std::sync::Mutex<Mode>>, texts: Arc<AtomicUsize>) -> Url {
        fake_recording(mode, texts, Sent::default()).await
    }

    /// As [`fake_counting`], keeping in `sent` every text asked for, in order.
    async fn fake_recording(mode: Arc<std::sync::Mutex<Mode>>, texts: Arc<AtomicUsize>, sent: Sent) -> Url {
        async fn answer(State((mode, texts, sent)): State<FakeState>, body: String) -> HttpResponse {
            let mode = *mode.lock().unwrap();
            let request: serde_json::Value = serde_json::from_str(&body).unwrap();
            let inputs: Vec<String> = request["input"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            // The embedder's probe of the model is not counted: the tests count news and claims.
            let asked: Vec<&String> = inputs.iter().filter(|t| !t.contains(PROBE_TEXT)).collect();
            texts.fetch_add(asked.len(), Ordering::SeqCst);
            sent.lock().unwrap().extend(asked.into_iter().cloned());
            let vector = |text: &str| -> Vec<f32> {
                let v = if ["导师", "teacher", "tutor"].iter().any(|w| text.contains(w)) {
                    vec![1.0, 0.05, 0.0]
                } else if text.contains("market") {
                    vec![0.0, 1.0, 0.1]
                } else {
                    vec![0.1, 0.2, 1.0]
                };
                if mode == Mode::OtherModel {
                    v.into_iter().rev().collect()
                } else {
                    v
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
                Mode::Good | Mode::OtherModel => json(serde_json::json!({ "data": data })),
                Mode::RefusesWeather if inputs.iter().any(|t| t.contains("Weather")) => {
                    (StatusCode::BAD_REQUEST, "input too long").into_response()
                }
                Mode::RefusesWeather => json(serde_json::json!({ "data": data })),
                Mode::RefusesAll => (StatusCode::BAD_REQUEST, "unknown model").into_response(),
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
            .with_state((mode, texts, sent));
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
            query_prefix: String::new(),
            document_prefix: String::new(),
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

    /// The app over an in-memory database, embedding with the fake at `url` by `model`.
    async fn app_embedding(url: &Url, model: &str) -> App {
        let (url, model) = (url.to_string(), model.to_string());
        let config = crate::config::Config::from_lookup(|key| match key {
            "EMBEDDINGS_URL" => Some(url.clone()),
            "EMBEDDINGS_MODEL" => Some(model.clone()),
            _ => None,
        })
        .unwrap();
        crate::services::test_app::app(config).await
    }

    /// What a ranking of `claim` over `items` by `app` gets, or `None` when it falls back.
    async fn app_inputs(app: &App, claim: &Claim, items: &[NewsItem]) -> Option<DenseInputs> {
        app.embeddings.as_ref()?.inputs(claim, items).await
    }

    /// The same database, as a second process (or the bot after a restart) sees it.
    fn same_database(app: &App, model: &str) -> App {
        let mut config = app.config.embeddings.clone().unwrap();
        config.model = model.into();
        let embeddings = Embeddings::new(config).unwrap().with_store(app.store.clone());
        App {
            embeddings: Some(Arc::new(embeddings)),
            ..app.clone()
        }
    }

    #[tokio::test]
    async fn items_are_embedded_once_after_ingest_and_kept_with_them() {
        let texts = Arc::new(AtomicUsize::new(0));
        let url = fake_counting(Arc::new(std::sync::Mutex::new(Mode::Good)), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let items = items();
        let now = items[0].seen_at + chrono::Duration::hours(1);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();

        let outcome = app.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!(
            (outcome.embedded, outcome.stored_from_memory, outcome.more),
            (4, 0, false)
        );
        assert_eq!(texts.load(Ordering::SeqCst), 4);
        let stored = app.store.item_vectors("fake-model", &items).await.unwrap();
        assert_eq!(stored.len(), 4);
        assert_eq!(
            stored["id-0"],
            [1.0, 0.05, 0.0],
            "the teacher item, as the fake embeds it"
        );
        // Nothing left: the next pass asks for nothing.
        assert_eq!(
            app.run_embedder_once(now).await.unwrap().unwrap(),
            EmbedderOutcome::default()
        );
        assert_eq!(texts.load(Ordering::SeqCst), 4);

        // After a restart, the ranking reads the stored vectors: only the claim's two texts are
        // sent, and the Chinese claim still finds the English item.
        let restarted = same_database(&app, "fake-model");
        let claim = claim();
        let inputs = app_inputs(&restarted, &claim, &items).await.unwrap();
        assert_eq!(texts.load(Ordering::SeqCst), 6);
        assert_eq!(
            rank(Some(&inputs), &claim, items.clone()),
            ["Study mode turns the chatbot into a patient teacher"]
        );

        // Another model: everything is embedded again, and its vectors are kept beside the
        // first's, so a process still on the first model (a rolling deploy) has nothing to redo.
        let other = same_database(&app, "other-model");
        let outcome = other.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!(outcome.embedded, 4);
        assert_eq!(texts.load(Ordering::SeqCst), 10);
        assert_eq!(other.store.item_vectors("other-model", &items).await.unwrap().len(), 4);
        assert_eq!(other.store.item_vectors("fake-model", &items).await.unwrap().len(), 4);
        let first_again = same_database(&app, "fake-model");
        assert_eq!(
            first_again.run_embedder_once(now).await.unwrap().unwrap(),
            EmbedderOutcome::default()
        );
        assert_eq!(texts.load(Ordering::SeqCst), 10);
        // Items older than the news window are left alone.
        let later = now + chrono::Duration::days(i64::from(app.config.news_window_days) + 1);
        assert_eq!(
            same_database(&app, "third-model")
                .run_embedder_once(later)
                .await
                .unwrap()
                .unwrap(),
            EmbedderOutcome::default()
        );
    }

    #[tokio::test]
    async fn prefixes_go_before_claim_and_item_texts_and_another_document_prefix_embeds_again() {
        let sent = Sent::default();
        let url = fake_recording(
            Arc::new(std::sync::Mutex::new(Mode::Good)),
            Arc::default(),
            sent.clone(),
        )
        .await;
        let app = app_embedding(&url, "fake-model").await;
        let (claim, items) = (claim(), items());
        let now = items[0].seen_at + chrono::Duration::hours(1);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        let mut config = app.config.embeddings.clone().unwrap();
        config.query_prefix = "query: ".into();
        config.document_prefix = "passage: ".into();
        let prefixed = App {
            embeddings: Some(Arc::new(Embeddings::new(config).unwrap().with_store(app.store.clone()))),
            ..app.clone()
        };
        let take = || std::mem::take(&mut *sent.lock().unwrap());

        assert_eq!(prefixed.run_embedder_once(now).await.unwrap().unwrap().embedded, 4);
        let texts = take();
        assert_eq!(texts.len(), 4);
        assert!(texts.contains(&"passage: Study mode turns the chatbot into a patient teacher".to_string()));
        assert!(texts.iter().all(|t| t.starts_with("passage: ")), "{texts:?}");
        let name = "fake-model\u{1f}passage: ";
        assert_eq!(app.store.item_vectors(name, &items).await.unwrap().len(), 4);
        assert!(app.store.item_vectors("fake-model", &items).await.unwrap().is_empty());

        let inputs = app_inputs(&prefixed, &claim, &items).await.unwrap();
        assert_eq!(
            take(),
            ["query: 虚拟导师几乎已经实现。", "query: 虚拟导师几乎已经实现。"]
        );
        assert_eq!(
            rank(Some(&inputs), &claim, items.clone()),
            ["Study mode turns the chatbot into a patient teacher"]
        );

        // The same model without the document prefix makes other vectors: the news is embedded again.
        assert_eq!(app.run_embedder_once(now).await.unwrap().unwrap().embedded, 4);
        let texts = take();
        assert!(
            texts.contains(&"Study mode turns the chatbot into a patient teacher".to_string()),
            "{texts:?}"
        );
        assert_eq!(app.store.item_vectors("fake-model", &items).await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn a_text_the_endpoint_refuses_is_passed_over_not_a_stop_for_the_rest() {
        let texts = Arc::new(AtomicUsize::new(0));
        let mode = Arc::new(std::sync::Mutex::new(Mode::RefusesWeather));
        let url = fake_counting(mode.clone(), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let (claim, items) = (claim(), items());
        let now = items[0].seen_at + chrono::Duration::hours(1);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();

        // The batch of four is refused; sent again one by one, three are embedded and stored.
        let outcome = app.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!(outcome.embedded, 3);
        assert_eq!(texts.load(Ordering::SeqCst), 4 + 4);
        let stored = app.store.item_vectors("fake-model", &items).await.unwrap();
        assert_eq!(stored.len(), 3);
        assert!(!stored.contains_key("id-3"), "the weather item");
        // A ranking still fuses meaning: the refused item is ranked by words alone.
        let inputs = app_inputs(&app, &claim, &items)
            .await
            .expect("meaning still takes part");
        assert_eq!(inputs.items.len(), 3);
        assert_eq!(
            rank(Some(&inputs), &claim, items.clone()),
            ["Study mode turns the chatbot into a patient teacher"]
        );
        // The next pass asks for the refused one alone, and is no error either.
        assert_eq!(app.run_embedder_once(now).await.unwrap().unwrap().embedded, 0);

        // An endpoint that refuses everything is an error, not a window of items passed over.
        *mode.lock().unwrap() = Mode::RefusesAll;
        let fresh = same_database(&app, "another-model");
        let error = fresh.run_embedder_once(now).await.unwrap().unwrap_err();
        assert!(format!("{error:#}").contains("400"), "{error:#}");
    }

    #[tokio::test]
    async fn a_database_that_cannot_be_read_is_not_taken_for_the_endpoint_down() {
        let texts = Arc::new(AtomicUsize::new(0));
        let url = fake_counting(Arc::new(std::sync::Mutex::new(Mode::Good)), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let (claim, items) = (claim(), items());
        app.store.close().await;
        let inputs = app_inputs(&app, &claim, &items).await;
        let inputs = inputs.expect("the endpoint answers: meaning takes part");
        assert_eq!(inputs.items.len(), 4);
        assert_eq!(texts.load(Ordering::SeqCst), 2 + 4);
    }

    #[tokio::test]
    async fn another_model_behind_the_same_name_is_found_and_the_news_embedded_again() {
        let texts = Arc::new(AtomicUsize::new(0));
        let mode = Arc::new(std::sync::Mutex::new(Mode::Good));
        let url = fake_counting(mode.clone(), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let items = items();
        let now = items[0].seen_at + chrono::Duration::hours(1);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        let outcome = app.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!((outcome.embedded, outcome.model_changed), (4, None));
        assert!(app.store.model_probe("fake-model").await.unwrap().is_some(), "recorded");
        let embeddings = app.embeddings.as_ref().unwrap();
        assert_eq!(embeddings.check_model().await.unwrap(), ModelCheck::Same);

        // The server now answers with another model under the same name. A process starting
        // (its first pass checks) finds it, deletes the old vectors and embeds the news again.
        *mode.lock().unwrap() = Mode::OtherModel;
        let restarted = same_database(&app, "fake-model");
        let outcome = restarted.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!((outcome.model_changed, outcome.embedded), (Some(4), 4));
        assert_eq!(texts.load(Ordering::SeqCst), 8);
        let stored = app.store.item_vectors("fake-model", &items).await.unwrap();
        assert_eq!(
            stored["id-0"],
            [0.0, 0.05, 1.0],
            "the teacher item as the new model embeds it"
        );
        // Once a pass has checked, the next ones within the hour do not ask again.
        assert_eq!(
            restarted.run_embedder_once(now).await.unwrap().unwrap(),
            EmbedderOutcome::default()
        );
        assert_eq!(
            embeddings.check_model().await.unwrap(),
            ModelCheck::Same,
            "the new answer recorded"
        );
    }

    #[tokio::test]
    async fn a_ranking_process_drops_what_it_holds_from_the_model_before() {
        let texts = Arc::new(AtomicUsize::new(0));
        let mode = Arc::new(std::sync::Mutex::new(Mode::Good));
        let url = fake_counting(mode.clone(), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let (claim, items) = (claim(), items());
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        // A process that ranks (no embedder): it checks, then holds the claim's and items' vectors.
        let ranking = same_database(&app, "fake-model");
        let before = app_inputs(&ranking, &claim, &items).await.unwrap();
        assert_eq!(texts.load(Ordering::SeqCst), 2 + 4);

        // The model changes behind the name, and another process finds it first: the database's
        // probe is the new model's already, yet this process's check still sees that its own
        // answer changed, and drops what it holds.
        *mode.lock().unwrap() = Mode::OtherModel;
        let embedder = same_database(&app, "fake-model");
        let found = embedder.embeddings.as_ref().unwrap().check_model().await.unwrap();
        assert_eq!(found, ModelCheck::Changed { deleted: 4 });
        let embeddings = ranking.embeddings.as_ref().unwrap();
        assert_eq!(embeddings.check_model().await.unwrap(), ModelCheck::Same);
        let after = embeddings.inputs(&claim, &items).await.unwrap();
        assert_eq!(
            texts.load(Ordering::SeqCst),
            2 * (2 + 4),
            "the claim and the items asked again"
        );
        assert_ne!(after.claim_zh, before.claim_zh);
        assert_eq!(&*after.items["id-0"], [0.0, 0.05, 1.0]);
    }

    #[tokio::test]
    async fn a_stored_vector_of_another_length_is_made_again() {
        let texts = Arc::new(AtomicUsize::new(0));
        let url = fake_counting(Arc::new(std::sync::Mutex::new(Mode::Good)), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let (claim, items) = (claim(), items());
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        // Vectors of two numbers, from a model once served under the same name.
        let old: Vec<(&NewsItem, &[f32])> = items.iter().map(|i| (i, &[0.5f32, 0.5][..])).collect();
        app.store.put_item_vectors("fake-model", &old).await.unwrap();

        let inputs = app_inputs(&app, &claim, &items).await.unwrap();
        assert_eq!(texts.load(Ordering::SeqCst), 2 + 4, "the claim's texts and every item");
        assert!(inputs.items.values().all(|v| v.len() == 3));
        let stored = app.store.item_vectors("fake-model", &items).await.unwrap();
        assert!(stored.values().all(|v| v.len() == 3), "replaced in the database too");
    }

    #[tokio::test]
    async fn rankings_at_the_same_time_share_one_copy_of_each_vector() {
        let e = embeddings(
            fake(Arc::new(std::sync::Mutex::new(Mode::Good))).await,
            Duration::from_secs(5),
        );
        let (claim, items) = (claim(), items());
        let first = e.inputs(&claim, &items).await.unwrap();
        let second = e.inputs(&claim, &items).await.unwrap();
        assert_eq!(first.items.len(), 4);
        for (identity, v) in &first.items {
            assert!(Arc::ptr_eq(v, &second.items[identity]), "{identity} copied");
        }
        let held = e.items.lock().unwrap().numbers;
        assert_eq!(held, 4 * 3, "four items of three numbers, counted once");
    }

    #[tokio::test]
    async fn a_claim_is_embedded_once_per_text_not_per_id() {
        let texts = Arc::new(AtomicUsize::new(0));
        let url = fake_counting(Arc::new(std::sync::Mutex::new(Mode::Good)), texts.clone()).await;
        let e = embeddings(url, Duration::from_secs(5));
        let claim = claim();
        let first = e.claim_vectors(&claim).await.unwrap();
        assert_eq!(e.claim_vectors(&claim).await.unwrap(), first);
        assert_eq!(texts.load(Ordering::SeqCst), 2, "asked once");
        // The same id with another text, as a new claims file may have it: asked again.
        let mut reworded = claim.clone();
        reworded.text.en = "Stock markets will rally".into();
        let (_, en) = e.claim_vectors(&reworded).await.unwrap();
        assert_eq!(texts.load(Ordering::SeqCst), 4);
        assert_ne!(en, first.1);
    }

    #[tokio::test]
    async fn vectors_a_ranking_made_are_stored_not_asked_for_again() {
        let texts = Arc::new(AtomicUsize::new(0));
        let url = fake_counting(Arc::new(std::sync::Mutex::new(Mode::Good)), texts.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let embeddings = app.embeddings.clone().unwrap();
        let (claim, items) = (claim(), items());
        let now = items[0].seen_at + chrono::Duration::hours(1);
        // Ranked before two of the items were stored (the database had nowhere to keep those).
        app.store_items_of("https://example.com/feed", &items[..2])
            .await
            .unwrap();
        assert!(embeddings.inputs(&claim, &items).await.is_some());
        assert_eq!(texts.load(Ordering::SeqCst), 6);
        assert_eq!(app.store.item_vectors("fake-model", &items).await.unwrap().len(), 2);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        let outcome = app.run_embedder_once(now).await.unwrap().unwrap();
        assert_eq!((outcome.embedded, outcome.stored_from_memory), (0, 2));
        assert_eq!(texts.load(Ordering::SeqCst), 6, "taken from memory");
        assert_eq!(app.store.item_vectors("fake-model", &items).await.unwrap().len(), 4);
    }

    #[tokio::test]
    async fn an_embedder_pass_against_a_failing_endpoint_is_an_error_and_stores_nothing() {
        let mode = Arc::new(std::sync::Mutex::new(Mode::Fails));
        let url = fake(mode.clone()).await;
        let app = app_embedding(&url, "fake-model").await;
        let items = items();
        let now = items[0].seen_at + chrono::Duration::hours(1);
        app.store_items_of("https://example.com/feed", &items).await.unwrap();
        for bad in [Mode::Fails, Mode::Garbage, Mode::WrongCount] {
            *mode.lock().unwrap() = bad;
            assert!(app.run_embedder_once(now).await.unwrap().is_err(), "{bad:?}");
            assert!(app.store.item_vectors("fake-model", &items).await.unwrap().is_empty());
        }
        *mode.lock().unwrap() = Mode::Good;
        assert_eq!(app.run_embedder_once(now).await.unwrap().unwrap().embedded, 4);
        // Without EMBEDDINGS_URL there is no embedder at all.
        let plain = crate::services::test_app::app(crate::config::Config::from_lookup(|_| None).unwrap()).await;
        assert!(plain.run_embedder_once(now).await.is_none());
    }

    #[test]
    fn a_long_item_is_sent_cut_at_a_character() {
        let mut item = items().remove(0);
        item.summary = "长".repeat(2_000);
        let text = item_text(&item);
        assert_eq!(text.chars().count(), MAX_TEXT_CHARS);
        assert!(text.starts_with("Study mode turns the chatbot into a patient teacher\n长"));
        item.summary = "short".into();
        assert_eq!(
            item_text(&item),
            "Study mode turns the chatbot into a patient teacher\nshort"
        );
    }
}
