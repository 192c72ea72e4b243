//! The Discord edge: connecting, commands, buttons and reactions. Thin adapters over `services`.

mod commands;
mod events;
mod publisher;
mod refresh;
mod repair;
mod reply;
mod rest;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use poise::serenity_prelude as serenity;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::error::Error;
use crate::feeds::FeedCatalog;
use crate::metrics::Metrics;
use crate::services::App;
use crate::store::Store;

pub use publisher::DiscordPublisher;
pub use refresh::FooterRefresher;
pub use repair::ReactionRepairer;

/// What every command and event handler can reach.
pub struct Data {
    pub app: App,
    pub refresher: FooterRefresher,
    /// Posts whose reactions may have been missed, to compare with Discord's.
    pub repairer: ReactionRepairer,
    /// Posts through our paced REST client, shared with the background tasks.
    pub publisher: DiscordPublisher,
    pub metrics: Arc<Metrics>,
}

pub type Context<'a> = poise::Context<'a, Data, Error>;

/// A failed call to Discord is an internal error: the member sees an apology, the log the cause.
impl From<serenity::Error> for Error {
    fn from(e: serenity::Error) -> Self {
        // reqwest names the URL a request failed on, and an interaction's URL carries the token
        // that answers as the bot for 15 minutes: the log gets the failure without it.
        let e = match e {
            serenity::Error::Http(serenity::HttpError::Request(e)) => {
                serenity::Error::Http(serenity::HttpError::Request(e.without_url()))
            }
            other => other,
        };
        Error::Internal(e.into())
    }
}

pub const NO_TOKEN_HELP: &str = "\
claim-digest needs a Discord bot token to run.

  1. Create an application at https://discord.com/developers/applications, add a bot, copy its token
     (README.md, section \"Putting it on Discord\", walks through it).
  2. Put it in .env (see .env.example) as DISCORD_TOKEN=..., or export DISCORD_TOKEN.
  3. Run `cargo run --release` again.

Without a token you can still see what the bot would post:

  cargo run --release -- preview --lang en
";

/// Only what the bot uses: server events (to know its servers) and reactions (votes). No
/// privileged intent.
pub fn intents() -> serenity::GatewayIntents {
    serenity::GatewayIntents::GUILDS | serenity::GatewayIntents::GUILD_MESSAGE_REACTIONS
}

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let Some(token) = config.discord_token.clone() else {
        eprint!("{NO_TOKEN_HELP}");
        return Ok(ExitCode::from(2));
    };
    let claims =
        ClaimSet::load(&config.claims_file).map_err(|e| anyhow::anyhow!("{}:\n{e}", config.claims_file.display()))?;
    let catalog = FeedCatalog::load(&config.feeds_file)?;
    let store = Store::open(config.database_url.expose()).await?;
    let app = App::new(config, claims, catalog, store)?;
    // Read once, at start, so the log says at once whether Chinese charts have their font.
    crate::render::fonts::load(app.config.chart_font.as_ref());
    // The segmenter's dictionary, loaded beside the gateway's start rather than by the first
    // digest or /news, which would otherwise wait for it.
    tokio::task::spawn_blocking(crate::domain::tokenize::warm_up);

    let mut http = serenity::HttpBuilder::new(token.expose());
    if let Some(api) = &app.config.discord_api_url {
        // serenity applies a proxy only with its own rate limiter off; our sender paces itself.
        http = http
            .proxy(api.as_str().trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    let metrics = app.metrics.clone();
    let refresher = FooterRefresher::new(metrics.clone());
    let repairer = ReactionRepairer::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let rest = rest::DiscordRest::new(&token, app.config.discord_api_url.as_ref(), metrics.clone())?;
    let publisher = DiscordPublisher::new(rest.clone(), metrics.clone());
    let data = Data {
        app: app.clone(),
        refresher: refresher.clone(),
        repairer: repairer.clone(),
        publisher: publisher.clone(),
        metrics: metrics.clone(),
    };
    let dev_guild = app.config.dev_guild_id;
    // Commands are registered for the application as a whole: one process (the one with shard 0)
    // does it, not each process of a sharded deployment.
    let registers_commands = app.config.shards.owned.contains(&0);
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: commands::all(),
            on_error: |error| {
                Box::pin(async move {
                    if let Some(ctx) = error.ctx() {
                        events::command_finished(ctx).await;
                    }
                    reply::on_error(error).await
                })
            },
            event_handler: |ctx, event| Box::pin(events::handle(ctx, event)),
            pre_command: |ctx| Box::pin(events::command_started(ctx)),
            post_command: |ctx| Box::pin(events::command_finished(ctx)),
            allowed_mentions: Some(crate::render::discord::no_mentions()),
            initialize_owners: false,
            ..Default::default()
        })
        .setup(move |ctx, ready, framework| {
            Box::pin(async move {
                let commands = &framework.options().commands;
                let registered = match dev_guild {
                    _ if !registers_commands => Ok(()),
                    Some(guild) => poise::builtins::register_in_guild(ctx, commands, serenity::GuildId::new(guild)).await,
                    None => poise::builtins::register_globally(ctx, commands).await,
                };
                // A failed setup would leave poise without its data, and every later command, button
                // and reaction waiting for it for good. Commands registered by an earlier start stay
                // registered with Discord, so the bot goes on with those and says so.
                if let Err(e) = registered {
                    tracing::error!(
                        error = %Error::from(e),
                        "could not register the slash commands with Discord; those of an earlier start stay in use until the next start"
                    );
                }
                tracing::info!(
                    user = %ready.user.name,
                    guilds = ready.guilds.len(),
                    registered_commands = registers_commands,
                    "connected"
                );
                Ok(data)
            })
        })
        .build();
    let mut client = serenity::ClientBuilder::new_with_http(http.build(), intents())
        .framework(framework)
        .await
        .context("building the Discord client")?;

    // Background work starts here, once per process, never again on a gateway reconnect.
    let mut background = tokio::task::JoinSet::new();
    // The ranking's word counts over the stored news: counted now, in the background.
    let _ = app.term_stats();
    background.spawn(poster_loop(app.clone(), publisher.clone(), stop_rx.clone()));
    background.spawn(poller_loop(
        app.clone(),
        publisher.clone(),
        metrics.clone(),
        stop_rx.clone(),
    ));
    if let Some(addr) = app.config.metrics_addr {
        // Not joined at shutdown: it holds no state worth finishing.
        let (metrics, health_app, clock) = (metrics.clone(), app.clone(), app.clock.clone());
        tokio::spawn(async move {
            if let Err(e) = crate::metrics::serve(addr, metrics, health_app, clock).await {
                tracing::error!(error = %format!("{e:#}"), "the metrics server stopped");
            }
        });
    }
    if let Some(addr) = app.config.web_addr {
        // The public tally pages: read-only, so, like the metrics server, not joined at shutdown.
        crate::web::start(addr, app.clone()).context("starting the tally page server's thread")?;
    }
    background.spawn(repairer.run(app.clone(), rest.clone(), refresher.clone(), stop_rx.clone()));
    background.spawn(refresher.run(app.clone(), rest, stop_rx.clone()));
    background.spawn(crate::services::maintenance::run_loop(app.clone(), stop_rx.clone()));
    // One embedder for the whole deployment, in the process with shard 0: two would list the same
    // newest items and embed them twice. What other processes store it finds at its next tick,
    // and a ranking embeds what is still missing itself.
    if let (Some(embeddings), true) = (app.embeddings.clone(), registers_commands) {
        background.spawn(embedder_loop(app.clone(), embeddings, stop_rx.clone()));
    }

    let shards = client.shard_manager.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing work in progress");
        let _ = stop_tx.send(true);
        shards.shutdown_all().await;
    });
    let plan = app.config.shards.clone();
    tracing::info!(database = app.database_backend(), "starting {plan}");
    // serenity reads the range's end as the last shard to run, not one past it.
    let result = client
        .start_shard_range(*plan.owned.start()..*plan.owned.end(), plan.count)
        .await;
    // Let in-flight sends and writes finish, but never hang the exit.
    let _ = tokio::time::timeout(Duration::from_secs(8), async {
        while background.join_next().await.is_some() {}
    })
    .await;
    app.close().await;
    result.context("the Discord connection failed")?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Waits `period` on the app's clock, or returns true early when asked to stop.
async fn stopped_during(clock: &Clock, stop: &mut watch::Receiver<bool>, period: Duration) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = clock.sleep(period) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// How soon the poster tries again after a pass that failed (the database unreachable, say), so
/// that posts due during an outage go out within seconds of its end.
const POSTER_RETRY: Duration = Duration::from_secs(3);

/// The daily poster (and the weekly recaps): a pass at start, then one at the next server's minute. It wakes early when
/// a schedule changes or the clock is moved, and looks every SCHEDULER_TICK_SECS at the latest
/// (a failed post retried, a schedule changed by another process on a shared database).
async fn poster_loop(app: App, publisher: DiscordPublisher, mut stop: watch::Receiver<bool>) {
    let tick = chrono::Duration::from_std(app.config.scheduler_tick).unwrap_or(chrono::Duration::MAX);
    let retry = chrono::Duration::from_std(POSTER_RETRY.min(app.config.scheduler_tick)).unwrap_or_default();
    let mut schedules = app.schedule_changes();
    loop {
        let now = app.clock.now();
        let failed = match app.run_poster_once(&publisher, now).await {
            Ok(outcome) => {
                if !outcome.posted.is_empty() || outcome.failed > 0 {
                    tracing::info!(?outcome, "poster pass");
                }
                outcome.failed > 0
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "poster pass failed");
                true
            }
        };
        // The weekly recaps, at the post time on their day, after that day's post.
        let failed = match app.run_recap_once(&publisher, now).await {
            Ok(outcome) => {
                if !outcome.posted.is_empty() || outcome.failed > 0 {
                    tracing::info!(?outcome, "recap pass");
                }
                failed || outcome.failed > 0
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "recap pass failed");
                true
            }
        };
        // Planned from the pass's start: a server due while the pass ran is due at once.
        let next_recap = app.next_recap_due(now).await.unwrap_or_else(|e| {
            tracing::warn!(error = %format!("{e:#}"), "could not plan the next recap");
            Some(now + retry)
        });
        let wake = match app
            .next_post_due(now)
            .await
            .map(|post| post.into_iter().chain(next_recap).min())
        {
            _ if failed => now + retry,
            Ok(Some(due)) => due.min(now + tick),
            Ok(None) => now + tick,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "could not plan the next post");
                now + retry
            }
        };
        tokio::select! {
            _ = app.clock.sleep_until(wake) => {}
            changed = schedules.changed() => {
                if changed.is_err() {
                    // The store is gone: nothing will change again; fall back to the timer.
                    schedules = app.schedule_changes();
                }
            }
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            break;
        }
    }
}

async fn poller_loop(app: App, publisher: DiscordPublisher, metrics: Arc<Metrics>, mut stop: watch::Receiver<bool>) {
    let tick = app.config.scheduler_tick;
    loop {
        match app.run_poller_once(app.clock.now()).await {
            Ok(outcome) => {
                Metrics::add(&metrics.feed_fetches, (outcome.fetched + outcome.not_modified) as u64);
                Metrics::add(&metrics.feed_failures, outcome.failed as u64);
                if outcome.fetched + outcome.failed > 0 {
                    tracing::info!(?outcome, "feed poll");
                }
                if let Err(e) = tell_disabled(&app, &publisher, &outcome.disabled).await {
                    tracing::warn!(error = %format!("{e:#}"), "could not tell servers about disabled feeds");
                }
            }
            Err(e) => tracing::error!(error = %format!("{e:#}"), "feed poll failed"),
        }
        if stopped_during(&app.clock, &mut stop, tick).await {
            break;
        }
    }
}

/// The longest the embedder waits for new items before it looks again (items other processes
/// stored, or a pass that failed).
const EMBEDDER_TICK: Duration = Duration::from_secs(10 * 60);

/// Embeds the news soon after it is stored: a pass whenever ingest stores new items, passes one
/// after another while items are waiting, and a look every EMBEDDER_TICK. A failing endpoint is
/// warned about once until it answers again; the ranking then embeds what it needs itself.
async fn embedder_loop(
    app: App,
    embeddings: Arc<crate::services::embeddings::Embeddings>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failing = false;
    loop {
        let more = match app.run_embedder_once(app.clock.now()).await {
            None => return,
            Some(Ok(outcome)) => {
                if failing {
                    tracing::info!("embeddings endpoint answers again: the news is embedded as it comes");
                    failing = false;
                }
                if let Some(deleted) = outcome.model_changed {
                    crate::services::embeddings::warn_model_changed(embeddings.model(), deleted);
                }
                if outcome.embedded + outcome.stored_from_memory > 0 {
                    tracing::debug!(?outcome, "news embedded");
                }
                outcome.more
            }
            Some(Err(e)) => {
                if !failing {
                    tracing::warn!(error = %format!("{e:#}"), "could not embed the news; the next new items try again");
                    failing = true;
                }
                false
            }
        };
        if *stop.borrow() {
            return;
        }
        if more {
            continue;
        }
        tokio::select! {
            _ = embeddings.wait_for_new_items() => {}
            _ = tokio::time::sleep(EMBEDDER_TICK) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn tell_disabled(
    app: &App,
    publisher: &DiscordPublisher,
    disabled: &[(crate::domain::ids::FeedId, crate::domain::records::FeedFailure)],
) -> anyhow::Result<()> {
    for notice in app.disabled_feed_notices(disabled).await? {
        let text = crate::render::discord::feed_notice_text(&notice);
        if let Err(e) = publisher.notice(notice.channel, &text).await {
            tracing::warn!(channel = %notice.channel, error = %e, "could not post a feed notice");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_failed_request_is_logged_without_its_url() {
        // Nothing listens on port 1, so the request fails in transport, where reqwest keeps the URL.
        let failed = reqwest::Client::new()
            .post("http://127.0.0.1:1/api/v10/interactions/1/SECRET-TOKEN/callback")
            .send()
            .await
            .unwrap_err();
        assert!(
            format!("{failed}").contains("SECRET-TOKEN"),
            "reqwest names the URL: {failed}"
        );
        let logged = Error::from(serenity::Error::Http(serenity::HttpError::Request(failed)));
        let text = format!("{logged:#} {logged:?}");
        assert!(!text.contains("SECRET-TOKEN"), "{text}");
    }
}
