//! Rendering: the same digest and tallies, to Discord (embeds, components, limits), to the
//! terminal, or to JSON.

pub mod chart;
pub mod discord;
pub mod eval;
pub mod json;
pub mod terminal;
