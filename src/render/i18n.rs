//! Words, from the Fluent files under `locales/` (one folder per language, compiled into the
//! binary). A language is a folder: adding `locales/fr/` with the same messages gives French
//! replies to members whose Discord is in French and French command descriptions, with no code.
//! The content of claims exists in Chinese and English only, so every other language reads the
//! English text of a claim.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

use crate::domain::lang::Lang;
use crate::message::{Arg, Message};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Unicode isolation marks around each argument would show in Discord as stray
        // characters, and break the copy-paste of commands and ids.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The language a person reads: one of the folders under `locales/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Locale(&'static LanguageIdentifier);

impl Locale {
    /// Every language the bot speaks, the fallback (en-US) first.
    pub fn all() -> Vec<Locale> {
        let mut all: Vec<Locale> = LOCALES.locales().map(Locale).collect();
        all.sort_by_key(|l| (l.0 != LOCALES.fallback(), l.tag()));
        all
    }

    /// The folder for one of the two content languages.
    pub fn of(lang: Lang) -> Locale {
        let tag = match lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en-US",
        };
        Locale::negotiate(tag).unwrap_or_else(Locale::fallback)
    }

    pub fn fallback() -> Locale {
        Locale(LOCALES.fallback())
    }

    /// The folder for a Discord locale (`zh-CN`, `en-GB`, `fr`): the same tag, else the same
    /// language in another region; none when the bot does not speak it.
    pub fn negotiate(tag: &str) -> Option<Locale> {
        let wanted: LanguageIdentifier = tag.parse().ok()?;
        let all: Vec<&'static LanguageIdentifier> = LOCALES.locales().collect();
        all.iter()
            .find(|l| ***l == wanted)
            .or_else(|| all.iter().find(|l| l.language == wanted.language))
            .map(|l| Locale(l))
    }

    /// Which of a claim's two texts this reader gets.
    pub fn lang(self) -> Lang {
        if self.0.language.as_str() == "zh" {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The tag as Discord writes locales (`zh-CN`, `en-US`).
    pub fn tag(self) -> String {
        self.0.to_string()
    }

    /// The message in this language. A message missing here falls back to English; the
    /// localisation test keeps every folder complete.
    pub fn text(self, message: &Message) -> String {
        if message.args.is_empty() {
            return LOCALES.lookup(self.0, message.id);
        }
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> = message
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Text(t) | Arg::Untrusted(t) | Arg::InCode(t) => FluentValue::from(t.as_str()),
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Message(inner) => FluentValue::from(self.text(inner)),
                };
                (Cow::Borrowed(*name), value)
            })
            .collect();
        LOCALES.lookup_complete(self.0, message.id, Some(&args))
    }

    /// An attribute of a message in this language only (no fallback): how command descriptions
    /// are found, so that a language without a description leaves Discord's default in place.
    pub fn attribute(self, id: &str, attribute: &str) -> Option<String> {
        self.lookup_exact(&format!("{id}.{attribute}"))
    }

    /// A message's value in this language only (no fallback).
    pub fn value(self, id: &str) -> Option<String> {
        self.lookup_exact(id)
    }

    fn lookup_exact(self, id: &str) -> Option<String> {
        LOCALES.lookup_no_default_fallback::<&str>(self.0, id, None)
    }
}

impl From<Lang> for Locale {
    fn from(lang: Lang) -> Locale {
        Locale::of(lang)
    }
}

/// Shorthand for `locale.text(&msg!(...))`.
macro_rules! t {
    ($locale:expr, $id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::render::i18n::Locale::from($locale).text(&$crate::message::msg!($id $(, $name = $value)*))
    };
}

pub(crate) use t;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::msg;

    #[test]
    fn both_languages_are_loaded_and_discord_locales_find_them() {
        let tags: Vec<String> = Locale::all().into_iter().map(Locale::tag).collect();
        assert_eq!(tags.first().map(String::as_str), Some("en-US"), "{tags:?}");
        assert!(tags.iter().any(|t| t == "zh-CN"), "{tags:?}");
        assert_eq!(Locale::negotiate("zh-TW").map(Locale::lang), Some(Lang::Zh));
        assert_eq!(Locale::negotiate("en-GB").map(Locale::tag).as_deref(), Some("en-US"));
        assert_eq!(Locale::negotiate("xx"), None);
        assert_eq!(Locale::of(Lang::Zh).tag(), "zh-CN");
    }

    #[test]
    fn arguments_and_plurals_are_filled_in_without_isolation_marks() {
        let en = Locale::of(Lang::En);
        assert_eq!(en.text(&msg!("tally-voters", voters = 1u32)), "1 vote");
        assert_eq!(en.text(&msg!("tally-voters", voters = 3u32)), "3 votes");
        assert_eq!(
            Locale::of(Lang::Zh).text(&msg!("tally-voters", voters = 3u32)),
            "3 人投票"
        );
        let text = en.text(&msg!("digest-posted", link = "https://x.example/1"));
        assert_eq!(text, "Posted: https://x.example/1");
        assert!(!text.contains('\u{2068}') && !text.contains('\u{2069}'));
    }
}
