use std::process::ExitCode;

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::domain::ids::GuildId;
use crate::feeds::FeedCatalog;
use crate::services::tallies::export_csv;
use crate::services::App;
use crate::store::Store;

use super::ExportFormat;

/// Per claim and round: counts per choice, voters, resolution, as JSON or CSV.
pub async fn export(config: Config, guild: u64, format: ExportFormat) -> anyhow::Result<ExitCode> {
    let claims =
        ClaimSet::load(&config.claims_file).map_err(|e| anyhow::anyhow!("{}:\n{e}", config.claims_file.display()))?;
    let store = Store::open(config.database_url.expose()).await?;
    let app = App::new(config, claims, FeedCatalog::default(), store)?;
    let rows = app.export(GuildId(guild)).await?;
    app.close().await;
    match format {
        ExportFormat::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
        ExportFormat::Csv => print!("{}", export_csv(&rows)),
    }
    Ok(ExitCode::SUCCESS)
}
