use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The two languages every claim, post and command speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The other of the two languages: a claim shows in one and is echoed in the other.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// Maps a Discord locale such as `zh-CN`, `zh-TW` or `en-US` to one of ours.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-tw" | "cn" | "chinese" | "中文" => Ok(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}`: use zh or en")),
        }
    }
}

/// A text given in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }
}

impl Lang {
    /// Of two values kept per language (a claim's texts, its keywords), this language's.
    pub fn pick<'a, T: ?Sized>(self, zh: &'a T, en: &'a T) -> &'a T {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// Whether this language is written in Chinese characters (and so segmented by jieba).
    pub fn is_chinese(self) -> bool {
        matches!(self, Lang::Zh)
    }
}
