//! The default feed list (FEEDS_FILE).

use std::path::Path;

use serde::Deserialize;

use claim_digest_domain::lang::Lang;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSpec {
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub language: Option<Lang>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedCatalog {
    #[serde(default)]
    pub feeds: Vec<FeedSpec>,
}

impl FeedCatalog {
    pub fn load(path: &Path) -> anyhow::Result<FeedCatalog> {
        use anyhow::Context as _;
        let text = std::fs::read_to_string(path).with_context(|| format!("reading feed list {}", path.display()))?;
        FeedCatalog::parse(&text).with_context(|| format!("in feed list {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<FeedCatalog> {
        let catalog: FeedCatalog = toml::from_str(text)?;
        for (i, feed) in catalog.feeds.iter().enumerate() {
            if feed.name.trim().is_empty() {
                anyhow::bail!("feeds[{i}]: name is empty");
            }
            match url::Url::parse(&feed.url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => {}
                _ => anyhow::bail!("feeds[{i}] ({}): `{}` is not an http(s) URL", feed.name, feed.url),
            }
        }
        Ok(catalog)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_feed_list_parses_with_both_languages() {
        let catalog = FeedCatalog::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/feeds.toml")).unwrap();
        assert!(catalog.feeds.iter().any(|f| f.language == Some(Lang::Zh)));
        assert!(catalog.feeds.iter().any(|f| f.language == Some(Lang::En)));
    }

    #[test]
    fn bad_entries_are_named() {
        let err = FeedCatalog::parse("[[feeds]]\nname=\"X\"\nurl=\"ftp://x\"\n").unwrap_err();
        assert_eq!(err.to_string(), "feeds[0] (X): `ftp://x` is not an http(s) URL");
    }
}
