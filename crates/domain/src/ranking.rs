//! Which news bear on a claim. Terms are English words (lower-cased, plural `s` dropped, stop
//! words out) and, for Chinese, which has no spaces, overlapping character pairs. A claim's
//! keywords are phrases that must match whole; words of its text count for less. An inverted
//! index over the window's items makes ranking every claim cheap.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::claims::Claim;
use super::news::NewsItem;

/// Weight of a keyword phrase found in an item.
const KEYWORD_WEIGHT: f64 = 2.0;
/// Weight of a word (or character pair) of the claim's own text found in an item.
const TEXT_WEIGHT: f64 = 0.5;
/// A match in the title counts this much more than one only in the summary.
const TITLE_BOOST: f64 = 1.5;
/// Below this, an item is unrelated: one keyword alone is not enough, nor a handful of common words.
pub const DEFAULT_MIN_SCORE: f64 = 2.5;
/// Two titles sharing this share of their terms tell the same story.
const SAME_STORY_SIMILARITY: f64 = 0.6;

#[derive(Debug, Clone, Serialize)]
pub struct RankedNews {
    pub item: NewsItem,
    pub score: f64,
}

/// The items of a window, indexed once, ranked against any number of claims.
pub struct NewsIndex {
    items: Vec<NewsItem>,
    /// Each distinct term's number: `postings[number]` lists the items containing it.
    term_numbers: HashMap<Box<str>, u32>,
    postings: Vec<Vec<Posting>>,
    min_score: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Posting {
    item: u32,
    in_title: bool,
}

struct Phrase {
    terms: Vec<String>,
    weight: f64,
}

impl NewsIndex {
    pub fn new(items: Vec<NewsItem>) -> NewsIndex {
        // Building the index is most of the cost of ranking. A large window is split between
        // threads, one part per core, and the parts' terms merged after.
        let parts = if items.len() >= PARALLEL_FROM_ITEMS {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_INDEX_THREADS))
        } else {
            1
        };
        NewsIndex::in_parts(items, parts)
    }

    /// The index built from `parts` runs of the items, each on its own thread when more than one.
    fn in_parts(items: Vec<NewsItem>, parts: usize) -> NewsIndex {
        let part_len = items.len().div_ceil(parts).max(1);
        let mut built = if parts == 1 {
            vec![Terms::of(&items, 0)]
        } else {
            std::thread::scope(|scope| {
                let threads: Vec<_> = items
                    .chunks(part_len)
                    .enumerate()
                    .map(|(k, part)| scope.spawn(move || Terms::of(part, (k * part_len) as u32)))
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
        NewsIndex {
            items,
            term_numbers: index.numbers,
            postings: index.postings,
            min_score: DEFAULT_MIN_SCORE,
        }
    }

    /// The items containing `term`, in window order.
    fn postings(&self, term: &str) -> &[Posting] {
        self.term_numbers
            .get(term)
            .map_or(&[], |&n| self.postings[n as usize].as_slice())
    }

    pub fn with_min_score(mut self, min_score: f64) -> NewsIndex {
        self.min_score = min_score;
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
        if self.items.is_empty() || limit == 0 {
            return Vec::new();
        }
        let n = self.items.len();
        let mut scores = vec![0.0f64; n];
        let mut hits = vec![0u16; n];
        let mut title_hits = vec![0u16; n];
        let mut touched: Vec<u32> = Vec::new();
        for phrase in claim_phrases(claim) {
            for term in &phrase.terms {
                for p in self.postings(term) {
                    let i = p.item as usize;
                    if hits[i] == 0 {
                        touched.push(p.item);
                    }
                    hits[i] += 1;
                    title_hits[i] += u16::from(p.in_title);
                }
            }
            let need = phrase.terms.len() as u16;
            let matched: Vec<u32> = touched.iter().copied().filter(|&i| hits[i as usize] == need).collect();
            // Rarer phrases say more: one found in every item of the window barely counts.
            let rarity = 1.0 / (1.0 + 4.0 * matched.len() as f64 / n as f64);
            for &i in &matched {
                let boost = if title_hits[i as usize] == need {
                    TITLE_BOOST
                } else {
                    1.0
                };
                scores[i as usize] += phrase.weight * rarity * boost;
            }
            for &i in &touched {
                hits[i as usize] = 0;
                title_hits[i as usize] = 0;
            }
            touched.clear();
        }
        let mut candidates: Vec<usize> = (0..n).filter(|&i| scores[i] >= self.min_score).collect();
        candidates.sort_by(|&a, &b| {
            scores[b]
                .total_cmp(&scores[a])
                .then_with(|| self.items[b].when().cmp(&self.items[a].when()))
                .then_with(|| self.items[a].identity.cmp(&self.items[b].identity))
        });
        let mut chosen: Vec<(usize, HashSet<String>)> = Vec::new();
        for i in candidates {
            let item = &self.items[i];
            let title_terms: HashSet<String> = terms(&item.title).into_iter().collect();
            let duplicate = chosen.iter().any(|(j, other)| {
                let same_link = item.story_key.is_some() && item.story_key == self.items[*j].story_key;
                same_link || similarity(&title_terms, other) >= SAME_STORY_SIMILARITY
            });
            if !duplicate {
                chosen.push((i, title_terms));
                if chosen.len() == limit {
                    break;
                }
            }
        }
        chosen
            .into_iter()
            .map(|(i, _)| RankedNews {
                item: self.items[i].clone(),
                score: (scores[i] * 1000.0).round() / 1000.0,
            })
            .collect()
    }
}

/// Windows this large are indexed on several threads.
const PARALLEL_FROM_ITEMS: usize = 20_000;
/// At most this many threads index one window.
const MAX_INDEX_THREADS: usize = 4;

/// The terms of a run of items: each distinct term numbered as first seen (so that each
/// occurrence costs one lookup by `&str` and no allocation), and the items containing it.
#[derive(Default)]
struct Terms {
    numbers: HashMap<Box<str>, u32>,
    postings: Vec<Vec<Posting>>,
}

impl Terms {
    /// The terms of `items`, the first of which is item number `first` of the window.
    fn of(items: &[NewsItem], first: u32) -> Terms {
        let mut terms = Terms::default();
        let (mut in_title, mut in_summary) = (Vec::new(), Vec::new());
        for (offset, item) in items.iter().enumerate() {
            in_title.clear();
            in_summary.clear();
            for_each_term(&item.title, |term| in_title.push(terms.number(term)));
            for_each_term(&item.summary, |term| in_summary.push(terms.number(term)));
            in_title.sort_unstable();
            in_title.dedup();
            in_summary.sort_unstable();
            in_summary.dedup();
            let item = first + offset as u32;
            for &n in &in_title {
                terms.postings[n as usize].push(Posting { item, in_title: true });
            }
            for &n in &in_summary {
                if in_title.binary_search(&n).is_err() {
                    terms.postings[n as usize].push(Posting { item, in_title: false });
                }
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
        let Terms { numbers, mut postings } = later;
        for (term, n) in numbers {
            let items = std::mem::take(&mut postings[n as usize]);
            let mine = self.number(&term);
            self.postings[mine as usize].extend(items);
        }
    }
}

fn claim_phrases(claim: &Claim) -> Vec<Phrase> {
    let mut phrases = Vec::new();
    let mut single_keywords = HashSet::new();
    for keyword in claim.keywords.en.iter().chain(&claim.keywords.zh) {
        let mut ts = terms(keyword);
        ts.sort();
        ts.dedup();
        if ts.is_empty() {
            continue;
        }
        if ts.len() == 1 {
            single_keywords.insert(ts[0].clone());
        }
        phrases.push(Phrase {
            terms: ts,
            weight: KEYWORD_WEIGHT,
        });
    }
    let mut text_terms: Vec<String> = terms(&claim.text.en);
    text_terms.extend(terms(&claim.text.zh));
    text_terms.sort();
    text_terms.dedup();
    for t in text_terms {
        if !single_keywords.contains(&t) {
            phrases.push(Phrase {
                terms: vec![t],
                weight: TEXT_WEIGHT,
            });
        }
    }
    phrases
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
    let mut out = Vec::new();
    for_each_term(text, |term| out.push(term.to_string()));
    out
}

/// Calls `emit` with each term of `text`, in order of appearance, without allocating per term.
fn for_each_term(text: &str, mut emit: impl FnMut(&str)) {
    let mut terms = TermBuffer::default();
    for c in text.chars() {
        // Most text is ASCII, whose lower case is one character and needs no table lookup.
        if c.is_ascii() {
            terms.push(c.to_ascii_lowercase(), &mut emit);
        } else {
            for lower in c.to_lowercase() {
                terms.push(lower, &mut emit);
            }
        }
    }
    terms.finish(&mut emit);
}

/// The word or run of Chinese characters being read, and a scratch buffer for character pairs.
#[derive(Default)]
struct TermBuffer {
    word: String,
    han: Vec<char>,
    pair: String,
}

impl TermBuffer {
    fn push(&mut self, c: char, emit: &mut impl FnMut(&str)) {
        if is_han(c) {
            flush_word(&mut self.word, emit);
            self.han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut self.han, &mut self.pair, emit);
            self.word.push(c);
        } else {
            self.finish(emit);
        }
    }

    fn finish(&mut self, emit: &mut impl FnMut(&str)) {
        flush_word(&mut self.word, emit);
        flush_han(&mut self.han, &mut self.pair, emit);
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn flush_word(word: &mut String, emit: &mut impl FnMut(&str)) {
    if word.is_empty() {
        return;
    }
    let numeric = word.bytes().all(|b| b.is_ascii_digit());
    let short = if numeric {
        word.len() < 3
    } else {
        word.chars().nth(1).is_none()
    };
    if !short && !is_stop_word(word) {
        emit(stem(word));
    }
    word.clear();
}

fn is_stop_word(word: &str) -> bool {
    // Ordered by length first: most probes are then settled by comparing lengths.
    STOP_WORDS
        .binary_search_by(|stop| (stop.len(), *stop).cmp(&(word.len(), word)))
        .is_ok()
}

/// Drops an English plural `s`, so that "agents" finds "agent". Deliberately crude.
fn stem(w: &str) -> &str {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

fn flush_han(han: &mut Vec<char>, pair: &mut String, emit: &mut impl FnMut(&str)) {
    match han.len() {
        0 => {}
        1 => {
            if !ZH_FUNCTION_CHARS.contains(han[0]) {
                pair.clear();
                pair.push(han[0]);
                emit(pair);
            }
        }
        _ => {
            for two in han.windows(2) {
                if !ZH_FUNCTION_CHARS.contains(two[0]) && !ZH_FUNCTION_CHARS.contains(two[1]) {
                    pair.clear();
                    pair.extend(two);
                    emit(pair);
                }
            }
        }
    }
    han.clear();
}

/// Characters that mostly glue Chinese sentences together; a pair containing one says little.
const ZH_FUNCTION_CHARS: &str = "的了是在和也就都而及与着或这那个我你他她它们不会能可要有为以于之其此从到对把被让给很更最还又再所如若并且但却已将该些么吗呢吧啊";

/// Sorted by length, then alphabetically, for [`is_stop_word`].
const STOP_WORDS: &[&str] = &[
    "a", "an", "as", "at", "be", "by", "do", "he", "if", "in", "is", "it", "my", "no", "of", "on", "or", "so", "to",
    "up", "us", "we", "all", "and", "any", "are", "but", "can", "did", "few", "for", "get", "had", "has", "her", "his",
    "how", "its", "may", "new", "nor", "not", "now", "off", "one", "our", "out", "own", "say", "she", "the", "too",
    "was", "way", "who", "why", "yet", "you", "also", "been", "both", "does", "down", "each", "even", "from", "gets",
    "have", "here", "into", "just", "less", "like", "make", "more", "most", "much", "must", "once", "only", "over",
    "said", "same", "says", "some", "such", "than", "that", "them", "then", "they", "this", "very", "were", "what",
    "when", "whom", "will", "with", "your", "about", "above", "after", "again", "being", "could", "doing", "every",
    "makes", "might", "other", "still", "their", "there", "these", "those", "under", "until", "where", "which",
    "while", "would", "almost", "before", "cannot", "having", "should", "within", "already", "because", "between",
    "further", "through",
];

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
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| (w[0].len(), w[0]) < (w[1].len(), w[1])));
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(terms("the and new").is_empty());
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
        let whole = NewsIndex::in_parts(items.clone(), 1);
        let split = NewsIndex::in_parts(items, 3);
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
    fn terms_cover_english_and_chinese() {
        assert_eq!(terms("The Agents are coming!"), ["agent", "coming"]);
        assert_eq!(terms("数学家的定理"), ["数学", "学家", "定理"]);
        assert_eq!(terms("o3 模型"), ["o3", "模型"]);
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
        let ranked = NewsIndex::new(items).with_min_score(0.1).related(claim, 3);
        assert_eq!(ranked.len(), 3);
    }
}
