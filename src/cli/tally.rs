use std::process::ExitCode;

use serde::Serialize;

use crate::config::Config;
use crate::domain::claims::{ClaimKind, ClaimSet};
use crate::domain::ids::GuildId;
use crate::domain::votes::Choice;
use crate::store::Store;

use super::ExportFormat;

#[derive(Serialize)]
struct TallyRow {
    claim: String,
    counts: serde_json::Map<String, serde_json::Value>,
    voters: u32,
}

pub async fn export(config: Config, guild: u64, format: ExportFormat) -> anyhow::Result<ExitCode> {
    let claims = ClaimSet::load(&config.claims_file).ok();
    let store = Store::open(&config.database_url).await?;
    let tallies = store.claim_tallies(GuildId(guild)).await?;
    store.close().await;
    let rows: Vec<TallyRow> = tallies
        .into_iter()
        .map(|t| {
            let prediction = claims
                .as_ref()
                .and_then(|s| s.get(&t.claim_id))
                .is_some_and(|c| c.kind == ClaimKind::Prediction);
            let counts = Choice::ALL
                .into_iter()
                .filter(|c| {
                    prediction || t.tally.count(*c) > 0 || c.question() == crate::domain::votes::Question::Stance
                })
                .map(|c| (c.as_str().to_string(), serde_json::Value::from(t.tally.count(c))))
                .collect();
            TallyRow {
                claim: t.claim_id,
                counts,
                voters: t.voters,
            }
        })
        .collect();
    match format {
        ExportFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        ExportFormat::Csv => {
            let header: Vec<&str> = Choice::ALL.iter().map(|c| c.as_str()).collect();
            println!("claim,{},voters", header.join(","));
            for row in rows {
                let counts: Vec<String> = Choice::ALL
                    .iter()
                    .map(|c| {
                        row.counts
                            .get(c.as_str())
                            .and_then(|v| v.as_u64())
                            .unwrap_or(0)
                            .to_string()
                    })
                    .collect();
                // Claim ids are slugs (validated), so they need no CSV quoting.
                println!("{},{},{}", row.claim, counts.join(","), row.voters);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
