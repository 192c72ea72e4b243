//! Which news bear on a claim: BM25F over each item's title and summary, the claim as the query
//! in the item's own language, optionally fused with dense (embedding) similarity.
//!
//! - **Terms** come from [`crate::tokenize`]: stemmed English words, jieba's Chinese words.
//! - **BM25F** (Robertson and Zaragoza's form): a term's frequencies in the two fields, each
//!   divided by its field's length normalisation, are weighted and summed before BM25's
//!   saturation, so a word in the headline counts more than one in the summary and a long summary
//!   does not win by length. k1 = 1.2 and b = 0.75 are the usual settings; the title weighs twice
//!   the summary, since a headline states what the story is about and a summary elaborates.
//! - **Term statistics** (how many items hold a term) should come from far more news than one
//!   window, so that a word rare in the news stays rare however few items a server's window has.
//!   The caller passes them ([`TermStats`], kept by the store over every stored item); without
//!   them, the window's own counts are used.
//! - **The query**: a claim's Chinese text and keywords rank Chinese items, its English text and
//!   keywords English ones. Keywords are boosted phrases, never required: a keyword whose words
//!   all appear in an item adds its words' scores again.
//! - **The bar** an item must clear is a share of the claim's own weight, not a raw score, so it
//!   means the same for every essay, window size and language (see [`MIN_SHARE`]).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::claims::Claim;
use super::news::NewsItem;
use super::tokenize::{self, ChineseTerms};

/// BM25's term-frequency saturation: the usual setting.
const K1: f64 = 1.2;
/// BM25's length normalisation, the same for both fields: the usual setting.
const B: f64 = 0.75;
/// A headline states the story; its words weigh twice those of the summary.
const TITLE_WEIGHT: f64 = 2.0;
const SUMMARY_WEIGHT: f64 = 1.0;
/// A keyword found whole counts its words once more: moderators chose it for this claim.
const KEYWORD_BOOST: f64 = 1.0;
/// The least share of the claim's weight an item must carry to be shown. The claim's weight is
/// what an average-length headline holding every word of the claim's text (and every keyword)
/// once would score, so the share reads the same whatever the score scale: 0.2 means the item
/// matches about a fifth of what the claim says, weighted by rarity. A headline sharing one
/// common word with a claim of twenty carries a few percent; one on the same subject, two or three
/// of its rarer words, a fifth to a half. The value was chosen as that round figure, then checked
/// on the development set (BENCHMARKS.md), not fitted to it.
pub const MIN_SHARE: f64 = 0.2;
/// Two titles sharing this share of their terms tell the same story.
const SAME_STORY_SIMILARITY: f64 = 0.6;
/// Reciprocal rank fusion's constant: the value of Cormack, Clarke and Büttcher (2009).
const RRF_K: f64 = 60.0;
/// Dense similarity, on a scale where 0 is the window's median item and 1 is the similarity of
/// the claim's own two texts (a translation: the same meaning): an item must come at least this
/// close to count as related by meaning alone. Halfway between "any item" and "the same claim".
pub const DENSE_MIN: f32 = 0.5;

/// Pairs of (claim id, story) a server's members marked as not bearing on the claim: left out.
/// The story is the item's story key (its link's comparable form), or its identity when linkless.
pub type LeaveOut = HashSet<(String, String)>;

#[derive(Debug, Clone, Serialize)]
pub struct RankedNews {
    pub item: NewsItem,
    /// What the order was decided by: the lexical share, or the fused score with embeddings.
    pub score: f64,
    /// Why the item was chosen (`preview --explain`).
    pub why: Why,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Why {
    /// The item's lexical score as a share of the claim's weight.
    pub share: f64,
    /// The claim's terms found in the item, with what each added to the share, largest first.
    pub matched: Vec<(String, f64)>,
    /// The item's place (1 = closest) among the window's items by dense similarity.
    pub dense_rank: Option<u32>,
    /// The dense similarity on the scale of [`DENSE_MIN`].
    pub dense_similarity: Option<f32>,
}

/// How many items hold each term, over a larger body of news than the window.
#[derive(Debug, Clone, Default)]
pub struct TermStats {
    pub docs: u64,
    pub doc_freq: HashMap<String, u64>,
}

/// Embeddings for dense matching: the claim's two texts and the window's items (by identity).
pub struct DenseQuery<'a> {
    pub claim_zh: &'a [f32],
    pub claim_en: &'a [f32],
    pub items: &'a HashMap<String, Vec<f32>>,
}

/// What [`NewsIndex::rank`] takes besides the claim.
#[derive(Default)]
pub struct RankOptions<'a> {
    pub limit: usize,
    pub leave_out: Option<&'a LeaveOut>,
    pub stats: Option<&'a TermStats>,
    pub dense: Option<DenseQuery<'a>>,
    /// The claim's keywords are ignored (what `claims eval --no-keywords` measures).
    pub no_keywords: bool,
}

/// The items of a window, indexed once, ranked against any number of claims.
pub struct NewsIndex {
    items: Vec<NewsItem>,
    chinese: ChineseTerms,
    /// Per item: Chinese or not, and the lengths of its two fields in terms.
    is_zh: Vec<bool>,
    title_len: Vec<u32>,
    summary_len: Vec<u32>,
    avg_title_len: f64,
    avg_summary_len: f64,
    /// Each distinct term's number: `postings[number]` lists the items containing it.
    term_numbers: HashMap<Box<str>, u32>,
    postings: Vec<Vec<Posting>>,
    min_share: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Posting {
    item: u32,
    title_tf: u16,
    summary_tf: u16,
}

/// One language's query: weighted terms and keyword phrases.
struct Query {
    zh: bool,
    terms: Vec<(String, f64)>,
    phrases: Vec<Vec<String>>,
}

impl NewsIndex {
    pub fn new(items: Vec<NewsItem>) -> NewsIndex {
        NewsIndex::with_chinese(items, ChineseTerms::default())
    }

    /// The index with a chosen treatment of Chinese (`claims eval` compares the two).
    pub fn with_chinese(items: Vec<NewsItem>, chinese: ChineseTerms) -> NewsIndex {
        // Building the index is most of the cost of ranking. A large window is split between
        // threads, one part per core, and the parts' terms merged after.
        let parts = if items.len() >= PARALLEL_FROM_ITEMS {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_INDEX_THREADS))
        } else {
            1
        };
        NewsIndex::in_parts(items, parts, chinese)
    }

    /// The index built from `parts` runs of the items, each on its own thread when more than one.
    fn in_parts(items: Vec<NewsItem>, parts: usize, chinese: ChineseTerms) -> NewsIndex {
        let part_len = items.len().div_ceil(parts).max(1);
        let mut built = if parts == 1 {
            vec![Terms::of(&items, 0, chinese)]
        } else {
            std::thread::scope(|scope| {
                let threads: Vec<_> = items
                    .chunks(part_len)
                    .enumerate()
                    .map(|(k, part)| scope.spawn(move || Terms::of(part, (k * part_len) as u32, chinese)))
                    .collect();
                threads
                    .into_iter()
                    .map(|thread| thread.join().expect("an index thread panicked"))
                    .collect()
            })
        }
        .into_iter();
        let mut index = built.next().unwrap_or_default();
        for part in built {
            index.append(part);
        }
        let n = items.len().max(1) as f64;
        let avg = |lens: &[u32]| (lens.iter().map(|&l| f64::from(l)).sum::<f64>() / n).max(1.0);
        NewsIndex {
            avg_title_len: avg(&index.title_len),
            avg_summary_len: avg(&index.summary_len),
            items,
            chinese,
            is_zh: index.is_zh,
            title_len: index.title_len,
            summary_len: index.summary_len,
            term_numbers: index.numbers,
            postings: index.postings,
            min_share: MIN_SHARE,
        }
    }

    /// The items containing `term`, in window order.
    fn postings(&self, term: &str) -> &[Posting] {
        self.term_numbers
            .get(term)
            .map_or(&[], |&n| self.postings[n as usize].as_slice())
    }

    pub fn with_min_share(mut self, min_share: f64) -> NewsIndex {
        self.min_share = min_share;
        self
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items that bear on `claim`, best first, near-duplicates folded, at most `limit`.
    pub fn related(&self, claim: &Claim, limit: usize) -> Vec<RankedNews> {
        self.rank(
            claim,
            &RankOptions {
                limit,
                ..Default::default()
            },
        )
    }

    /// The terms whose statistics ranking `claim` needs: the caller fetches those from the store.
    pub fn query_terms(&self, claim: &Claim) -> Vec<String> {
        let mut all: Vec<String> = [true, false]
            .into_iter()
            .flat_map(|zh| Query::of(claim, zh, self.chinese, false).terms)
            .map(|(t, _)| t)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// BM25's inverse document frequency of `term`, from `stats` when they cover more news than
    /// the window (a count never below the window's own: the stored statistics may lag a little).
    fn idf(&self, term: &str, stats: Option<&TermStats>) -> f64 {
        let window_df = self.postings(term).len() as f64;
        let (docs, df) = match stats {
            Some(s) if s.docs as usize >= self.items.len() => {
                let df = s.doc_freq.get(term).copied().unwrap_or(0) as f64;
                (s.docs as f64, df.max(window_df))
            }
            _ => (self.items.len() as f64, window_df),
        };
        (1.0 + (docs - df + 0.5) / (df + 0.5)).ln()
    }

    /// A term's BM25F saturation part for one posting (its `idf` factor apart).
    fn saturation(&self, p: &Posting) -> f64 {
        let i = p.item as usize;
        let title_norm = (1.0 - B) + B * f64::from(self.title_len[i]) / self.avg_title_len;
        let summary_norm = (1.0 - B) + B * f64::from(self.summary_len[i]) / self.avg_summary_len;
        let tf =
            TITLE_WEIGHT * f64::from(p.title_tf) / title_norm + SUMMARY_WEIGHT * f64::from(p.summary_tf) / summary_norm;
        tf / (K1 + tf)
    }

    /// What an average-length headline holding each of the query's terms once scores: the claim's
    /// weight, against which an item's score is a share.
    fn claim_weight(query: &Query, idf: &HashMap<&str, f64>) -> f64 {
        let once = TITLE_WEIGHT / (K1 + TITLE_WEIGHT);
        let terms: f64 = query.terms.iter().map(|(t, w)| w * idf[t.as_str()] * once).sum();
        let phrases: f64 = query
            .phrases
            .iter()
            .map(|p| KEYWORD_BOOST * p.iter().map(|t| idf[t.as_str()] * once).sum::<f64>())
            .sum();
        terms + phrases
    }

    /// Scores every item of the query's language: its share of the claim's weight.
    fn lexical(&self, query: &Query, stats: Option<&TermStats>, shares: &mut [f64]) {
        let idf: HashMap<&str, f64> = query
            .terms
            .iter()
            .map(|(t, _)| (t.as_str(), self.idf(t, stats)))
            .collect();
        let weight = NewsIndex::claim_weight(query, &idf);
        if weight <= 0.0 {
            return;
        }
        // Each term's contribution per item, kept for the phrases that need all their terms.
        let mut per_term: HashMap<&str, HashMap<u32, f64>> = HashMap::new();
        let phrase_terms: HashSet<&str> = query.phrases.iter().flatten().map(String::as_str).collect();
        for (term, w) in &query.terms {
            let term_idf = idf[term.as_str()];
            let keep = phrase_terms.contains(term.as_str());
            for p in self.postings(term) {
                if self.is_zh[p.item as usize] != query.zh {
                    continue;
                }
                let c = term_idf * self.saturation(p);
                shares[p.item as usize] += w * c / weight;
                if keep {
                    per_term.entry(term.as_str()).or_default().insert(p.item, c);
                }
            }
        }
        for phrase in &query.phrases {
            let Some(first) = per_term.get(phrase[0].as_str()) else {
                continue;
            };
            for (&item, _) in first.iter() {
                let parts: Option<f64> = phrase
                    .iter()
                    .map(|t| per_term.get(t.as_str()).and_then(|m| m.get(&item)).copied())
                    .sum();
                if let Some(sum) = parts {
                    shares[item as usize] += KEYWORD_BOOST * sum / weight;
                }
            }
        }
    }

    /// The items that bear on `claim`, best first, near-duplicates folded, at most `limit`.
    pub fn rank(&self, claim: &Claim, options: &RankOptions) -> Vec<RankedNews> {
        let n = self.items.len();
        if n == 0 || options.limit == 0 {
            return Vec::new();
        }
        let queries = [
            Query::of(claim, true, self.chinese, options.no_keywords),
            Query::of(claim, false, self.chinese, options.no_keywords),
        ];
        let mut shares = vec![0.0f64; n];
        for query in &queries {
            self.lexical(query, options.stats, &mut shares);
        }
        let dense = options.dense.as_ref().and_then(|d| self.dense(d));
        let left_out = |i: usize| {
            options.leave_out.is_some_and(|out| {
                let item = &self.items[i];
                let story = item.story_key.as_deref().unwrap_or(&item.identity);
                out.contains(&(claim.id.clone(), story.to_string()))
            })
        };
        let lexical_ok = |i: usize| shares[i] >= self.min_share;
        let mut keys = vec![0.0f64; n];
        let mut candidates: Vec<usize> = match &dense {
            None => {
                keys.copy_from_slice(&shares);
                (0..n).filter(|&i| lexical_ok(i) && !left_out(i)).collect()
            }
            Some(dense) => {
                // Reciprocal rank fusion: each list adds 1 / (k + rank); the scales never meet.
                let mut by_share: Vec<usize> = (0..n).filter(|&i| shares[i] > 0.0).collect();
                by_share.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]));
                for (rank, &i) in by_share.iter().enumerate() {
                    keys[i] += 1.0 / (RRF_K + rank as f64 + 1.0);
                }
                for (i, rank) in dense.rank.iter().enumerate() {
                    if let Some(rank) = rank {
                        keys[i] += 1.0 / (RRF_K + f64::from(*rank));
                    }
                }
                (0..n)
                    .filter(|&i| (lexical_ok(i) || dense.scaled[i].is_some_and(|s| s >= DENSE_MIN)) && !left_out(i))
                    .collect()
            }
        };
        candidates.sort_by(|&a, &b| {
            keys[b]
                .total_cmp(&keys[a])
                .then_with(|| self.items[b].when().cmp(&self.items[a].when()))
                .then_with(|| self.items[a].identity.cmp(&self.items[b].identity))
        });
        let mut chosen: Vec<(usize, HashSet<String>)> = Vec::new();
        for i in candidates {
            let item = &self.items[i];
            let title_terms: HashSet<String> = tokenize::terms_with(&item.title, self.chinese).into_iter().collect();
            let duplicate = chosen.iter().any(|(j, other)| {
                let same_link = item.story_key.is_some() && item.story_key == self.items[*j].story_key;
                same_link || similarity(&title_terms, other) >= SAME_STORY_SIMILARITY
            });
            if !duplicate {
                chosen.push((i, title_terms));
                if chosen.len() == options.limit {
                    break;
                }
            }
        }
        chosen
            .into_iter()
            .map(|(i, _)| {
                let query = &queries[usize::from(!self.is_zh[i])];
                RankedNews {
                    item: self.items[i].clone(),
                    score: round3(keys[i]),
                    why: Why {
                        share: round3(shares[i]),
                        matched: self.matched(query, i, options.stats),
                        dense_rank: dense.as_ref().and_then(|d| d.rank[i]),
                        dense_similarity: dense.as_ref().and_then(|d| d.scaled[i]),
                    },
                }
            })
            .collect()
    }

    /// The query's terms found in item `i`, with the share each added, largest first.
    fn matched(&self, query: &Query, i: usize, stats: Option<&TermStats>) -> Vec<(String, f64)> {
        let idf: HashMap<&str, f64> = query
            .terms
            .iter()
            .map(|(t, _)| (t.as_str(), self.idf(t, stats)))
            .collect();
        let weight = NewsIndex::claim_weight(query, &idf);
        let mut out: Vec<(String, f64)> = query
            .terms
            .iter()
            .filter_map(|(term, w)| {
                let postings = self.postings(term);
                let at = postings.binary_search_by_key(&(i as u32), |p| p.item).ok()?;
                let c = w * idf[term.as_str()] * self.saturation(&postings[at]);
                Some((term.clone(), round3(c / weight)))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// Each item's dense similarity to the claim, scaled between the window's median item (0)
    /// and the claim's own translation (1), and its rank. None when the scale is meaningless.
    fn dense(&self, query: &DenseQuery) -> Option<DenseRanks> {
        let reference = cosine(query.claim_zh, query.claim_en)?;
        let raw: Vec<Option<f32>> = self
            .items
            .iter()
            .map(|item| {
                let v = query.items.get(&item.identity)?;
                let zh = cosine(v, query.claim_zh)?;
                let en = cosine(v, query.claim_en)?;
                Some(zh.max(en))
            })
            .collect();
        let mut known: Vec<f32> = raw.iter().flatten().copied().collect();
        if known.is_empty() {
            return None;
        }
        known.sort_by(f32::total_cmp);
        let median = known[known.len() / 2];
        if reference <= median + f32::EPSILON {
            return None;
        }
        let scaled: Vec<Option<f32>> = raw
            .iter()
            .map(|s| s.map(|s| (s - median) / (reference - median)))
            .collect();
        let mut order: Vec<usize> = (0..raw.len()).filter(|&i| raw[i].is_some()).collect();
        order.sort_by(|&a, &b| raw[b].unwrap_or(0.0).total_cmp(&raw[a].unwrap_or(0.0)));
        let mut rank = vec![None; raw.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = Some(r as u32 + 1);
        }
        Some(DenseRanks { scaled, rank })
    }
}

struct DenseRanks {
    scaled: Vec<Option<f32>>,
    rank: Vec<Option<u32>>,
}

fn cosine(a: &[f32], b: &[f32]) -> Option<f32> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (mut dot, mut na, mut nb) = (0.0f32, 0.0f32, 0.0f32);
    for (x, y) in a.iter().zip(b) {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    let c = dot / (na.sqrt() * nb.sqrt());
    c.is_finite().then_some(c)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Query {
    /// The query in one language: the claim's text there, plus its keywords unless left out.
    fn of(claim: &Claim, zh: bool, chinese: ChineseTerms, no_keywords: bool) -> Query {
        let (text, keywords) = if zh {
            (&claim.text.zh, &claim.keywords.zh)
        } else {
            (&claim.text.en, &claim.keywords.en)
        };
        let mut terms: Vec<String> = tokenize::terms_with(text, chinese);
        let mut phrases: Vec<Vec<String>> = Vec::new();
        if !no_keywords {
            for keyword in keywords {
                let mut words = tokenize::terms_with(keyword, chinese);
                words.sort();
                words.dedup();
                if words.is_empty() || phrases.contains(&words) {
                    continue;
                }
                terms.extend(words.iter().cloned());
                phrases.push(words);
            }
        }
        terms.sort();
        terms.dedup();
        Query {
            zh,
            terms: terms.into_iter().map(|t| (t, 1.0)).collect(),
            phrases,
        }
    }
}

/// Windows this large are indexed on several threads.
const PARALLEL_FROM_ITEMS: usize = 20_000;
/// At most this many threads index one window.
const MAX_INDEX_THREADS: usize = 4;

/// The terms of a run of items: each distinct term numbered as first seen (so that each
/// occurrence costs one lookup by `&str`), the items containing it, and the items' lengths.
#[derive(Default)]
struct Terms {
    numbers: HashMap<Box<str>, u32>,
    postings: Vec<Vec<Posting>>,
    is_zh: Vec<bool>,
    title_len: Vec<u32>,
    summary_len: Vec<u32>,
}

impl Terms {
    /// The terms of `items`, the first of which is item number `first` of the window.
    fn of(items: &[NewsItem], first: u32, chinese: ChineseTerms) -> Terms {
        let mut terms = Terms::default();
        let (mut in_title, mut in_summary) = (Vec::new(), Vec::new());
        for (offset, item) in items.iter().enumerate() {
            in_title.clear();
            in_summary.clear();
            tokenize::for_each_term(&item.title, chinese, |term| in_title.push(terms.number(term)));
            tokenize::for_each_term(&item.summary, chinese, |term| in_summary.push(terms.number(term)));
            terms.title_len.push(in_title.len() as u32);
            terms.summary_len.push(in_summary.len() as u32);
            // Chinese headlines carry English names; English ones never carry Chinese.
            terms
                .is_zh
                .push(tokenize::is_chinese(&item.title) || tokenize::is_chinese(&item.summary));
            in_title.sort_unstable();
            in_summary.sort_unstable();
            let item = first + offset as u32;
            // Both lists are sorted: walk them together, one posting per distinct term.
            let (mut a, mut b) = (0, 0);
            while a < in_title.len() || b < in_summary.len() {
                let next = match (in_title.get(a), in_summary.get(b)) {
                    (Some(&x), Some(&y)) => x.min(y),
                    (Some(&x), None) => x,
                    (None, Some(&y)) => y,
                    (None, None) => unreachable!(),
                };
                let mut posting = Posting {
                    item,
                    title_tf: 0,
                    summary_tf: 0,
                };
                while in_title.get(a) == Some(&next) {
                    posting.title_tf = posting.title_tf.saturating_add(1);
                    a += 1;
                }
                while in_summary.get(b) == Some(&next) {
                    posting.summary_tf = posting.summary_tf.saturating_add(1);
                    b += 1;
                }
                terms.postings[next as usize].push(posting);
            }
        }
        terms
    }

    /// The number of `term`, a new one if it was not seen before.
    fn number(&mut self, term: &str) -> u32 {
        if let Some(&n) = self.numbers.get(term) {
            return n;
        }
        let n = self.postings.len() as u32;
        self.numbers.insert(term.into(), n);
        self.postings.push(Vec::new());
        n
    }

    /// Adds the terms of the items that follow these ones, keeping each term's items in order.
    fn append(&mut self, later: Terms) {
        let Terms {
            numbers,
            mut postings,
            is_zh,
            title_len,
            summary_len,
        } = later;
        for (term, n) in numbers {
            let items = std::mem::take(&mut postings[n as usize]);
            let mine = self.number(&term);
            self.postings[mine as usize].extend(items);
        }
        self.is_zh.extend(is_zh);
        self.title_len.extend(title_len);
        self.summary_len.extend(summary_len);
    }
}

fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count() as f64;
    shared / (a.len() + b.len()) as f64 * 2.0
}

/// The searchable terms of a text, in order of appearance (repeats kept).
pub fn terms(text: &str) -> Vec<String> {
    tokenize::terms(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::ClaimSet;
    use chrono::{TimeZone, Utc};
    use std::path::Path;

    fn claims() -> ClaimSet {
        ClaimSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/claims.toml")).unwrap()
    }

    fn item(n: u32, title: &str, summary: &str, day: u32) -> NewsItem {
        NewsItem {
            identity: format!("id-{n}"),
            story_key: Some(format!("example.com/{n}")),
            title: title.into(),
            url: Some(format!("https://example.com/{n}")),
            summary: summary.into(),
            source: "Test".into(),
            published: Some(Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap()),
            seen_at: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        }
    }

    fn titles(ranked: &[RankedNews]) -> Vec<&str> {
        ranked.iter().map(|r| r.item.title.as_str()).collect()
    }

    #[test]
    fn an_index_built_in_parts_is_the_index_built_whole() {
        let set = claims();
        let words = [
            "agent",
            "browser",
            "theorem",
            "数学家",
            "Nvidia",
            "inference",
            "前端",
            "o3",
        ];
        let items: Vec<NewsItem> = (0..1_000u32)
            .map(|n| {
                let w = |k: u32| words[((n / k) % words.len() as u32) as usize];
                item(
                    n,
                    &format!("{} {} story {n}", w(1), w(3)),
                    &format!("About {} and {}", w(7), w(1)),
                    1 + n % 27,
                )
            })
            .collect();
        let whole = NewsIndex::in_parts(items.clone(), 1, ChineseTerms::Words);
        let split = NewsIndex::in_parts(items, 3, ChineseTerms::Words);
        assert_eq!(whole.term_numbers.len(), split.term_numbers.len());
        for term in whole.term_numbers.keys() {
            assert_eq!(whole.postings(term), split.postings(term), "{term}");
        }
        for claim in set.claims() {
            let ranked = |index: &NewsIndex| {
                index
                    .related(claim, 5)
                    .into_iter()
                    .map(|r| (r.item.identity, r.score.to_bits()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(ranked(&whole), ranked(&split), "{}", claim.id);
        }
        assert!(!whole.postings("agent").is_empty() && !whole.postings("数学").is_empty());
    }

    #[test]
    fn related_first_unrelated_excluded_english() {
        let set = claims();
        let claim = set.get("math-700-days").unwrap();
        let index = NewsIndex::new(vec![
            item(1, "Apple unveils a new iPhone colour", "The phone comes in green.", 20),
            item(
                2,
                "AI system proves open conjecture, mathematicians stunned",
                "A new theorem and its proof were checked in Lean.",
                20,
            ),
            item(3, "Stock markets rally on rate cut", "Investors cheered.", 21),
            item(
                4,
                "Mathematician says proof assistant found the key lemma",
                "The theorem was open for decades.",
                22,
            ),
        ]);
        let ranked = index.related(claim, 5);
        let got = titles(&ranked);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got.contains(&"AI system proves open conjecture, mathematicians stunned"));
        assert!(!got.iter().any(|t| t.contains("iPhone") || t.contains("Stock")));
        assert!(ranked[0].score >= ranked[1].score);
    }

    #[test]
    fn related_first_unrelated_excluded_chinese() {
        let set = claims();
        let claim = set.get("frontend-gone-in-three-years").unwrap();
        let index = NewsIndex::new(vec![
            item(
                1,
                "AI 一键生成网页，前端工程师岗位需求下降",
                "多家公司减少前端招聘。",
                20,
            ),
            item(2, "今日天气晴朗，适合出游", "气温回升。", 21),
            item(3, "新能源汽车销量创新高", "市场持续增长。", 22),
        ]);
        assert_eq!(
            titles(&index.related(claim, 3)),
            ["AI 一键生成网页，前端工程师岗位需求下降"]
        );
    }

    #[test]
    fn one_generic_keyword_is_not_enough() {
        let set = claims();
        let claim = set.get("inference-hurts-nvidia").unwrap();
        let index = NewsIndex::new(vec![item(
            1,
            "Nvidia hosts its annual gaming showcase",
            "Graphics cards for gamers.",
            20,
        )]);
        assert!(index.related(claim, 3).is_empty());
        let index = NewsIndex::new(vec![
            item(
                1,
                "Nvidia hosts its annual gaming showcase",
                "Graphics cards for gamers.",
                20,
            ),
            item(
                2,
                "Inference chip startups take aim at Nvidia",
                "Custom ASIC designs for serving models.",
                21,
            ),
        ]);
        assert_eq!(
            titles(&index.related(claim, 3)),
            ["Inference chip startups take aim at Nvidia"]
        );
    }

    #[test]
    fn near_duplicates_shown_once_and_recency_breaks_ties() {
        let set = claims();
        let claim = set.get("agents-arrive-2025").unwrap();
        let index = NewsIndex::new(vec![
            item(1, "OpenAI launches browser agent for office automation", "", 10),
            item(2, "OpenAI launches browser agent for office automation tasks", "", 12),
            item(
                3,
                "Google ships Gemini agent steering the browser for office automation",
                "",
                11,
            ),
        ]);
        let ranked = index.related(claim, 5);
        let got = titles(&ranked);
        assert_eq!(got.len(), 2, "{got:?}");
        // Equal scores: the newer story first.
        assert_eq!(ranked[0].score, ranked[1].score);
        assert_eq!(got[0], "OpenAI launches browser agent for office automation tasks");
        assert_eq!(
            got[1],
            "Google ships Gemini agent steering the browser for office automation"
        );
    }

    #[test]
    fn limit_and_empty_window() {
        let set = claims();
        let claim = set.get("agents-arrive-2025").unwrap();
        assert!(NewsIndex::new(Vec::new()).related(claim, 3).is_empty());
        let topics = ["browser", "spreadsheet", "desktop", "email", "calendar", "checkout"];
        let items = topics
            .iter()
            .zip(1..)
            .map(|(t, n)| item(n, &format!("Agent for {t}"), "", n))
            .collect();
        let ranked = NewsIndex::new(items).with_min_share(0.01).related(claim, 3);
        assert_eq!(ranked.len(), 3);
    }
}
