//! claim-digest: one claim of an essay a day, with the news that bears on it, voted on in Discord.
//!
//! Layout: `domain` is plain Rust (claims, news, ranking, rotation, votes); `store` owns the
//! database; `feeds` fetches and parses; `services` are the use cases; `render` turns results
//! into Discord messages, terminal text or JSON; `bot` and `cli` are the thin edges.

pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod message;
pub mod metrics;
pub mod render;
pub mod services;
pub mod web;

pub use cli::{run, Cli};

// The lower layers are crates of their own (see docs/ARCHITECTURE.md); re-exported under their
// layer names so that paths read `crate::domain::...` everywhere above them.
pub use claim_digest_domain as domain;
pub use claim_digest_feeds as feeds;
pub use claim_digest_store as store;
