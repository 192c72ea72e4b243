//! Rendering: the same digest and tallies, to Discord (embeds, components, limits), to the
//! terminal, or to JSON.

pub mod chart;
pub mod custom_id;
pub mod discord;
pub mod eval;
pub mod fonts;
pub mod i18n;
#[cfg(test)]
pub mod i18n_check;
pub mod json;
pub mod operations;
pub mod terminal;
pub mod web;
pub mod words;
