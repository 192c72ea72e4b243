//! claim-digest: one claim of an essay a day, with the news that bears on it, voted on in Discord.
//!
//! Layout: `domain` is plain Rust (claims, news, ranking, rotation, votes); `store` owns the
//! database; `feeds` fetches and parses; `services` are the use cases; `render` turns results
//! into Discord messages, terminal text or JSON; `bot` and `cli` are the thin edges.

pub mod bot;
pub mod cli;
pub mod config;
pub mod domain;
pub mod error;
pub mod feeds;
pub mod metrics;
pub mod render;
pub mod services;
pub mod store;

pub use cli::{run, Cli};
