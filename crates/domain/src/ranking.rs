//! Which news bear on a claim: BM25F over each item's title and summary, the claim as the query
//! in the item's own language, optionally fused with dense (embedding) similarity.
//!
//! - **Terms** come from [`crate::tokenize`]: stemmed English words, jieba's Chinese words.
//! - **BM25F** (Robertson and Zaragoza's form): a term's frequencies in the two fields, each
//!   divided by its field's length normalisation, are weighted and summed before BM25's
//!   saturation, so a word in the headline counts more than one in the summary and a long summary
//!   does not win by length. k1 = 1.2 and b = 0.75 are the usual settings; the title weighs twice
//!   the summary, since a headline states what the story is about and a summary elaborates.
//! - **Term statistics** (how many items hold a term) come from far more news than one window,
//!   so that a word rare in the news stays rare however few items a server's window has. The
//!   caller passes them ([`TermStats`], counted over every stored item); without them, the
//!   window's own counts are used. Chinese and English items are counted apart, and their
//!   lengths averaged apart: each language is its own collection.
//! - **The query**: a claim's Chinese text and keywords rank Chinese items, its English text and
//!   keywords English ones, and its section's title, lightly, both. Keywords weigh twice a word
//!   of the text and a keyword of several words found whole counts again, but none is required.
//! - **The bar** an item must clear is a count of distinct specific words of the claim that it
//!   holds (see [`MIN_EVIDENCE`]), not a score: a count means the same for every essay, window
//!   size and language, where a score's scale changes with each.
//! - **One story, once**: the same link, or nearly the same headline, from several feeds is shown
//!   once.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::claims::Claim;
use super::lang::Lang;
use super::news::NewsItem;
use super::tokenize::{self, ChineseTerms, TermTable, Tokenizer};

/// BM25's term-frequency saturation: the usual setting.
const K1: f64 = 1.2;
/// BM25's length normalisation, the same for both fields: the usual setting.
const B: f64 = 0.75;
/// A headline states the story; its words weigh twice those of the summary.
const TITLE_WEIGHT: f64 = 2.0;
const SUMMARY_WEIGHT: f64 = 1.0;
/// A keyword's words weigh twice a word of the claim's text: moderators chose them for the claim.
const KEYWORD_WEIGHT: f64 = 2.0;
/// A keyword of several words found whole counts its words once more (a phrase says more than
/// its words scattered through a summary).
const PHRASE_BOOST: f64 = 1.0;
/// The words of the claim's section title say what the claim is about in general: they help
/// order items that match the claim itself, lightly, and never make an item related alone.
const SECTION_WEIGHT: f64 = 0.3;
/// A term held by at most this share of the news is specific: it names a subject, where a term
/// in more than one item in ten ("AI", "model", "new") names the field the feeds cover.
const SPECIFIC_SHARE: f64 = 0.1;
/// Fewer items than this (a tenth of them under two items) cannot tell a common word from a
/// specific one: every term counts as specific there, and the bar asks for two of the claim's.
const SAMPLE_ITEMS: f64 = 20.0;
/// A term held by at most this share of the news is rare: one of them names a subject on its
/// own ("cyberattack", "网络攻击", "Erdős") and clears the bar alone. A share of the news, so a
/// small window (under a hundred items of a language) has no rare terms and asks for two.
const RARE_SHARE: f64 = 0.01;
/// The bar: an item must hold at least this many distinct specific terms of the claim (its
/// text or keywords) to be shown. One shared word is a coincidence of vocabulary ("Nvidia" in a
/// gaming story, "moat" in marketing); two that the claim also uses together are a shared
/// subject. The count does not depend on the scale of scores, on the window's size or on the
/// essay, so it carries over to other essays; a claim nothing bears on gets nothing.
pub const MIN_EVIDENCE: u8 = 2;
/// Candidates read past a full list, for newer tellings of the stories chosen.
const LOOK_PAST_FULL: usize = 10;
/// Two titles sharing this share of their terms tell the same story.
const SAME_STORY_SIMILARITY: f64 = 0.6;
/// Reciprocal rank fusion's constant: the value of Cormack, Clarke and Büttcher (2009).
const RRF_K: f64 = 60.0;
/// Dense similarity, on a scale where 0 is the window's median item and 1 is the similarity of
/// the claim's own two texts (a translation: the same meaning): an item must come at least this
/// close to count as related by meaning alone. Halfway between "any item" and "the same claim".
pub const DENSE_MIN: f32 = 0.5;
/// Fewer items of a language than this are too few for a mean and spread of their own.
const MIN_FOR_STANDARD: usize = 10;

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

/// How many items hold each term, over a larger body of news than the window, per language:
/// Chinese and English items are two collections, so that a word common in Chinese news is
/// common however few Chinese items there are beside the English ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TermStats {
    pub zh: CorpusStats,
    pub en: CorpusStats,
}

impl TermStats {
    /// Counts one item: each distinct term of its title and summary once, in its language.
    pub fn add(&mut self, title: &str, summary: &str) {
        self.add_with(&mut Tokenizer::new(ChineseTerms::default()), title, summary);
    }

    /// [`TermStats::add`] for many items in turn, through one tokenizer (which remembers stems).
    pub fn add_with(&mut self, tokenizer: &mut Tokenizer, title: &str, summary: &str) {
        let zh = tokenize::is_chinese(title) || tokenize::is_chinese(summary);
        let mut terms: HashSet<String> = HashSet::new();
        for text in [title, summary] {
            tokenizer.for_each_term(text, |t| {
                if !terms.contains(t) {
                    terms.insert(t.to_string());
                }
            });
        }
        let corpus = if zh { &mut self.zh } else { &mut self.en };
        corpus.docs += 1;
        for term in terms {
            *corpus.doc_freq.entry(term).or_default() += 1;
        }
    }

    pub fn of(&self, zh: bool) -> &CorpusStats {
        if zh {
            &self.zh
        } else {
            &self.en
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CorpusStats {
    /// Items counted.
    pub docs: u64,
    /// Items holding each term.
    pub doc_freq: HashMap<String, u64>,
}

/// One text's embedding, shared: a window's vectors are held once however many rankings read
/// them at the same time (50,000 items of 1,024 numbers are 200 MB).
pub type Vector = std::sync::Arc<[f32]>;

/// Items' embeddings by item identity.
/// Hashed with foldhash (seeded per process): a ranking looks every item of its window up, and
/// the standard map's hash was a tenth of a fused ranking's time.
pub type ItemVectors = HashMap<String, Vector, foldhash::fast::RandomState>;

/// Embeddings for dense matching: the claim's two texts and the window's items (by identity).
pub struct DenseQuery<'a> {
    pub claim_zh: &'a [f32],
    pub claim_en: &'a [f32],
    pub items: &'a ItemVectors,
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
    /// Average field lengths, Chinese items' first: each language's lengths are their own scale.
    avg_title_len: [f64; 2],
    avg_summary_len: [f64; 2],
    /// Each distinct term's number: `postings[number]` lists the items containing it.
    term_numbers: TermTable<u32>,
    postings: Vec<Vec<Posting>>,
    /// How many items are Chinese, and how many not.
    lang_docs: [u64; 2],
    /// Per term number: how many Chinese items hold it.
    zh_doc_freq: Vec<u32>,
    min_evidence: u8,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Posting {
    item: u32,
    title_tf: u16,
    summary_tf: u16,
}

/// One language's query: weighted terms and keyword phrases.
#[derive(Clone)]
struct Query {
    zh: bool,
    terms: Vec<QueryTerm>,
    phrases: Vec<Vec<String>>,
}

#[derive(Clone)]
struct QueryTerm {
    term: String,
    weight: f64,
    /// Counts towards the bar: a word of the claim's text or keywords, not of its section.
    evidence: bool,
}

/// A query term's statistics over the news.
struct Weighed {
    idf: f64,
    specific: bool,
    rare: bool,
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
        let avg = |lens: &[u32], zh: bool| {
            let (sum, count) = lens
                .iter()
                .zip(&index.is_zh)
                .filter(|(_, &z)| z == zh)
                .fold((0.0, 0.0), |(s, c), (&l, _)| (s + f64::from(l), c + 1.0));
            if count == 0.0 {
                1.0
            } else {
                (sum / count).max(1.0)
            }
        };
        let zh_docs = index.is_zh.iter().filter(|&&z| z).count() as u64;
        let zh_doc_freq = index
            .postings
            .iter()
            .map(|ps| ps.iter().filter(|p| index.is_zh[p.item as usize]).count() as u32)
            .collect();
        NewsIndex {
            zh_doc_freq,
            lang_docs: [zh_docs, items.len() as u64 - zh_docs],
            avg_title_len: [avg(&index.title_len, true), avg(&index.title_len, false)],
            avg_summary_len: [avg(&index.summary_len, true), avg(&index.summary_len, false)],
            items,
            chinese,
            is_zh: index.is_zh,
            title_len: index.title_len,
            summary_len: index.summary_len,
            term_numbers: index.numbers,
            postings: index.postings,
            min_evidence: MIN_EVIDENCE,
        }
    }

    /// True when item `item` holds `term`.
    fn holds(&self, term: &str, item: u32) -> bool {
        self.postings(term).binary_search_by_key(&item, |p| p.item).is_ok()
    }

    /// The items containing `term`, in window order.
    fn postings(&self, term: &str) -> &[Posting] {
        self.term_numbers
            .get(term)
            .map_or(&[], |&n| self.postings[n as usize].as_slice())
    }

    /// The index with another bar (see [`MIN_EVIDENCE`]).
    pub fn with_min_evidence(mut self, min_evidence: u8) -> NewsIndex {
        self.min_evidence = min_evidence;
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
        let mut all: Vec<String> = [Lang::Zh, Lang::En]
            .into_iter()
            .flat_map(|lang| Query::of(claim, lang, self.chinese, false).terms)
            .map(|t| t.term)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// How many items hold `term`, and out of how many: from `stats` when they cover more news
    /// than the window (a count never below the window's own: the stored statistics may lag a
    /// little behind the window).
    fn doc_freq(&self, term: &str, zh: bool, stats: Option<&TermStats>) -> (f64, f64) {
        let window_df = self.term_numbers.get(term).map_or(0, |&n| {
            let zh_df = self.zh_doc_freq[n as usize];
            if zh {
                zh_df
            } else {
                self.postings[n as usize].len() as u32 - zh_df
            }
        }) as f64;
        let window_docs = self.lang_docs[usize::from(!zh)] as f64;
        match stats.map(|s| s.of(zh)) {
            Some(s) if s.docs as f64 >= window_docs => {
                let df = s.doc_freq.get(term).copied().unwrap_or(0) as f64;
                (s.docs as f64, df.max(window_df))
            }
            _ => (window_docs, window_df),
        }
    }

    /// A term's BM25F saturation part for one posting (its `idf` factor apart).
    fn saturation(&self, p: &Posting) -> f64 {
        let i = p.item as usize;
        let lang = usize::from(!self.is_zh[i]);
        let title_norm = (1.0 - B) + B * f64::from(self.title_len[i]) / self.avg_title_len[lang];
        let summary_norm = (1.0 - B) + B * f64::from(self.summary_len[i]) / self.avg_summary_len[lang];
        let tf =
            TITLE_WEIGHT * f64::from(p.title_tf) / title_norm + SUMMARY_WEIGHT * f64::from(p.summary_tf) / summary_norm;
        tf / (K1 + tf)
    }

    /// The query's terms with their statistics: BM25's idf and whether the term is specific.
    fn weigh(&self, query: &Query, stats: Option<&TermStats>) -> Vec<Weighed> {
        query
            .terms
            .iter()
            .map(|t| {
                let (docs, df) = self.doc_freq(&t.term, query.zh, stats);
                Weighed {
                    idf: (1.0 + (docs - df + 0.5) / (df + 0.5)).ln(),
                    specific: docs < SAMPLE_ITEMS || df <= SPECIFIC_SHARE * docs,
                    rare: df <= RARE_SHARE * docs,
                }
            })
            .collect()
    }

    /// What an average-length headline holding each of the query's terms once would score: the
    /// claim's own score, against which an item's score is shown as a share.
    fn self_score(query: &Query, weighed: &[Weighed]) -> f64 {
        let once = TITLE_WEIGHT / (K1 + TITLE_WEIGHT);
        query
            .terms
            .iter()
            .zip(weighed)
            .map(|(t, w)| t.weight * w.idf * once)
            .sum()
    }

    /// Scores every item of the query's language, and counts the claim's specific terms it holds.
    fn lexical(&self, query: &Query, weighed: &[Weighed], scores: &mut [f64], evidence: &mut [u8]) {
        // jieba's search mode yields a long word and the words inside it (智能代理, 智能, 代理):
        // they are one word, scored and counted for the bar once, as the longest found.
        let containers = query.containers();
        for ((t, w), containers) in query.terms.iter().zip(weighed).zip(&containers) {
            for p in self.postings(&t.term) {
                let i = p.item as usize;
                if self.is_zh[i] != query.zh {
                    continue;
                }
                if containers.iter().any(|u| self.holds(u, p.item)) {
                    continue;
                }
                let c = w.idf * self.saturation(p);
                scores[i] += t.weight * c;
                if t.evidence && w.specific {
                    evidence[i] += if w.rare { MIN_EVIDENCE } else { 1 };
                }
            }
        }
        // A phrase is looked for from its rarest word, the others found by binary search.
        let idf_of = |term: &str| {
            query
                .terms
                .iter()
                .position(|t| t.term == term)
                .map_or(0.0, |k| weighed[k].idf)
        };
        for phrase in &query.phrases {
            let Some(rarest) = phrase.iter().min_by_key(|t| self.postings(t).len()) else {
                continue;
            };
            for p in self.postings(rarest) {
                if self.is_zh[p.item as usize] != query.zh {
                    continue;
                }
                let parts: Option<f64> = phrase
                    .iter()
                    .map(|t| {
                        let postings = self.postings(t);
                        let at = postings.binary_search_by_key(&p.item, |q| q.item).ok()?;
                        Some(idf_of(t) * self.saturation(&postings[at]))
                    })
                    .sum();
                if let Some(sum) = parts {
                    scores[p.item as usize] += PHRASE_BOOST * sum;
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
            Query::of(claim, Lang::Zh, self.chinese, options.no_keywords),
            Query::of(claim, Lang::En, self.chinese, options.no_keywords),
        ];
        let mut scores = vec![0.0f64; n];
        let mut evidence = vec![0u8; n];
        let weighed = queries.each_ref().map(|q| self.weigh(q, options.stats));
        for (query, weighed) in queries.iter().zip(&weighed) {
            self.lexical(query, weighed, &mut scores, &mut evidence);
        }
        let self_scores: Vec<f64> = queries
            .iter()
            .zip(&weighed)
            .map(|(q, w)| NewsIndex::self_score(q, w).max(f64::MIN_POSITIVE))
            .collect();
        let share = |i: usize| scores[i] / self_scores[usize::from(!self.is_zh[i])];
        let dense = options.dense.as_ref().and_then(|d| self.dense(d));
        let left_out = |i: usize| {
            options.leave_out.is_some_and(|out| {
                let item = &self.items[i];
                let story = item.story_key.as_deref().unwrap_or(&item.identity);
                out.contains(&(claim.id.to_string(), story.to_string()))
            })
        };
        let lexical_ok = |i: usize| scores[i] > 0.0 && evidence[i] >= self.min_evidence;
        let mut keys = vec![0.0f64; n];
        let mut candidates: Vec<usize> = match &dense {
            None => {
                for (i, key) in keys.iter_mut().enumerate() {
                    *key = share(i);
                }
                (0..n).filter(|&i| lexical_ok(i) && !left_out(i)).collect()
            }
            Some(dense) => {
                // Reciprocal rank fusion: each list adds 1 / (k + rank); the scales never meet. The
                // lexical list is ordered by share, as without embeddings: a Chinese and an English
                // item are then compared against their own query, not by raw scores whose scales differ.
                let mut by_score: Vec<usize> = (0..n).filter(|&i| lexical_ok(i)).collect();
                by_score.sort_by(|&a, &b| share(b).total_cmp(&share(a)));
                for (rank, &i) in by_score.iter().enumerate() {
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
        // One story told by several feeds (the same link, or nearly the same headline) is shown
        // once, at the place of its best telling, by its newest telling.
        let mut chosen: Vec<(usize, usize, HashSet<String>)> = Vec::new();
        // Once the list is full, a few more candidates are read for newer tellings of the stories
        // chosen; not all of them, since reading a title costs a segmentation.
        let mut after_full = 0;
        for i in candidates {
            if chosen.len() == options.limit {
                after_full += 1;
                if after_full > LOOK_PAST_FULL {
                    break;
                }
            }
            let item = &self.items[i];
            let title_terms: HashSet<String> = tokenize::terms_with(&item.title, self.chinese).into_iter().collect();
            let duplicate = chosen.iter().position(|(_, j, other)| {
                let same_link = item.story_key.is_some() && item.story_key == self.items[*j].story_key;
                same_link || similarity(&title_terms, other) >= SAME_STORY_SIMILARITY
            });
            match duplicate {
                Some(k) if item.when() > self.items[chosen[k].1].when() => chosen[k].1 = i,
                Some(_) => {}
                None if chosen.len() < options.limit => chosen.push((i, i, title_terms)),
                None => {}
            }
        }
        chosen
            .into_iter()
            .map(|(best, i, _)| {
                let lang = usize::from(!self.is_zh[i]);
                RankedNews {
                    item: self.items[i].clone(),
                    score: round3(keys[best]),
                    why: Why {
                        share: round3(share(i)),
                        matched: self.matched(&queries[lang], &weighed[lang], i, self_scores[lang]),
                        dense_rank: dense.as_ref().and_then(|d| d.rank[i]),
                        dense_similarity: dense.as_ref().and_then(|d| d.scaled[i]),
                    },
                }
            })
            .collect()
    }

    /// The query's terms found in item `i`, with the share of the claim's own score each added,
    /// largest first.
    fn matched(&self, query: &Query, weighed: &[Weighed], i: usize, self_score: f64) -> Vec<(String, f64)> {
        let containers = query.containers();
        let mut out: Vec<(String, f64)> = query
            .terms
            .iter()
            .zip(weighed)
            .zip(&containers)
            .filter(|(_, containers)| !containers.iter().any(|u| self.holds(u, i as u32)))
            .filter_map(|((t, w), _)| {
                let postings = self.postings(&t.term);
                let at = postings.binary_search_by_key(&(i as u32), |p| p.item).ok()?;
                let c = t.weight * w.idf * self.saturation(&postings[at]);
                Some((t.term.clone(), round3(c / self_score)))
            })
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
    /// Whether `query`'s similarities take part in ranking (see [`NewsIndex::rank`]): not when no
    /// item has a vector, nor when the claim's two texts are no closer to each other than the
    /// window's median item is to the claim.
    pub fn dense_applies(&self, query: &DenseQuery) -> bool {
        self.dense(query).is_some()
    }

    /// Each item's dense similarity to the claim, scaled between the window's median item (0)
    /// and the claim's own translation (1), and its rank. None when the scale is meaningless.
    ///
    /// The rank compares items within their language first: a multilingual model puts texts of
    /// one language closer to each other than to the other's (multilingual-e5-small gives Chinese
    /// items a higher similarity to either claim text than English ones, so that raw similarity
    /// filled every top three with Chinese items). Each item's similarity to each claim text is
    /// taken as a standard score among the items of its language, and its best one orders it,
    /// as the lexical side scores each language against its own statistics. The bar for an item
    /// related by meaning alone (`scaled`, [`DENSE_MIN`]) keeps its absolute top (the claim's
    /// translation): a standard score would let the best few of any window in, related or not.
    /// Its zero is the median item of the item's own language, for the same bias: measured
    /// from the whole window's median, the language the model places closer would pass it more
    /// easily. With too few items of a language, the window's median serves both.
    fn dense(&self, query: &DenseQuery) -> Option<DenseRanks> {
        let reference = cosine(query.claim_zh, query.claim_en)?;
        let claim = ClaimVectors::new(query.claim_zh, query.claim_en)?;
        let pairs: Vec<Option<[f32; 2]>> = self
            .items
            .iter()
            .map(|item| claim.similarities(query.items.get(&item.identity)?))
            .collect();
        let raw: Vec<Option<f32>> = pairs.iter().map(|p| p.map(|[zh, en]| zh.max(en))).collect();
        let median_of = |keep: &dyn Fn(usize) -> bool| -> Option<(f32, usize)> {
            let mut known: Vec<f32> = (0..raw.len()).filter(|&i| keep(i)).filter_map(|i| raw[i]).collect();
            let middle = known.len() / 2;
            if known.is_empty() {
                return None;
            }
            // The middle value only: selecting it takes one pass where sorting took several.
            let (_, median, _) = known.select_nth_unstable_by(middle, f32::total_cmp);
            Some((*median, known.len()))
        };
        let (median, _) = median_of(&|_| true)?;
        if reference <= median + f32::EPSILON {
            return None;
        }
        let own = [true, false].map(|zh| median_of(&|i| self.is_zh[i] == zh));
        let each_own = own.iter().all(|m| m.is_none_or(|(_, n)| n >= MIN_FOR_STANDARD));
        let zero = |i: usize| match own[usize::from(!self.is_zh[i])] {
            Some((m, _)) if each_own => m,
            _ => median,
        };
        let scaled: Vec<Option<f32>> = (0..raw.len())
            .map(|i| {
                let (s, zero) = (raw[i]?, zero(i));
                // A language whose median item is as close as the translation has no room for
                // an item related by meaning alone.
                (reference > zero + f32::EPSILON).then(|| (s - zero) / (reference - zero))
            })
            .collect();
        let standard = self.standard_scores(&pairs);
        let mut order: Vec<usize> = (0..raw.len()).filter(|&i| raw[i].is_some()).collect();
        // Unstable is enough: the last comparison tells every two items apart.
        order.sort_unstable_by(|&a, &b| {
            standard[b]
                .total_cmp(&standard[a])
                .then_with(|| raw[b].unwrap_or(0.0).total_cmp(&raw[a].unwrap_or(0.0)))
                .then_with(|| a.cmp(&b))
        });
        let mut rank = vec![None; raw.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = Some(r as u32 + 1);
        }
        Some(DenseRanks { scaled, rank })
    }

    /// Per item, the larger of its two similarities (to the claim's Chinese and English text),
    /// each as a standard score among the items of the item's language. When a language present
    /// has fewer than [`MIN_FOR_STANDARD`] items with vectors, or similarities that do not vary,
    /// every item is scored against the whole window instead (the raw order, as before): a few
    /// items scored against the other language's statistics would bring the bias back. Where
    /// the window's do not vary either, that text orders nothing (the raw order then decides).
    fn standard_scores(&self, pairs: &[Option<[f32; 2]>]) -> Vec<f32> {
        let moments = |keep: &dyn Fn(usize) -> bool, text: usize| -> Option<(f32, f32)> {
            let values: Vec<f32> = (0..pairs.len())
                .filter(|&i| keep(i))
                .filter_map(|i| pairs[i].map(|p| p[text]))
                .collect();
            if values.len() < MIN_FOR_STANDARD {
                return None;
            }
            let n = values.len() as f32;
            let mean = values.iter().sum::<f32>() / n;
            let spread = (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
            (spread > f32::EPSILON).then_some((mean, spread))
        };
        let window = [moments(&|_| true, 0), moments(&|_| true, 1)];
        let own = [true, false].map(|zh| [0, 1].map(|text| moments(&|i| self.is_zh[i] == zh, text)));
        let present = [true, false].map(|zh| (0..pairs.len()).any(|i| pairs[i].is_some() && self.is_zh[i] == zh));
        let each_own = (0..2).all(|lang| !present[lang] || own[lang].iter().all(Option::is_some));
        let by_lang = if each_own { own } else { [window, window] };
        pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| {
                let Some(pair) = pair else { return f32::MIN };
                let moments = &by_lang[usize::from(!self.is_zh[i])];
                (0..2)
                    .map(|text| match moments[text] {
                        Some((mean, spread)) => (pair[text] - mean) / spread,
                        // Too few to tell, or all alike: this text orders nothing.
                        None => 0.0,
                    })
                    .fold(f32::MIN, f32::max)
            })
            .collect()
    }
}

struct DenseRanks {
    scaled: Vec<Option<f32>>,
    rank: Vec<Option<u32>>,
}

/// The cosine similarity of two vectors; `None` when their lengths differ or either is zero.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f32> {
    ClaimVectors::new(a, a)?.similarities(b).map(|[c, _]| c)
}

/// Lanes summed apart: a float sum in one accumulator must keep its order, which stops the
/// compiler from using vector instructions; eight partial sums let it.
const LANES: usize = 8;

/// A claim's two vectors with their lengths, so that each item's similarity to both takes one
/// pass over the item's numbers (a window of 50,000 items is 50,000 such passes per claim).
struct ClaimVectors<'a> {
    zh: &'a [f32],
    en: &'a [f32],
    norms: [f32; 2],
}

impl<'a> ClaimVectors<'a> {
    fn new(zh: &'a [f32], en: &'a [f32]) -> Option<ClaimVectors<'a>> {
        if zh.len() != en.len() || zh.is_empty() {
            return None;
        }
        let norm = |v: &[f32]| dots(v, v, v)[0].sqrt();
        Some(ClaimVectors {
            zh,
            en,
            norms: [norm(zh), norm(en)],
        })
    }

    /// The cosine similarity of `v` to the Chinese and to the English text.
    fn similarities(&self, v: &[f32]) -> Option<[f32; 2]> {
        if v.len() != self.zh.len() {
            return None;
        }
        let [zh, en, vv] = dots(v, self.zh, self.en);
        let norm = vv.sqrt();
        let zh = zh / (norm * self.norms[0]);
        let en = en / (norm * self.norms[1]);
        (zh.is_finite() && en.is_finite()).then_some([zh, en])
    }
}

/// `v·a`, `v·b` and `v·v`, in one pass (the three slices are of one length).
fn dots(v: &[f32], a: &[f32], b: &[f32]) -> [f32; 3] {
    let (mut va, mut vb, mut vv) = ([0.0f32; LANES], [0.0f32; LANES], [0.0f32; LANES]);
    let (v_chunks, a_chunks, b_chunks) = (v.chunks_exact(LANES), a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail = (v_chunks.remainder(), a_chunks.remainder(), b_chunks.remainder());
    for ((v, a), b) in v_chunks.zip(a_chunks).zip(b_chunks) {
        // As arrays, the lanes' bounds are known and the loop below needs no checks.
        let as_lanes = |chunk: &[f32]| -> [f32; LANES] { chunk.try_into().unwrap_or([0.0; LANES]) };
        let (v, a, b) = (as_lanes(v), as_lanes(a), as_lanes(b));
        for l in 0..LANES {
            va[l] += v[l] * a[l];
            vb[l] += v[l] * b[l];
            vv[l] += v[l] * v[l];
        }
    }
    let mut sums = [va.iter().sum::<f32>(), vb.iter().sum::<f32>(), vv.iter().sum::<f32>()];
    for ((v, a), b) in tail.0.iter().zip(tail.1).zip(tail.2) {
        sums[0] += v * a;
        sums[1] += v * b;
        sums[2] += v * v;
    }
    sums
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl Query {
    /// Per term, the longer Chinese terms of the query that contain it (数学家 for 数学).
    fn containers(&self) -> Vec<Vec<&str>> {
        self.terms
            .iter()
            .map(|t| {
                let han = t.term.chars().any(tokenize::is_han);
                self.terms
                    .iter()
                    .filter(|u| han && u.term.len() > t.term.len() && u.term.contains(t.term.as_str()))
                    .map(|u| u.term.as_str())
                    .collect()
            })
            .collect()
    }

    /// The query in one language: the claim's text there, its keywords unless left out, and its
    /// section's title, lightly.
    fn of(claim: &Claim, lang: Lang, chinese: ChineseTerms, no_keywords: bool) -> Query {
        let pick = |l: &crate::lang::Localized| l.get(lang).to_string();
        let keywords = lang.pick(&claim.keywords.zh, &claim.keywords.en);
        let zh = lang.is_chinese();
        let mut terms: Vec<QueryTerm> = Vec::new();
        let add = |terms: &mut Vec<QueryTerm>, term: String, weight: f64, evidence: bool| match terms
            .iter_mut()
            .find(|t| t.term == term)
        {
            Some(t) => {
                t.weight = t.weight.max(weight);
                t.evidence |= evidence;
            }
            None => terms.push(QueryTerm { term, weight, evidence }),
        };
        for term in tokenize::terms_with(&pick(&claim.text), chinese) {
            add(&mut terms, term, 1.0, true);
        }
        let mut phrases: Vec<Vec<String>> = Vec::new();
        if !no_keywords {
            for keyword in keywords {
                let mut words = tokenize::terms_with(keyword, chinese);
                words.sort();
                words.dedup();
                for w in &words {
                    add(&mut terms, w.clone(), KEYWORD_WEIGHT, true);
                }
                if words.len() > 1 && !phrases.contains(&words) {
                    phrases.push(words);
                }
            }
        }
        // A suggestion's heading is the same words for every suggestion: no evidence of topic.
        if let crate::claims::Section::Essay(heading) = &claim.section {
            for term in tokenize::terms_with(&pick(heading), chinese) {
                add(&mut terms, term, SECTION_WEIGHT, false);
            }
        }
        terms.sort_by(|a, b| a.term.cmp(&b.term));
        Query { zh, terms, phrases }
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
    numbers: TermTable<u32>,
    postings: Vec<Vec<Posting>>,
    is_zh: Vec<bool>,
    title_len: Vec<u32>,
    summary_len: Vec<u32>,
}

impl Terms {
    /// The terms of `items`, the first of which is item number `first` of the window.
    fn of(items: &[NewsItem], first: u32, chinese: ChineseTerms) -> Terms {
        let mut terms = Terms::default();
        let mut tokenizer = Tokenizer::new(chinese);
        let (mut in_title, mut in_summary) = (Vec::new(), Vec::new());
        for (offset, item) in items.iter().enumerate() {
            in_title.clear();
            in_summary.clear();
            tokenizer.for_each_term(&item.title, |term| in_title.push(terms.number(term)));
            tokenizer.for_each_term(&item.summary, |term| in_summary.push(terms.number(term)));
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

    fn vectors_by_identity<const N: usize>(pairs: [(&str, Vec<f32>); N]) -> ItemVectors {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v.into())).collect()
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
        // The story told twice is shown once, by its newer telling.
        assert_eq!(got[0], "OpenAI launches browser agent for office automation tasks");
        assert_eq!(
            got[1],
            "Google ships Gemini agent steering the browser for office automation"
        );
        // Equal scores: the newer story first.
        let index = NewsIndex::new(vec![
            item(1, "Acme ships its agent", "A browser agent for office automation.", 10),
            item(
                2,
                "Initech tests its agent",
                "A browser agent for office automation.",
                12,
            ),
        ]);
        let ranked = index.related(claim, 5);
        assert_eq!(ranked.len(), 2);
        assert_eq!(ranked[0].score, ranked[1].score);
        assert_eq!(ranked[0].item.title, "Initech tests its agent");
    }

    #[test]
    fn stored_statistics_keep_a_rare_word_rare() {
        let set = claims();
        let claim = set.get("agents-arrive-2025").unwrap();
        // A window where every item is about browser agents: there, no word is specific.
        let items: Vec<NewsItem> = (1..=25)
            .map(|n| item(n, &format!("Browser agent number {n}"), "A story.", 1 + n % 27))
            .collect();
        let index = NewsIndex::new(items);
        assert!(index.related(claim, 3).is_empty());
        // Over all the stored news, "browser" and "agent" are specific.
        let mut stats = TermStats::default();
        for n in 0..1_000 {
            let title = match n % 100 {
                0 => "Browser agent news",
                1 => "An agent story",
                _ => "Markets and weather",
            };
            stats.add(title, "");
        }
        let ranked = index.rank(
            claim,
            &RankOptions {
                limit: 3,
                stats: Some(&stats),
                ..Default::default()
            },
        );
        // (The 25 headlines tell one story, shown once.)
        assert_eq!(ranked.len(), 1);
        assert!(ranked[0].why.matched.iter().any(|(t, _)| t == "browser"));
    }

    #[test]
    fn a_claim_with_only_text_finds_its_news() {
        let text_only = ClaimSet::parse(
            r#"
[essay]
title = { zh = "测试", en = "Test" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "volcanoes"
section = { zh = "一", en = "One" }
text = { zh = "火山喷发会让航班停飞。", en = "Volcanic eruptions will ground flights." }
kind = "opinion"
"#,
        )
        .unwrap();
        let claim = &text_only.claims()[0];
        let index = NewsIndex::new(vec![
            item(
                1,
                "Eruption grounds flights across the region",
                "The volcano erupted overnight.",
                20,
            ),
            item(2, "Airline posts record profit", "Flights were full.", 21),
            item(3, "火山喷发，多地航班停飞", "", 22),
            item(4, "新能源汽车销量创新高", "", 22),
        ]);
        let got = titles(&index.related(claim, 3)).join(" | ");
        assert!(got.contains("Eruption grounds flights"), "{got}");
        assert!(got.contains("火山喷发"), "{got}");
        assert!(!got.contains("Airline") && !got.contains("汽车"), "{got}");
    }

    #[test]
    fn dense_similarity_lets_a_chinese_claim_find_an_english_item() {
        let text_only = ClaimSet::parse(
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
        let claim = &text_only.claims()[0];
        let index = NewsIndex::new(vec![
            item(1, "Study mode turns the chatbot into a patient teacher", "", 20),
            item(2, "Stock markets rally on rate cut", "", 21),
            item(3, "New phone comes in green", "", 22),
            item(4, "Weather turns cold", "", 22),
        ]);
        assert!(index.related(claim, 3).is_empty(), "no shared word");
        let vectors = vectors_by_identity([
            ("id-1", vec![0.9, 0.1, 0.0]),
            ("id-2", vec![0.0, 1.0, 0.1]),
            ("id-3", vec![0.1, 0.0, 1.0]),
            ("id-4", vec![0.0, 0.7, 0.7]),
        ]);
        let (zh, en) = (vec![1.0, 0.0, 0.0], vec![0.95, 0.05, 0.0]);
        let ranked = index.rank(
            claim,
            &RankOptions {
                limit: 3,
                dense: Some(DenseQuery {
                    claim_zh: &zh,
                    claim_en: &en,
                    items: &vectors,
                }),
                ..Default::default()
            },
        );
        assert_eq!(titles(&ranked), ["Study mode turns the chatbot into a patient teacher"]);
        assert_eq!(ranked[0].why.dense_rank, Some(1));
        // Vectors of the wrong size are no evidence: lexical ranking alone.
        let (zh, en) = (vec![1.0, 0.0], vec![0.9, 0.1]);
        let ranked = index.rank(
            claim,
            &RankOptions {
                limit: 3,
                dense: Some(DenseQuery {
                    claim_zh: &zh,
                    claim_en: &en,
                    items: &vectors,
                }),
                ..Default::default()
            },
        );
        assert!(ranked.is_empty());
    }

    #[test]
    fn meaning_ranks_each_language_among_its_own_items() {
        // A model that puts every Chinese text near the claim (0.90 to 0.92) and English ones
        // far (0.30 to 0.32), but for one English story that stands out among its own (0.60).
        let mut items = Vec::new();
        let mut vectors = ItemVectors::default();
        let at = |cos: f32| vec![cos, (1.0 - cos * cos).sqrt()];
        for n in 0..12u32 {
            items.push(item(n, &format!("中文新闻第{n}条"), "", 20));
            vectors.insert(format!("id-{n}"), at(0.90 + 0.002 * n as f32).into());
            items.push(item(100 + n, &format!("English story number {n}"), "", 20));
            vectors.insert(format!("id-{}", 100 + n), at(0.30 + 0.002 * n as f32).into());
        }
        items.push(item(200, "The English story that bears on the claim", "", 20));
        vectors.insert("id-200".into(), at(0.60).into());
        let index = NewsIndex::new(items);
        let (zh, en) = (at(1.0), at(0.99));
        let query = DenseQuery {
            claim_zh: &zh,
            claim_en: &en,
            items: &vectors,
        };
        let dense = index
            .dense(&query)
            .expect("the translation is closer than the median item");
        let rank_of = |identity: &str| {
            let i = index.items.iter().position(|it| it.identity == identity).unwrap();
            dense.rank[i].unwrap()
        };
        assert_eq!(rank_of("id-200"), 1, "first among its own, so first overall");
        // Within a language the order is the similarity's.
        assert!(rank_of("id-11") < rank_of("id-0"));
        assert!(rank_of("id-111") < rank_of("id-100"));
        // Raw similarity would put every Chinese item before every English one; among its own,
        // the best of the other English items comes before the least of the Chinese.
        assert!(rank_of("id-111") < rank_of("id-0"), "the languages are interleaved");
    }

    #[test]
    fn meaning_alone_is_measured_from_the_median_of_the_items_own_language() {
        // Chinese items sit near the claim (0.80 to 0.82), English ones far (0.40 to 0.42). One
        // English story stands out among its own (0.75); one Chinese story barely (0.85).
        let mut items = Vec::new();
        let mut vectors = ItemVectors::default();
        let at = |cos: f32| vec![cos, (1.0 - cos * cos).sqrt()];
        for n in 0..12u32 {
            items.push(item(n, &format!("中文新闻第{n}条"), "", 20));
            vectors.insert(format!("id-{n}"), at(0.80 + 0.002 * n as f32).into());
            items.push(item(100 + n, &format!("English story number {n}"), "", 20));
            vectors.insert(format!("id-{}", 100 + n), at(0.40 + 0.002 * n as f32).into());
        }
        items.push(item(200, "The English story that bears on the claim", "", 20));
        vectors.insert("id-200".into(), at(0.75).into());
        items.push(item(201, "一条略近的中文新闻", "", 20));
        vectors.insert("id-201".into(), at(0.85).into());
        let index = NewsIndex::new(items);
        let claim = at(1.0);
        let query = DenseQuery {
            claim_zh: &claim,
            claim_en: &claim,
            items: &vectors,
        };
        let dense = index.dense(&query).unwrap();
        let scaled = |identity: &str| {
            let i = index.items.iter().position(|it| it.identity == identity).unwrap();
            dense.scaled[i].unwrap()
        };
        // From the window's median (a Chinese item's 0.80) the English story would be below zero
        // and the Chinese one a quarter of the way; from their own languages' medians it is the
        // other way round.
        assert!(scaled("id-200") >= DENSE_MIN, "{}", scaled("id-200"));
        assert!(scaled("id-201") < DENSE_MIN, "{}", scaled("id-201"));
    }

    #[test]
    fn meaning_too_few_to_standardise_keeps_the_raw_order() {
        // Four items: too few for a language's mean and spread, so the raw similarity orders
        // them, wherever the closest stands in the window.
        let index = NewsIndex::new(vec![
            item(1, "Weather turns cold", "", 22),
            item(2, "Stock markets rally on rate cut", "", 21),
            item(3, "New phone comes in green", "", 22),
            item(4, "Study mode turns the chatbot into a patient teacher", "", 20),
        ]);
        let vectors = vectors_by_identity([
            ("id-1", vec![0.0, 0.7, 0.7]),
            ("id-2", vec![0.0, 1.0, 0.1]),
            ("id-3", vec![0.3, 0.0, 1.0]),
            ("id-4", vec![0.9, 0.1, 0.0]),
        ]);
        let (zh, en) = (vec![1.0, 0.0, 0.0], vec![0.95, 0.05, 0.0]);
        let query = DenseQuery {
            claim_zh: &zh,
            claim_en: &en,
            items: &vectors,
        };
        let dense = index.dense(&query).unwrap();
        assert_eq!(dense.rank, [Some(4), Some(3), Some(2), Some(1)]);
    }

    #[test]
    fn a_chinese_word_and_the_words_inside_it_count_once() {
        let set = claims();
        let claim = set.get("math-700-days").unwrap();
        // jieba's search mode reads 数学家 as 数学家, 数学 and 学家: one word, not three.
        let index = NewsIndex::new(vec![
            item(1, "数学家的一天", "", 20),
            item(2, "数学家用 AI 证明新定理", "", 20),
        ]);
        let ranked = index.related(claim, 3);
        assert_eq!(titles(&ranked), ["数学家用 AI 证明新定理"]);
        let matched: Vec<&str> = ranked[0].why.matched.iter().map(|(t, _)| t.as_str()).collect();
        assert!(matched.contains(&"数学家"), "{matched:?}");
        assert!(!matched.contains(&"数学") && !matched.contains(&"学家"), "{matched:?}");
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
        let ranked = NewsIndex::new(items).with_min_evidence(0).related(claim, 3);
        assert_eq!(ranked.len(), 3);
    }
}
