//! Slash commands. Each is a thin adapter: parse, call a service, render. Names and options are
//! the public interface; every command and option carries a zh-CN description.

mod claim;
mod digest;
mod evidence;
mod feeds;
mod help;
mod members;
mod news;
mod tally;

use poise::serenity_prelude as serenity;

use super::{Context, Data};
use crate::error::Error;
use crate::render::i18n::Locale;

/// Every command, with its descriptions from the Fluent files.
pub fn all() -> Vec<poise::Command<Data, Error>> {
    let mut commands = vec![
        claim::claim(),
        tally::tally(),
        news::news(),
        evidence::evidence(),
        members::me(),
        members::leaderboard(),
        help::help(),
        digest::digest(),
        feeds::feeds(),
    ];
    localize(&mut commands);
    commands
}

/// Suggests claims whose id or text contains what the member typed, in the member's language.
pub async fn autocomplete_claim(ctx: Context<'_>, partial: &str) -> serenity::CreateAutocompleteResponse {
    let Some(guild) = ctx.guild_id() else {
        return serenity::CreateAutocompleteResponse::new();
    };
    let matching = ctx
        .data()
        .app
        .claims_matching(crate::domain::ids::GuildId(guild.get()), partial, 25)
        .await;
    let matching = matching.unwrap_or_else(|e| {
        tracing::warn!(error = %format!("{e:#}"), "could not read the server's claims for autocompletion");
        Vec::new()
    });
    crate::render::discord::claim_choices(&matching, crate::bot::reply::private_locale(ctx).await)
}

/// Gives every command, option and choice its words from the Fluent files (`cmd-*` messages in
/// `locales/*/commands.ftl`): the fallback language's become the defaults Discord shows, every
/// other language's its localisations. Names stay as the code has them: they are the interface.
pub fn localize(commands: &mut [poise::Command<Data, Error>]) {
    for command in commands {
        localize_command(command, "cmd");
    }
}

fn localize_command(command: &mut poise::Command<Data, Error>, parent: &str) {
    let id = format!("{parent}-{}", command.name);
    for locale in Locale::all() {
        let fallback = locale == Locale::fallback();
        if let Some(text) = locale.value(&id) {
            if fallback {
                command.description = Some(text.into());
            } else {
                command
                    .description_localizations
                    .to_mut()
                    .push((locale.tag().into(), text.into()));
            }
        }
        for param in command.parameters.iter_mut() {
            if let Some(text) = locale.attribute(&id, &param.name) {
                if fallback {
                    param.description = Some(text.into());
                } else {
                    param
                        .description_localizations
                        .to_mut()
                        .push((locale.tag().into(), text.into()));
                }
            }
            for choice in param.choices.to_mut().iter_mut() {
                let key = format!("{}-{}", param.name, choice.name);
                match locale.attribute(&id, &key) {
                    Some(text) if !fallback => choice.localizations.to_mut().push((locale.tag().into(), text.into())),
                    _ => {}
                }
            }
        }
    }
    for sub in command.subcommands.iter_mut() {
        localize_command(sub, &id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::i18n_check::locales;

    /// Every command, option and choice has its words in every language, and every command
    /// message belongs to a command: the commands' half of the localisation test.
    #[test]
    fn every_command_option_and_choice_is_described_in_every_language() {
        fn walk(command: &poise::Command<Data, Error>, parent: &str, out: &mut Vec<(String, Vec<String>)>) {
            let id = format!("{parent}-{}", command.name);
            let mut attributes = Vec::new();
            for p in &command.parameters {
                attributes.push(p.name.to_string());
                for c in p.choices.iter() {
                    attributes.push(format!("{}-{}", p.name, c.name));
                }
            }
            out.push((id.clone(), attributes));
            for sub in &command.subcommands {
                walk(sub, &id, out);
            }
        }
        let mut expected = Vec::new();
        for command in all() {
            walk(&command, "cmd", &mut expected);
        }
        let mut problems = Vec::new();
        for (tag, messages) in locales() {
            for (id, attributes) in &expected {
                let Some(defined) = messages.get(id) else {
                    problems.push(format!("{tag}: no `{id}`"));
                    continue;
                };
                let wanted: std::collections::BTreeSet<String> = attributes.iter().cloned().collect();
                if defined.attributes != wanted {
                    problems.push(format!(
                        "{tag}: `{id}` has {:?}, the command has {wanted:?}",
                        defined.attributes
                    ));
                }
            }
            for id in messages.keys().filter(|id| id.starts_with("cmd-")) {
                if !expected.iter().any(|(e, _)| e == id) {
                    problems.push(format!("{tag}: `{id}` is no command"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn registration_takes_descriptions_from_the_fluent_files() {
        let commands = all();
        let digest = commands.iter().find(|c| c.name == "digest").unwrap();
        let setup = digest.subcommands.iter().find(|c| c.name == "setup").unwrap();
        assert_eq!(
            setup.description.as_deref(),
            Some("Choose the channel, time and time zone of the daily post")
        );
        let zh: Vec<_> = setup.description_localizations.iter().collect();
        assert_eq!(zh.len(), 1, "{zh:?}");
        assert_eq!(
            (zh[0].0.as_ref(), zh[0].1.as_ref()),
            ("zh-CN", "设置每日帖子的频道、时间和时区")
        );
        let language = setup.parameters.iter().find(|p| p.name == "language").unwrap();
        assert_eq!(language.description.as_deref(), Some("Language of the posts"));
        let zh_choice = language.choices.iter().find(|c| c.name == "zh").unwrap();
        assert_eq!(
            zh_choice
                .localizations
                .iter()
                .next()
                .map(|(l, n)| (l.as_ref(), n.as_ref())),
            Some(("zh-CN", "中文"))
        );
        for command in &commands {
            assert!(command.description.is_some(), "{} has no description", command.name);
        }
    }
}
