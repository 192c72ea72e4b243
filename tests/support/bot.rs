//! Running the real bot binary against the fake Discord.

use serde_json::{json, Value};

use super::fake_discord::FakeDiscord;
use super::repo_file;

pub struct Bot {
    /// Where the bot serves /healthz and /metrics.
    pub metrics_addr: std::net::SocketAddr,
    pub child: tokio::process::Child,
    pub dir: tempfile::TempDir,
    pub db: std::path::PathBuf,
}

pub async fn start_bot(fake: &FakeDiscord, feed_url: &str) -> Bot {
    start_bot_in(fake, tempfile::tempdir().unwrap(), feed_url).await
}

/// Starts the bot in `dir`, whose `bot.db` may already hold servers.
pub async fn start_bot_in(fake: &FakeDiscord, dir: tempfile::TempDir, feed_url: &str) -> Bot {
    let db = dir.path().join("bot.db");
    let feeds = dir.path().join("feeds.toml");
    std::fs::write(
        &feeds,
        format!("[[feeds]]\nname = \"Loopback news\"\nurl = \"{feed_url}\"\nlanguage = \"en\"\n"),
    )
    .unwrap();
    // A free loopback port for the metrics server.
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let child = spawn(fake, dir.path(), metrics_addr);
    Bot {
        metrics_addr,
        child,
        dir,
        db,
    }
}

impl Bot {
    /// Starts the bot again on the same database and files (after a crash or a stop).
    pub fn restart(&mut self, fake: &FakeDiscord) {
        self.child = spawn(fake, self.dir.path(), self.metrics_addr);
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the bot is running")
    }
}

fn spawn(fake: &FakeDiscord, dir: &std::path::Path, metrics_addr: std::net::SocketAddr) -> tokio::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("bot.log"))
        .unwrap();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_claim-digest"))
        .arg("run")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DISCORD_TOKEN", "fake-token.for-tests")
        .env("DISCORD_API_URL", fake.base_url())
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("bot.db").display()))
        .env("CLAIMS_FILE", repo_file("data/claims.toml"))
        .env("FEEDS_FILE", dir.join("feeds.toml"))
        .env("FEED_ALLOW_PRIVATE", "true")
        .env("SCHEDULER_TICK_SECS", "1")
        .env("METRICS_ADDR", metrics_addr.to_string())
        .env(
            "RUST_LOG",
            std::env::var("BOT_LOG").unwrap_or_else(|_| "info,serenity=warn".into()),
        )
        .current_dir(dir)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("starting the bot")
}

impl Drop for Bot {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            eprintln!("---- bot log ----\n{}", log_of(self));
        }
    }
}

pub fn log_of(bot: &Bot) -> String {
    std::fs::read_to_string(bot.dir.path().join("bot.log")).unwrap_or_default()
}

pub fn subcommand(name: &str, options: Value) -> Value {
    json!([{"type": 1, "name": name, "options": options}])
}

pub fn channel_resolved(channel: u64) -> Value {
    json!({"channels": {channel.to_string(): {"id": channel.to_string(), "name": "daily", "type": 0, "permissions": "0"}}})
}

pub fn setup_options(channel: u64, time: &str, tz: &str, language: &str) -> Value {
    subcommand(
        "setup",
        json!([
            {"name": "channel", "type": 7, "value": channel.to_string()},
            {"name": "time", "type": 3, "value": time},
            {"name": "timezone", "type": 3, "value": tz},
            // A choice parameter is an integer option: the index of the choice (zh, en).
            {"name": "language", "type": 4, "value": if language == "zh" { 0 } else { 1 }},
            {"name": "news", "type": 4, "value": 3},
        ]),
    )
}

pub fn content(answer: &Value) -> String {
    let mut text = answer["content"].as_str().unwrap_or_default().to_string();
    for e in answer["embeds"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(&e.to_string());
    }
    text
}
