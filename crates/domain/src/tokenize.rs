//! Text into search terms, for both languages of the bot.
//!
//! English: lower-cased words, NLTK's English stop words out, then the Snowball English stemmer
//! (`rust-stemmers`), so that "navigating", "navigates" and "navigation" meet. Chinese, which has
//! no spaces: jieba's segmentation in search mode (`jieba-rs`: a long word also yields the shorter
//! words inside it, so 数学家 is found by 数学), with NLTK's Chinese stop words out. Both stop
//! lists come from the `stop-words` crate (its NLTK lists: 198 English and 841 Chinese words; its
//! default ISO English list is too eager for news, dropping "computer", "research", "system").
//!
//! Chinese can instead be cut into overlapping character pairs ([`ChineseTerms::Pairs`], what the
//! ranking used before); `claims eval` measured both and words ranked better (BENCHMARKS.md).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};

/// A table keyed by term. Indexing looks a term up for each of its occurrences, and SipHash (the
/// standard map's hash) was a tenth of that cost; foldhash is seeded per process, so feed text
/// cannot be written to collide.
pub(crate) type TermTable<V> = HashMap<Box<str>, V, foldhash::fast::RandomState>;

/// How Chinese text becomes terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChineseTerms {
    /// jieba words (search mode), stop words out.
    #[default]
    Words,
    /// Overlapping character pairs, pairs with a function character out.
    Pairs,
}

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);
static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));
static EN_STOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| stop_words::get("en").iter().copied().collect());
static ZH_STOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| stop_words::get("zh").iter().copied().collect());

/// Loads the segmenter's dictionary now (a fraction of a second) rather than on first use.
pub fn warm_up() {
    LazyLock::force(&JIEBA);
    LazyLock::force(&STEMMER);
    LazyLock::force(&EN_STOP);
    LazyLock::force(&ZH_STOP);
}

/// The search terms of `text`, in order of appearance (repeats kept).
pub fn terms(text: &str) -> Vec<String> {
    terms_with(text, ChineseTerms::default())
}

/// [`terms`] with a chosen treatment of Chinese.
pub fn terms_with(text: &str, chinese: ChineseTerms) -> Vec<String> {
    let mut out = Vec::new();
    for_each_term(text, chinese, |term| out.push(term.to_string()));
    out
}

/// True when `text` is mostly Chinese: its Han characters outnumber a third of its letters.
/// Headlines in Chinese carry English names (OpenAI, GPU), so any Han run counts for much.
pub fn is_chinese(text: &str) -> bool {
    // Most English text is ASCII throughout, and the test is run on every item indexed.
    if text.is_ascii() {
        return false;
    }
    let (mut han, mut letters) = (0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
        } else if c.is_alphabetic() {
            letters += 1;
        }
    }
    han >= 2 && han * 3 >= letters
}

/// Calls `emit` with each term of `text` in order of appearance.
pub fn for_each_term(text: &str, chinese: ChineseTerms, emit: impl FnMut(&str)) {
    walk(text, chinese, None, emit);
}

/// Terms of text read in bulk (a window being indexed, the stored news being counted), with each
/// English word's stem remembered: news repeats its words, and the Snowball stemmer was most of
/// the cost of indexing (BENCHMARKS.md, ranking).
pub struct Tokenizer {
    chinese: ChineseTerms,
    stems: StemMemo,
}

impl Tokenizer {
    pub fn new(chinese: ChineseTerms) -> Tokenizer {
        Tokenizer {
            chinese,
            stems: StemMemo::default(),
        }
    }

    /// Calls `emit` with each term of `text` in order of appearance, as [`for_each_term`] does.
    pub fn for_each_term(&mut self, text: &str, emit: impl FnMut(&str)) {
        walk(text, self.chinese, Some(&mut self.stems), emit);
    }
}

/// Words and their stems. Bounded: past this many words it starts again, so that a stream of
/// distinct words (hostile or not) cannot grow it without end.
#[derive(Default)]
struct StemMemo(TermTable<Box<str>>);

const STEM_MEMO_WORDS: usize = 200_000;

impl StemMemo {
    fn stem(&mut self, word: &str) -> &str {
        if !self.0.contains_key(word) {
            if self.0.len() >= STEM_MEMO_WORDS {
                self.0.clear();
            }
            self.0.insert(word.into(), STEMMER.stem(word).into());
        }
        &self.0[word]
    }
}

fn walk(text: &str, chinese: ChineseTerms, mut stems: Option<&mut StemMemo>, mut emit: impl FnMut(&str)) {
    let mut word = String::new();
    let mut han = String::new();
    for c in text.chars() {
        if is_han(c) {
            flush_word(&mut word, &mut stems, &mut emit);
            han.push(c);
        } else if c.is_alphanumeric() {
            flush_han(&mut han, chinese, &mut emit);
            // Most text is ASCII, whose lower case needs no table lookup.
            if c.is_ascii() {
                word.push(c.to_ascii_lowercase());
            } else {
                word.extend(c.to_lowercase());
            }
        } else {
            flush_word(&mut word, &mut stems, &mut emit);
            flush_han(&mut han, chinese, &mut emit);
        }
    }
    flush_word(&mut word, &mut stems, &mut emit);
    flush_han(&mut han, chinese, &mut emit);
}

pub fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

fn flush_word(word: &mut String, stems: &mut Option<&mut StemMemo>, emit: &mut impl FnMut(&str)) {
    if word.is_empty() {
        return;
    }
    // One letter, or a number under 100, says nothing on its own ("a", "5"); "o3" and "2025" do.
    let numeric = word.bytes().all(|b| b.is_ascii_digit());
    let short = if numeric {
        word.len() < 3
    } else {
        word.chars().nth(1).is_none()
    };
    if !short && !EN_STOP.contains(word.as_str()) {
        match stems {
            // The stemmer leaves digits as they are; news is full of numbers seen once each
            // (ids, sums), which would only crowd the memo.
            _ if numeric => emit(word),
            Some(memo) => emit(memo.stem(word)),
            None => emit(&STEMMER.stem(word)),
        }
    }
    word.clear();
}

fn flush_han(han: &mut String, chinese: ChineseTerms, emit: &mut impl FnMut(&str)) {
    if han.is_empty() {
        return;
    }
    match chinese {
        ChineseTerms::Words => {
            for token in JIEBA.cut_for_search(han, true) {
                let word = token.word;
                // A lone character is mostly grammar or a fragment jieba could not place.
                if word.chars().nth(1).is_some() && !ZH_STOP.contains(word) {
                    emit(word);
                }
            }
        }
        ChineseTerms::Pairs => {
            let chars: Vec<char> = han.chars().collect();
            let mut pair = String::new();
            for two in chars.windows(2) {
                if !ZH_FUNCTION_CHARS.contains(two[0]) && !ZH_FUNCTION_CHARS.contains(two[1]) {
                    pair.clear();
                    pair.extend(two);
                    emit(&pair);
                }
            }
        }
    }
    han.clear();
}

/// Characters that mostly glue Chinese sentences together; a pair containing one says little.
const ZH_FUNCTION_CHARS: &str = "的了是在和也就都而及与着或这那个我你他她它们不会能可要有为以于之其此从到对把被让给很更最还又再所如若并且但却已将该些么吗呢吧啊";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_their_own_stems() {
        // What lets the tokenizer skip the stemmer for them.
        for number in ["100", "2025", "1234567", "000", "31415926535"] {
            assert_eq!(STEMMER.stem(number), number);
        }
        assert_eq!(terms("GPT 5 costs 2025 dollars"), ["gpt", "cost", "2025", "dollar"]);
    }

    #[test]
    fn english_stems_meet() {
        let stems: Vec<String> = ["navigating", "navigates", "navigation", "navigate"]
            .iter()
            .flat_map(|w| terms(w))
            .collect();
        assert_eq!(stems.len(), 4, "{stems:?}");
        assert!(stems.iter().all(|s| s == &stems[0]), "{stems:?}");
        assert_eq!(terms("Agents"), terms("agent"));
        assert_eq!(terms("mathematicians"), terms("mathematician"));
    }

    #[test]
    fn english_stop_words_and_short_words_drop() {
        assert!(terms("the and of is it was were because").is_empty());
        assert_eq!(terms("The o3 model, in 2025!"), ["o3", "model", "2025"]);
        assert_eq!(terms("a 5 b 12"), Vec::<String>::new());
        // Words the ISO list would drop but that matter in tech news stay.
        assert_eq!(terms("computer research system"), ["comput", "research", "system"]);
    }

    #[test]
    fn chinese_is_segmented_into_words() {
        let got = terms("数学家的定理证明");
        assert!(got.contains(&"数学家".to_string()), "{got:?}");
        assert!(
            got.contains(&"数学".to_string()),
            "search mode offers the word inside: {got:?}"
        );
        assert!(got.contains(&"定理".to_string()), "{got:?}");
        assert!(got.contains(&"证明".to_string()), "{got:?}");
        assert!(!got.iter().any(|t| t == "的"), "{got:?}");
        // Mixed text: English words are stemmed, Chinese segmented.
        let mixed = terms("OpenAI 发布新的推理模型");
        assert_eq!(mixed[0], "openai");
        assert!(mixed.contains(&"模型".to_string()), "{mixed:?}");
    }

    #[test]
    fn chinese_stop_words_drop() {
        let got = terms("我们的一些因为所以但是");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn character_pairs_remain_available() {
        assert_eq!(
            terms_with("数学家的定理", ChineseTerms::Pairs),
            ["数学", "学家", "定理"]
        );
    }

    #[test]
    fn language_of_a_text() {
        assert!(is_chinese("OpenAI 发布 GPT-5 新模型"));
        assert!(is_chinese("数学家震惊"));
        assert!(!is_chinese("AI system proves open conjecture"));
        assert!(!is_chinese("Tokyo 東 report on markets and mathematicians"));
    }
}
