//! Slash commands. Each is a thin adapter: parse, call a service, render. Names and options are
//! the public interface; every command and option carries a zh-CN description.

mod claim;
mod digest;
mod feeds;
mod help;
mod members;
mod news;
mod tally;

use poise::serenity_prelude as serenity;

use super::{Context, Data};
use crate::domain::claims::Claim;
use crate::domain::lang::Lang;
use crate::domain::text::truncate_chars;
use crate::error::{Error, UserError};

pub fn all() -> Vec<poise::Command<Data, Error>> {
    vec![
        claim::claim(),
        tally::tally(),
        news::news(),
        members::me(),
        members::leaderboard(),
        help::help(),
        digest::digest(),
        feeds::feeds(),
    ]
}

/// Lines on one page of a paged list.
pub const PAGE: usize = 10;

/// The page to show (1-based, clamped to what exists) of a list of `len` lines, and how many there are.
pub fn page_of(len: usize, asked: Option<u32>) -> (usize, usize) {
    let pages = len.div_ceil(PAGE).max(1);
    ((asked.unwrap_or(1) as usize).clamp(1, pages), pages)
}

/// Suggests claims whose id or text contains what the member typed.
pub async fn autocomplete_claim(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let needle = partial.trim().to_lowercase();
    let choices = ctx
        .data()
        .app
        .claims
        .claims()
        .iter()
        .filter(|c| {
            needle.is_empty()
                || c.id.contains(&needle)
                || c.text.en.to_lowercase().contains(&needle)
                || c.text.zh.contains(partial.trim())
        })
        .take(25)
        .map(|c| {
            serenity::AutocompleteChoice::new(truncate_chars(&format!("{} — {}", c.id, c.text.zh), 100), c.id.clone())
        })
        .collect();
    serenity::CreateAutocompleteResponse::new().set_choices(choices)
}

/// The claim with this id, or a message that says how to find one.
pub fn find_claim<'a>(ctx: Context<'a>, id: &str, lang: Lang) -> Result<&'a Claim, Error> {
    ctx.data().app.claims.get(id.trim()).ok_or_else(|| {
        let id = truncate_chars(id.trim(), 64);
        UserError::new(match lang {
            Lang::Zh => format!("没有 id 为 `{id}` 的论断。用 /claim list 查看全部。"),
            Lang::En => format!("There is no claim `{id}`. See /claim list for all of them."),
        })
        .into()
    })
}

#[cfg(test)]
mod tests {
    use super::page_of;

    #[test]
    fn pages_are_clamped_to_what_exists() {
        assert_eq!(page_of(0, None), (1, 1));
        assert_eq!(page_of(25, Some(2)), (2, 3));
        assert_eq!(page_of(25, Some(9)), (3, 3));
        assert_eq!(page_of(10, Some(2)), (1, 1));
    }
}
