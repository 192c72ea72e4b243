//! Every integration test in one binary, each file a module: the tests of all of them run side
//! by side (most of their time is spent waiting on a bot, a fake Discord or a database), and the
//! test helpers and the crate are linked once instead of once per file.

mod support;

mod browser;
mod claims_eval;
mod discord_e2e;
mod discord_faults;
mod evidence;
mod feed_discovery;
mod feed_safety;
mod metrics;
mod operations;
mod outages;
mod preview;
mod rhythm_e2e;
mod sharding;
mod suggestions_e2e;
mod tallies;
mod vote_durability;
mod web;
