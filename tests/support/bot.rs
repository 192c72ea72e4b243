//! Running the real bot binary against the fake Discord.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::fake_discord::FakeDiscord;
use super::repo_file;

pub struct Bot {
    /// Where the bot serves /healthz and /metrics.
    pub metrics_addr: std::net::SocketAddr,
    pub child: tokio::process::Child,
    pub dir: tempfile::TempDir,
    pub database_url: String,
    /// Extra environment (SHARD_COUNT, SHARD_IDS, ...).
    env: Vec<(String, String)>,
}

/// A fresh database for a bot: SQLite in the bot's folder, or, when TEST_BACKEND=postgres, a new
/// database on the server TEST_POSTGRES_URL names (CI runs the end-to-end tests both ways).
pub async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_BACKEND").as_deref() {
        Ok("postgres") => {
            let admin = claim_digest::store::testing::postgres_admin_url()
                .expect("TEST_BACKEND=postgres needs TEST_POSTGRES_URL");
            claim_digest::store::testing::scratch_postgres_database(&admin)
                .await
                .expect("creating a PostgreSQL test database")
        }
        _ => super::sqlite_url(&dir.join("bot.db")),
    }
}

pub async fn start_bot(fake: &FakeDiscord, feed_url: &str) -> Bot {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    start_bot_with(fake, dir, feed_url, &database_url, &[]).await
}

/// Starts the bot in `dir` on `database_url` (which may already hold servers), with extra
/// environment.
pub async fn start_bot_with(
    fake: &FakeDiscord,
    dir: tempfile::TempDir,
    feed_url: &str,
    database_url: &str,
    env: &[(&str, &str)],
) -> Bot {
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
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let child = spawn(fake, dir.path(), database_url, metrics_addr, &env);
    Bot {
        metrics_addr,
        child,
        dir,
        database_url: database_url.to_string(),
        env,
    }
}

impl Bot {
    /// Starts the bot again on the same database and files (after a crash or a stop).
    pub fn restart(&mut self, fake: &FakeDiscord) {
        self.child = spawn(fake, self.dir.path(), &self.database_url, self.metrics_addr, &self.env);
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the bot is running")
    }

    /// GETs `path` from the bot's metrics server: (status, body), or None while it is not up.
    pub async fn get(&self, path: &str) -> Option<(u16, String)> {
        let response = reqwest::get(format!("http://{}{path}", self.metrics_addr)).await.ok()?;
        let status = response.status().as_u16();
        Some((status, response.text().await.ok()?))
    }

    /// The bot's clock (a bot started with CLOCK_START), waiting for its server to come up.
    pub async fn clock(&self) -> DateTime<Utc> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            if let Some((200, body)) = self.get("/clock").await {
                return DateTime::parse_from_rfc3339(body.trim()).unwrap().with_timezone(&Utc);
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot's /clock never answered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Moves the bot's clock to `to` (a bot started with CLOCK_START), waiting for its server.
    pub async fn set_clock(&self, to: DateTime<Utc>) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        let client = reqwest::Client::new();
        loop {
            let sent = client
                .post(format!("http://{}/clock", self.metrics_addr))
                .body(to.to_rfc3339())
                .send()
                .await;
            if let Ok(response) = sent {
                assert!(
                    response.status().is_success(),
                    "moving the clock: {}",
                    response.status()
                );
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the bot's /clock never answered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A bot whose clock starts at the real time and that the test can move (CLOCK_START), with
/// extra environment.
pub async fn start_bot_on_test_clock(fake: &FakeDiscord, feed_url: &str, env: &[(&str, &str)]) -> Bot {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    let start = Utc::now().to_rfc3339();
    let mut env = env.to_vec();
    env.push(("CLOCK_START", &start));
    start_bot_with(fake, dir, feed_url, &database_url, &env).await
}

fn spawn(
    fake: &FakeDiscord,
    dir: &std::path::Path,
    database_url: &str,
    metrics_addr: std::net::SocketAddr,
    env: &[(String, String)],
) -> tokio::process::Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("bot.log"))
        .unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_claim-digest"));
    command
        .arg("run")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DISCORD_TOKEN", "fake-token.for-tests")
        .env("DISCORD_API_URL", fake.base_url())
        .env("DATABASE_URL", database_url)
        .env("CLAIMS_FILE", repo_file("data/claims.toml"))
        .env("FEEDS_FILE", dir.join("feeds.toml"))
        .env("FEED_ALLOW_PRIVATE", "true")
        // Every test feed is on one local server: no per-host pacing.
        .env("FEED_HOST_RATE", "0")
        .env("SCHEDULER_TICK_SECS", "1")
        .env("METRICS_ADDR", metrics_addr.to_string())
        .env(
            "RUST_LOG",
            std::env::var("BOT_LOG").unwrap_or_else(|_| "info,serenity=warn".into()),
        )
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stderr(log)
        .kill_on_drop(true);
    command.spawn().expect("starting the bot")
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
