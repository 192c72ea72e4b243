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
    postings: HashMap<String, Vec<Posting>>,
    min_score: f64,
}

#[derive(Clone, Copy)]
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
        let mut postings: HashMap<String, Vec<Posting>> = HashMap::new();
        for (index, item) in items.iter().enumerate() {
            let title: HashSet<String> = terms(&item.title).into_iter().collect();
            let mut all = title.clone();
            all.extend(terms(&item.summary));
            for term in all {
                let in_title = title.contains(&term);
                postings.entry(term).or_default().push(Posting {
                    item: index as u32,
                    in_title,
                });
            }
        }
        NewsIndex {
            items,
            postings,
            min_score: DEFAULT_MIN_SCORE,
        }
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
                for p in self.postings.get(term).map(Vec::as_slice).unwrap_or_default() {
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
    let mut word = String::new();
    let mut han: Vec<char> = Vec::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if is_han(c) {
            flush_word(&mut word, &mut out);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, &mut out);
            word.push(c);
        } else {
            flush_word(&mut word, &mut out);
            flush_han(&mut han, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_han(&mut han, &mut out);
    out
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn flush_word(word: &mut String, out: &mut Vec<String>) {
    if word.is_empty() {
        return;
    }
    let w = std::mem::take(word);
    let numeric = w.chars().all(|c| c.is_ascii_digit());
    if (numeric && w.len() < 3) || (!numeric && w.chars().count() < 2) || STOP_WORDS.contains(&w.as_str()) {
        return;
    }
    out.push(stem(w));
}

/// Drops an English plural `s`, so that "agents" finds "agent". Deliberately crude.
fn stem(mut w: String) -> String {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w.pop();
    }
    w
}

fn flush_han(han: &mut Vec<char>, out: &mut Vec<String>) {
    match han.len() {
        0 => {}
        1 => {
            if !ZH_FUNCTION_CHARS.contains(han[0]) {
                out.push(han[0].to_string());
            }
        }
        _ => {
            for pair in han.windows(2) {
                if !ZH_FUNCTION_CHARS.contains(pair[0]) && !ZH_FUNCTION_CHARS.contains(pair[1]) {
                    out.push(pair.iter().collect());
                }
            }
        }
    }
    han.clear();
}

/// Characters that mostly glue Chinese sentences together; a pair containing one says little.
const ZH_FUNCTION_CHARS: &str = "的了是在和也就都而及与着或这那个我你他她它们不会能可要有为以于之其此从到对把被让给很更最还又再所如若并且但却已将该些么吗呢吧啊";

const STOP_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "almost", "already", "also", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "between", "both", "but", "by", "can", "cannot", "could", "did", "do",
    "does", "doing", "down", "each", "even", "every", "few", "for", "from", "further", "get", "gets", "had", "has",
    "have", "having", "he", "her", "here", "his", "how", "if", "in", "into", "is", "it", "its", "just", "less", "like",
    "may", "might", "more", "most", "much", "must", "my", "new", "no", "nor", "not", "now", "of", "off", "on", "once",
    "one", "only", "or", "other", "our", "out", "over", "own", "same", "says", "she", "should", "so", "some", "still",
    "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "under", "until", "up", "us", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "within", "would", "you", "your", "yet", "say", "said", "way", "make", "makes",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::claims::ClaimSet;
    use chrono::{TimeZone, Utc};
    use std::path::Path;

    fn claims() -> ClaimSet {
        ClaimSet::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap()
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
