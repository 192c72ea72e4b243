//! A server's word filter on one of its feeds: items naming an excluded word are dropped, and
//! when include words are set, only items naming one of them are kept. Applied to the news window
//! before ranking, so a filtered item never reaches a post, `/news` or a ledger.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::ids::FeedId;
use crate::news::NewsItem;

/// Most words or phrases in one list; a filter is a moderator's short list, not a blocklist.
pub const MAX_TERMS: usize = 20;
/// Longest word or phrase, in characters.
pub const MAX_TERM_CHARS: usize = 60;

/// Why a list of filter words was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterError {
    TooMany { max: usize },
    TooLong { term: String, max: usize },
}

/// Include and exclude lists, each held lower-cased with its spaces collapsed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFilter {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl FeedFilter {
    pub fn new(include: Vec<String>, exclude: Vec<String>) -> Result<FeedFilter, FilterError> {
        Ok(FeedFilter {
            include: checked_terms(include)?,
            exclude: checked_terms(exclude)?,
        })
    }

    pub fn include(&self) -> &[String] {
        &self.include
    }

    pub fn exclude(&self) -> &[String] {
        &self.exclude
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether `item` passes: it names no excluded term in its title or summary, and names an
    /// included one when there are any.
    pub fn admits(&self, item: &NewsItem) -> bool {
        if self.is_empty() {
            return true;
        }
        let text = normalise(&format!("{} {}", item.title, item.summary));
        let names = |term: &String| contains_term(&text, term);
        !self.exclude.iter().any(names) && (self.include.is_empty() || self.include.iter().any(names))
    }
}

/// Splits what a moderator typed into words or phrases: commas (ASCII or Chinese) and the
/// Chinese enumeration mark separate them; blanks and repeats are dropped.
pub fn parse_terms(input: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for raw in input.split([',', '，', '、', ';', '；']) {
        let term = normalise(raw);
        if !term.is_empty() && !terms.contains(&term) {
            terms.push(term);
        }
    }
    terms
}

fn checked_terms(terms: Vec<String>) -> Result<Vec<String>, FilterError> {
    let mut out: Vec<String> = Vec::new();
    for term in terms.iter().map(|t| normalise(t)).filter(|t| !t.is_empty()) {
        if term.chars().count() > MAX_TERM_CHARS {
            return Err(FilterError::TooLong {
                term,
                max: MAX_TERM_CHARS,
            });
        }
        if !out.contains(&term) {
            out.push(term);
        }
    }
    if out.len() > MAX_TERMS {
        return Err(FilterError::TooMany { max: MAX_TERMS });
    }
    Ok(out)
}

/// Lower case with every run of white space made one space, so that "Open  Source" in a
/// headline meets the phrase "open source".
fn normalise(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word character for the purpose of word boundaries: letters and digits of scripts that
/// separate words with spaces. Chinese and Japanese characters are not, since those scripts
/// write words without spaces and a term there matches wherever it appears.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether `text` holds `term` as a whole word or phrase: "ai" is in "new ai model" but not in
/// "said"; a Chinese term is found anywhere.
fn contains_term(text: &str, term: &str) -> bool {
    let starts_in_word = term.chars().next().is_some_and(is_word_char);
    let ends_in_word = term.chars().next_back().is_some_and(is_word_char);
    text.match_indices(term).any(|(at, found)| {
        let before = text[..at].chars().next_back();
        let after = text[at + found.len()..].chars().next();
        let joined_before = starts_in_word && before.is_some_and(is_word_char);
        let joined_after = ends_in_word && after.is_some_and(is_word_char);
        !joined_before && !joined_after
    })
}

/// The feeds a server's news window reads, with the filters its moderators set on some of them
/// and the stories its members withheld from a claim (the evidence ledger's off-topic marks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedSelection {
    pub feeds: Vec<FeedId>,
    pub filters: HashMap<FeedId, FeedFilter>,
    pub withheld: crate::ranking::LeaveOut,
}

impl FeedSelection {
    /// Feeds read as they are, with no filter (the command line's preview, benches).
    pub fn unfiltered(feeds: Vec<FeedId>) -> FeedSelection {
        FeedSelection {
            feeds,
            ..FeedSelection::default()
        }
    }

    /// Whether an item read from `feed` passes that feed's filter.
    pub fn admits(&self, feed: FeedId, item: &NewsItem) -> bool {
        self.filters.get(&feed).is_none_or(|filter| filter.admits(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn item(title: &str, summary: &str) -> NewsItem {
        NewsItem {
            identity: title.into(),
            story_key: None,
            title: title.into(),
            url: None,
            summary: summary.into(),
            source: "feed".into(),
            published: None,
            seen_at: Utc::now(),
        }
    }

    fn filter(include: &str, exclude: &str) -> FeedFilter {
        FeedFilter::new(parse_terms(include), parse_terms(exclude)).unwrap()
    }

    #[test]
    fn terms_split_on_commas_in_both_languages_and_drop_blanks_and_repeats() {
        assert_eq!(
            parse_terms(" Crypto, NFT ,,crypto，加密货币、 Open   Source ;"),
            vec!["crypto", "nft", "加密货币", "open source"]
        );
        assert!(parse_terms(" , ，").is_empty());
    }

    #[test]
    fn exclude_matches_whole_words_case_insensitively() {
        let f = filter("", "AI, open source");
        assert!(!f.admits(&item("New AI model", "")));
        assert!(!f.admits(&item("Lab goes OPEN  source", "")));
        assert!(!f.admits(&item("Quiet day", "the ai, again")));
        // "ai" inside "said" or "Thai" is not the word.
        assert!(f.admits(&item("She said so", "Thai food")));
        assert!(f.admits(&item("Open sourced code", "")));
    }

    #[test]
    fn chinese_terms_match_anywhere() {
        let f = filter("", "加密货币");
        assert!(!f.admits(&item("比特币等加密货币大涨", "")));
        assert!(f.admits(&item("模型发布", "")));
        let only = filter("智能体", "");
        assert!(only.admits(&item("AI智能体上线", "")));
        assert!(!only.admits(&item("芯片出口", "")));
    }

    #[test]
    fn include_keeps_only_items_naming_a_term_and_exclude_wins_over_include() {
        let f = filter("agents, robots", "crypto");
        assert!(f.admits(&item("Agents book flights", "")));
        assert!(f.admits(&item("Weekly", "robots in warehouses")));
        assert!(!f.admits(&item("Chip prices", "")));
        assert!(!f.admits(&item("Agents trade crypto", "")));
        assert!(FeedFilter::default().admits(&item("anything", "")));
    }

    #[test]
    fn long_lists_and_long_terms_are_refused() {
        let many: Vec<String> = (0..=MAX_TERMS).map(|i| format!("w{i}")).collect();
        assert_eq!(
            FeedFilter::new(many, vec![]),
            Err(FilterError::TooMany { max: MAX_TERMS })
        );
        let long = "x".repeat(MAX_TERM_CHARS + 1);
        assert!(matches!(
            FeedFilter::new(vec![], vec![long]),
            Err(FilterError::TooLong { .. })
        ));
    }

    #[test]
    fn a_selection_filters_only_the_feeds_it_names() {
        let mut selection = FeedSelection::unfiltered(vec![FeedId(1), FeedId(2)]);
        selection.filters.insert(FeedId(1), filter("", "crypto"));
        let crypto = item("Crypto rally", "");
        assert!(!selection.admits(FeedId(1), &crypto));
        assert!(selection.admits(FeedId(2), &crypto));
    }
}
