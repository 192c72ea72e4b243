//! Feeds: the configured list, fetching (HTTP or local files) and parsing into news items.

pub mod catalog;
pub mod discover;
pub mod fetch;
pub mod guard;
pub mod pace;
pub mod parse;
pub mod repair;

pub use catalog::{FeedCatalog, FeedSpec};
pub use fetch::{FeedClient, FeedSource, FetchError, FetchLimits, Fetched};
pub use parse::{parse_feed, ParseError, ParsedFeed};
