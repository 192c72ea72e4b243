use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use claim_digest::config::{Config, LogFormat};
use claim_digest::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            if let Some(lang) = cli.check_lang() {
                return claim_digest::cli::print_config_error(&format!("{e:#}"), lang);
            }
            eprintln!("configuration error: {e:#}\nSee .env.example for every key and its default.");
            return ExitCode::from(2);
        }
    };
    init_logging(config.log_format, cli.runs_bot());
    // Panics that are caught (a feed parser's, say) are logged as structured events, not
    // printed raw to stderr.
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panic")));
    claim_digest::run(cli, config).await
}

/// Logs go to stderr, as text for people or as one JSON object a line for log shippers. Neither
/// carries the token: it is held as a `Secret`, whose Debug is redacted, and never logged.
fn init_logging(format: LogFormat, runs_bot: bool) {
    // The bot logs at info; the other commands print their own lines for people (one per failed
    // feed in `preview`), so without RUST_LOG they log errors only, not each line twice.
    let default_filter = if runs_bot {
        "info,serenity=warn,sqlx=warn"
    } else {
        "error"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder.json().with_ansi(false).flatten_event(true).init(),
    }
}
