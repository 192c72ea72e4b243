//! Short, honest answers for when the bot cannot do what was asked right now.

use crate::domain::lang::Lang;

/// A vote that could not be recorded because the database is unreachable or full: the member is
/// told plainly, and nothing suggests the vote counted.
pub fn vote_not_recorded(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "暂时无法记录你的投票，请稍后再试一次。",
        Lang::En => "Your vote could not be recorded just now. Please try again in a moment.",
    }
}
