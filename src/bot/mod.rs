//! The Discord edge: connecting, commands, buttons and reactions. Thin adapters over `services`.

use std::process::ExitCode;

use crate::config::Config;

pub const NO_TOKEN_HELP: &str = "\
claim-digest needs a Discord bot token to run.

  1. Create an application at https://discord.com/developers/applications, add a bot, copy its token.
  2. Put it in .env (see .env.example) as DISCORD_TOKEN=..., or export DISCORD_TOKEN.
  3. Run `cargo run --release` again.

Without a token you can still see what the bot would post:

  cargo run --release -- preview --lang en
";

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let Some(_token) = config.discord_token.clone() else {
        eprint!("{NO_TOKEN_HELP}");
        return Ok(ExitCode::from(2));
    };
    anyhow::bail!("the Discord client is not wired in this build yet")
}
