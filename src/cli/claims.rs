use std::process::ExitCode;

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::domain::lang::Lang;
use crate::render::i18n::Locale;
use crate::render::{json::ClaimJson, terminal};

use super::ClaimsCommand;

pub async fn run(config: Config, command: ClaimsCommand) -> anyhow::Result<ExitCode> {
    if let ClaimsCommand::Check { file, lang } = &command {
        let path = file.clone().unwrap_or(config.claims_file);
        let locale = Locale::of(Lang::from(*lang));
        return Ok(match ClaimSet::load(&path) {
            Ok(set) => {
                print!("{}", terminal::claims_valid(&path, &set, locale));
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprint!("{}", terminal::claims_invalid(&path, &e.problems, locale));
                ExitCode::FAILURE
            }
        });
    }
    let set =
        ClaimSet::load(&config.claims_file).map_err(|e| anyhow::anyhow!("{}:\n{e}", config.claims_file.display()))?;
    match command {
        ClaimsCommand::List { json: true, .. } => {
            let all: Vec<ClaimJson> = set.claims().iter().map(ClaimJson::new).collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
        ClaimsCommand::List { json: false, lang } => {
            let locale = crate::render::i18n::Locale::of(Lang::from(lang));
            let lang = locale.lang();
            for c in set.claims() {
                let deadline = c.deadline.map(|d| format!(" (→ {d})")).unwrap_or_default();
                println!(
                    "{:<36} {:<10} {}{}",
                    c.id,
                    crate::render::words::kind(locale, c.kind),
                    crate::domain::text::truncate_chars(c.text.get(lang), 60),
                    deadline
                );
            }
        }
        ClaimsCommand::Show { id, lang } => match set.get(id.trim()) {
            Some(c) => print!("{}", terminal::claim(c, Lang::from(lang).into())),
            None => {
                let near = set.ids_containing(id.trim(), 5);
                eprintln!("{}", terminal::no_such_claim(id.trim(), &near, Lang::from(lang).into()));
                return Ok(ExitCode::FAILURE);
            }
        },
        ClaimsCommand::Eval {
            dir,
            json,
            no_keywords,
            chinese,
            embeddings,
            lang,
        } => {
            let items = crate::services::relevance::load_labeled(&dir, &set)?;
            let options = crate::services::relevance::EvalOptions {
                no_keywords,
                chinese: match chinese {
                    super::ChineseArg::Words => crate::domain::tokenize::ChineseTerms::Words,
                    super::ChineseArg::Pairs => crate::domain::tokenize::ChineseTerms::Pairs,
                },
            };
            let report = if embeddings {
                let Some(embeddings) = config.embeddings.clone() else {
                    anyhow::bail!("--embeddings needs EMBEDDINGS_URL (and EMBEDDINGS_MODEL) set");
                };
                crate::services::relevance::evaluate_fused(&set, &items, options, embeddings).await?
            } else {
                crate::services::relevance::evaluate(&set, &items, options)
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", crate::render::eval::report(&report, Lang::from(lang).into()));
            }
        }
        ClaimsCommand::Check { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}
