use std::process::ExitCode;

use clap::Parser as _;
use tracing_subscriber::EnvFilter;

use claim_digest::config::Config;
use claim_digest::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; the environment alone is enough.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    // The bot logs at info; the other commands print their own lines for people (one per failed
    // feed in `preview`), so without RUST_LOG they log errors only, not each line twice.
    let default_filter = if cli.runs_bot() {
        "info,serenity=warn,sqlx=warn"
    } else {
        "error"
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter)))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    // Panics that are caught (a feed parser's, say) are logged as structured events, not
    // printed raw to stderr.
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panic")));
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("configuration error: {e:#}\nSee .env.example for every key and its default.");
            return ExitCode::from(2);
        }
    };
    claim_digest::run(cli, config).await
}
