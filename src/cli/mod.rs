//! The command line: what each subcommand takes, and the handlers that run them.

mod backup;
mod check;
mod claims;
mod feed_check;
mod preview;
mod tally;

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::domain::lang::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "claim-digest",
    version,
    about = "Posts one claim of an essay a day to Discord, with the news that bears on it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// When this command line is `check`, the language it reports in: a configuration that
    /// cannot be read is then one failed check, not an error.
    pub fn check_lang(&self) -> Option<Lang> {
        match &self.command {
            Some(Command::Check { lang }) => Some((*lang).into()),
            _ => None,
        }
    }

    /// True when this command line starts the bot (no subcommand, or `run`).
    pub fn runs_bot(&self) -> bool {
        matches!(self.command, None | Some(Command::Run))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the bot (needs DISCORD_TOKEN). The default when no subcommand is given.
    Run,
    /// Compose the digest the bot would post, from the given feeds or the default list, and print it.
    Preview(PreviewArgs),
    /// Work with feeds.
    #[command(subcommand)]
    Feed(FeedCommand),
    /// Work with the claims file.
    #[command(subcommand)]
    Claims(ClaimsCommand),
    /// Read the tallies from the database.
    #[command(subcommand)]
    Tally(TallyCommand),
    /// Write a consistent copy of the database to FILE while the bot runs (SQLite); for
    /// PostgreSQL, print the pg_dump command to use.
    Backup {
        file: PathBuf,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Check the configuration without connecting to Discord: one line per check, exit 1 when any fails.
    Check {
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The day to preview (YYYY-MM-DD); default today (UTC).
    #[arg(long, value_parser = preview_date)]
    pub date: Option<NaiveDate>,
    /// Preview this claim instead of the day's claim in the rotation.
    #[arg(long)]
    pub claim: Option<String>,
    /// Language of the preview.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: LangArg,
    /// A feed to read (http(s) URL, file:// URL or local path); repeat for more. Default: FEEDS_FILE.
    #[arg(long = "feed", value_name = "URL_OR_PATH")]
    pub feeds: Vec<String>,
    /// How many related news items to show, at most.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=10))]
    pub news: u8,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Show why each item was chosen: the claim's terms it matched, with their weights.
    #[arg(long)]
    pub explain: bool,
    /// Read the small sample of news shipped in data/sample-news.toml (dated relative to the day
    /// shown) instead of any feed: works offline.
    #[arg(long, conflicts_with = "feeds")]
    pub sample: bool,
}

/// `--date`: years 1 to 9999 only. The database keeps times as RFC 3339, four-digit years, and
/// the preview's window and sample reach days either side of the date; beyond those years the
/// same error as for a day that does not exist (2025-02-30).
fn preview_date(input: &str) -> Result<NaiveDate, String> {
    use chrono::Datelike as _;
    let date: NaiveDate = input.parse().map_err(|e: chrono::ParseError| e.to_string())?;
    if (1..=9999).contains(&date.year()) {
        Ok(date)
    } else {
        Err("input is out of range".into())
    }
}

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Fetch or read each feed, parse it and print its title and items. Exit 1 if any fails.
    Check {
        #[arg(required = true, value_name = "URL_OR_PATH")]
        inputs: Vec<String>,
        /// One JSON object per input, one per line.
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// List the claims in essay order.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Show one claim in both languages.
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Validate a claims file (default CLAIMS_FILE). Exit 1 if it has problems.
    Check {
        file: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Measure the news ranking on a labeled set: DIR/items.jsonl (title, url, published, lang,
    /// summary, relevant_to). Prints precision@3 per claim and the mean.
    Eval {
        dir: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Rank with every claim's keywords removed (the claims' text alone).
        #[arg(long)]
        no_keywords: bool,
        /// How Chinese becomes terms: jieba words (the default) or character pairs.
        #[arg(long, value_enum, default_value = "words")]
        chinese: ChineseArg,
        /// Fuse meaning into the ranking as the bot does: every item and claim is embedded by
        /// the EMBEDDINGS_URL server (EMBEDDINGS_MODEL), and the cost is reported.
        #[arg(long)]
        embeddings: bool,
        #[arg(long, value_enum, default_value = "en")]
        lang: LangArg,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ChineseArg {
    Words,
    Pairs,
}

#[derive(Debug, Subcommand)]
pub enum TallyCommand {
    /// Print a server's running tally per claim.
    Export {
        /// The Discord server (guild) id.
        #[arg(long)]
        guild: u64,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// What to export: the tallies, the evidence ledger, or members' calls on resolved
        /// predictions.
        #[arg(long, value_enum, default_value = "tally")]
        what: ExportWhat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportWhat {
    Tally,
    Evidence,
    Calls,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

/// `check` when the configuration itself cannot be read: that is its one failed line.
pub fn print_config_error(error: &str, lang: Lang) -> ExitCode {
    check::print(
        &[crate::services::check::Finding::ConfigInvalid(error.to_string())],
        lang,
    )
}

/// Runs a parsed command line to its exit code. Errors are printed here, with their causes.
pub async fn run(cli: Cli, config: Config) -> ExitCode {
    let result = match cli.command.unwrap_or(Command::Run) {
        Command::Run => crate::bot::run(config).await,
        Command::Preview(args) => preview::run(config, args).await,
        Command::Feed(FeedCommand::Check { inputs, json, lang }) => {
            feed_check::run(config, inputs, json, lang.into()).await
        }
        Command::Claims(command) => claims::run(config, command).await,
        Command::Tally(TallyCommand::Export { guild, format, what }) => {
            tally::export(config, guild, format, what).await
        }
        Command::Backup { file, lang } => backup::run(config, &file, lang.into()).await,
        Command::Check { lang } => check::run(config, lang.into()).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
