//! Keeps each post's footer tally current without editing on every click: votes mark a post
//! dirty, and a loop edits each dirty post at most once per tick.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poise::serenity_prelude as serenity;
use tokio::sync::watch;

use super::rest::DiscordRest;
use crate::domain::ids::PostId;
use crate::metrics::Metrics;
use crate::render::discord::tally_footer;
use crate::services::App;

const TICK: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct FooterRefresher {
    dirty: Arc<Mutex<HashMap<PostId, Option<serenity::Embed>>>>,
    metrics: Arc<Metrics>,
}

impl FooterRefresher {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        FooterRefresher {
            dirty: Default::default(),
            metrics,
        }
    }

    /// Marks a post for a footer edit; `embed` is the message's current embed when known.
    pub fn mark(&self, post: PostId, embed: Option<serenity::Embed>) {
        let mut dirty = self.dirty.lock().expect("refresher lock");
        let slot = dirty.entry(post).or_default();
        if embed.is_some() {
            *slot = embed;
        }
        self.metrics.set_queue_depth(dirty.len());
    }

    /// The loop: a tick, then the posts marked since the last one.
    pub async fn run(self, app: App, rest: DiscordRest, mut stop: watch::Receiver<bool>) {
        loop {
            let stopping = super::stopped_during(&app.clock, &mut stop, TICK).await;
            // Drained even when stopping, so that the last votes reach the footer.
            self.run_once(&app, &rest).await;
            if stopping {
                break;
            }
        }
    }

    /// Edits the footer of every post marked since the last pass, once each. A failed edit is
    /// logged and not retried: the next vote on that post marks it again.
    pub async fn run_once(&self, app: &App, rest: &DiscordRest) -> RefreshOutcome {
        let batch: Vec<_> = self.dirty.lock().expect("refresher lock").drain().collect();
        self.metrics.set_queue_depth(0);
        let mut outcome = RefreshOutcome::default();
        for (post, embed) in batch {
            match refresh(app, rest, post, embed).await {
                Ok(true) => outcome.edited += 1,
                Ok(false) => outcome.skipped += 1,
                Err(e) => {
                    outcome.failed += 1;
                    tracing::warn!(post = %post, error = %format!("{e:#}"), "footer refresh failed");
                }
            }
        }
        outcome
    }
}

/// What one pass of the refresher did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefreshOutcome {
    pub edited: usize,
    /// Posts with nothing to edit: unknown, never delivered, or without an embed.
    pub skipped: usize,
    pub failed: usize,
}

/// Edits one post's footer to its tally; false when there was nothing to edit.
async fn refresh(app: &App, rest: &DiscordRest, post: PostId, embed: Option<serenity::Embed>) -> anyhow::Result<bool> {
    let Some(footer) = app.footer_of(post).await? else {
        return Ok(false);
    };
    let post = &footer.post;
    let Some(message) = post.message else { return Ok(false) };
    let embed = match embed {
        Some(e) => e,
        None => match rest.message(post.channel.0, message.0).await?.embeds.into_iter().next() {
            Some(e) => e,
            None => return Ok(false),
        },
    };
    let footer = serenity::CreateEmbedFooter::new(tally_footer(&footer.tally, post.question, footer.lang.into()));
    let edited = serenity::CreateEmbed::from(embed).footer(footer);
    let edit = serenity::EditMessage::new()
        .embed(edited)
        .allowed_mentions(crate::render::discord::no_mentions());
    rest.edit_message(post.channel.0, message.0, &edit).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::domain::claims::ClaimSet;
    use crate::domain::ids::{ChannelId, GuildId, MessageId, UserId};
    use crate::domain::views::PostResult;
    use crate::domain::votes::Choice;
    use crate::services::commands::DigestSetup;
    use crate::services::poster::{PostView, PublishError, Publisher};
    use crate::services::votes::Ballot;
    use crate::store::VoteSource;
    use serde_json::{json, Value};

    /// Delivers every post as message 555.
    struct Delivered;

    impl Publisher for Delivered {
        async fn publish(&self, _: ChannelId, _: &PostView<'_>) -> Result<MessageId, PublishError> {
            Ok(MessageId(555))
        }

        async fn find_existing(
            &self,
            _: ChannelId,
            _: crate::domain::ids::PostId,
        ) -> Result<Option<MessageId>, PublishError> {
            Ok(None)
        }
    }

    /// Discord's message edit endpoint, recording what it is sent.
    async fn discord(edits: Arc<Mutex<Vec<Value>>>) -> String {
        let edit = axum::routing::patch(
            move |axum::extract::Path((channel, message)): axum::extract::Path<(u64, u64)>,
                  axum::Json(body): axum::Json<Value>| async move {
                edits.lock().unwrap().push(body.clone());
                let message = json!({
                    "id": message.to_string(), "channel_id": channel.to_string(),
                    "author": {"id": "1", "username": "bot", "discriminator": "0", "avatar": null, "bot": true},
                    "content": "", "timestamp": "2026-12-01T09:00:00.000000+00:00", "edited_timestamp": null,
                    "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
                    "attachments": [], "embeds": body["embeds"], "pinned": false, "type": 0,
                });
                axum::Json(message)
            },
        );
        let app = axum::Router::new().route("/api/v10/channels/{channel}/messages/{message}", edit);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn one_pass_edits_each_marked_post_once_with_its_tally() {
        let edits = Arc::new(Mutex::new(Vec::new()));
        let base = url::Url::parse(&discord(edits.clone()).await).unwrap();
        let metrics = Arc::new(Metrics::new(0..=0));
        let rest = DiscordRest::new(&crate::config::Secret::new("token"), Some(&base), metrics.clone()).unwrap();
        let claims =
            ClaimSet::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/claims.toml")).unwrap();
        let store = crate::store::Store::in_memory().await.unwrap();
        let config = Config::from_lookup(|_| None).unwrap();
        let app = App::new(config, claims, crate::feeds::FeedCatalog::default(), store).unwrap();
        let now = chrono::Utc::now();
        let settings = app.guild(GuildId(1), Some("en-US"), now).await.unwrap();
        let setup = DigestSetup {
            channel: ChannelId(7),
            time: "09:00".into(),
            timezone: "UTC".into(),
            language: None,
            news: None,
            thread: None,
            moderator_role: None,
            ping_role: None,
            days: None,
            recap: None,
        };
        let (settings, _) = app.setup_digest(&settings, setup, now).await.unwrap();
        let post = match app.post_now(&Delivered, &settings, now).await.unwrap() {
            PostResult::Posted(post) | PostResult::AlreadyPosted(post) => post,
        };
        for (user, choice) in [(11, Choice::Agree), (12, Choice::Agree), (13, Choice::Disagree)] {
            let ballot = Ballot {
                guild: GuildId(1),
                post: post.id,
                user: UserId(user),
                choice,
                source: VoteSource::Button,
            };
            app.vote(ballot, now).await.unwrap();
        }

        let refresher = FooterRefresher::new(metrics);
        let embed: serenity::Embed = serde_json::from_value(json!({"title": "The claim", "type": "rich"})).unwrap();
        // Marked three times (three votes): edited once.
        for _ in 0..3 {
            refresher.mark(post.id, Some(embed.clone()));
        }
        refresher.mark(crate::domain::ids::PostId(999_999), None);
        let outcome = refresher.run_once(&app, &rest).await;
        assert_eq!(
            outcome,
            RefreshOutcome {
                edited: 1,
                skipped: 1,
                failed: 0
            }
        );
        let sent = edits.lock().unwrap().clone();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let footer = sent[0]["embeds"][0]["footer"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(footer.contains("3 votes"), "the tally of the three votes: {footer}");
        assert_eq!(sent[0]["embeds"][0]["title"], "The claim");
        assert_eq!(sent[0]["allowed_mentions"]["parse"], json!([]));
        // Nothing marked since: the next pass does nothing.
        assert_eq!(refresher.run_once(&app, &rest).await, RefreshOutcome::default());
    }
}
