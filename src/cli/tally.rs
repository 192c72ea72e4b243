use std::process::ExitCode;

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::domain::ids::GuildId;
use crate::feeds::FeedCatalog;
use crate::services::tallies::{calls_csv, export_csv, ledger_csv};
use crate::services::App;
use crate::store::Store;

use super::{ExportFormat, ExportWhat};

/// Per claim and round: counts per choice, voters, resolution; or the evidence ledger; or the
/// members' calls; as JSON or CSV.
pub async fn export(config: Config, guild: u64, format: ExportFormat, what: ExportWhat) -> anyhow::Result<ExitCode> {
    let claims =
        ClaimSet::load(&config.claims_file).map_err(|e| anyhow::anyhow!("{}:\n{e}", config.claims_file.display()))?;
    let url = config.database_url.expose();
    // An empty export of a database just created would look like a server without votes.
    if crate::store::schema_status(url).await?.will_be_created {
        anyhow::bail!("there is no database at DATABASE_URL yet: nothing to export");
    }
    // Not migrated: the bot may be running, older than this binary, on this very database.
    let store = Store::open_current(url).await?;
    let guild = GuildId(guild);
    // Every post belongs to a server's row, kept when the bot leaves: without one the id is a
    // mistake, not a server that has not voted yet.
    if store.guild(guild).await?.is_none() {
        store.close().await;
        anyhow::bail!("no server {guild} in the database: check the --guild id");
    }
    let app = App::new(config, claims, FeedCatalog::default(), store)?;
    let out = match what {
        ExportWhat::Tally => {
            let rows = app.export(guild).await?;
            match format {
                ExportFormat::Json => serde_json::to_string_pretty(&rows)? + "\n",
                ExportFormat::Csv => export_csv(&rows),
            }
        }
        ExportWhat::Evidence => {
            let entries = app.export_ledger(guild).await?;
            match format {
                ExportFormat::Json => serde_json::to_string_pretty(&entries)? + "\n",
                ExportFormat::Csv => ledger_csv(&entries),
            }
        }
        ExportWhat::Calls => {
            let calls = app.export_calls(guild).await?;
            match format {
                ExportFormat::Json => serde_json::to_string_pretty(&calls)? + "\n",
                ExportFormat::Csv => calls_csv(&calls),
            }
        }
    };
    app.close().await;
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}
