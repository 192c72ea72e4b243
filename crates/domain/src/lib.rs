//! The domain core: plain Rust, no Discord or database types. Everything here is testable on its own.

pub mod claims;
pub mod digest;
pub mod eval;
pub mod evidence;
pub mod filter;
pub mod ids;
pub mod lang;
pub mod news;
pub mod ranking;
pub mod records;
pub mod rotation;
pub mod schedule;
pub mod shards;
pub mod site;
pub mod stats;
pub mod suggestions;
pub mod text;
pub mod tokenize;
pub mod views;
pub mod votes;
