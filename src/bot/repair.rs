//! Reaction votes the bot missed: while it was disconnected (a new session replays nothing) or
//! while its database was down (the event came, the write failed), members went on reacting.
//! Messages whose reactions may disagree with the stored votes are queued; a pass reads their
//! reactions from Discord and lets the votes service bring the votes in line.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{watch, Notify};

use super::rest::DiscordRest;
use super::FooterRefresher;
use crate::domain::ids::{ChannelId, MessageId, UserId};
use crate::services::votes::ReactionReader;
use crate::services::App;

/// How soon messages whose repair failed (Discord or the database unreachable) are tried again.
const RETRY: Duration = Duration::from_secs(30);

#[derive(Clone, Default)]
pub struct ReactionRepairer {
    pending: Arc<Mutex<Pending>>,
    queued: Arc<Notify>,
}

/// What is left to compare.
#[derive(Default)]
struct Pending {
    /// Shards that connected with a new session: their recent posts are to be listed.
    shards: HashSet<u32>,
    messages: HashSet<MessageId>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.shards.is_empty() && self.messages.is_empty()
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairPass {
    /// Messages compared (posts or not).
    pub compared: usize,
    pub cast: usize,
    pub withdrawn: usize,
    /// Shards and messages left queued for the next pass.
    pub failed: usize,
}

impl ReactionRepairer {
    /// Queues messages to compare; the loop takes them at once.
    pub fn queue(&self, messages: impl IntoIterator<Item = MessageId>) {
        let mut pending = self.pending.lock().expect("repair queue lock");
        pending.messages.extend(messages);
        drop(pending);
        self.queued.notify_one();
    }

    /// Queues the recent posts of a shard's servers (its session is new, so events were missed).
    pub fn queue_shard(&self, shard: u32) {
        self.pending.lock().expect("repair queue lock").shards.insert(shard);
        self.queued.notify_one();
    }

    /// Lists the queued shards' recent posts, then compares every queued message once. A shard
    /// or message whose turn fails stays queued for the next pass.
    pub async fn run_once(&self, app: &App, rest: &DiscordRest, refresher: &FooterRefresher) -> RepairPass {
        let shards: Vec<u32> = self.pending.lock().expect("repair queue lock").shards.drain().collect();
        let mut pass = RepairPass::default();
        for shard in shards {
            match app.recent_post_messages(shard, app.now()).await {
                Ok(messages) => self
                    .pending
                    .lock()
                    .expect("repair queue lock")
                    .messages
                    .extend(messages),
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(shard, error = %format!("{e:#}"), "could not list recent posts to compare their reactions; trying again soon");
                    self.pending.lock().expect("repair queue lock").shards.insert(shard);
                }
            }
        }
        let batch: Vec<MessageId> = self
            .pending
            .lock()
            .expect("repair queue lock")
            .messages
            .drain()
            .collect();
        let reader = RestReactions(rest);
        for message in batch {
            match app.repair_reactions(&reader, message, app.now()).await {
                Ok(outcome) => {
                    pass.compared += 1;
                    pass.cast += outcome.cast;
                    pass.withdrawn += outcome.withdrawn;
                    if let Some(post) = outcome.post.filter(|_| outcome.cast + outcome.withdrawn > 0) {
                        tracing::info!(post = %post, cast = outcome.cast, withdrawn = outcome.withdrawn, "missed reaction votes repaired");
                        refresher.mark(post, None);
                    }
                }
                Err(e) => {
                    pass.failed += 1;
                    tracing::warn!(message = message.0, error = %format!("{e:#}"), "could not compare a post's reactions; trying again soon");
                    self.pending.lock().expect("repair queue lock").messages.insert(message);
                }
            }
        }
        pass
    }

    /// The loop: a pass whenever messages are queued, and again after [`RETRY`] while some
    /// are left over from a failed pass.
    pub async fn run(self, app: App, rest: DiscordRest, refresher: FooterRefresher, mut stop: watch::Receiver<bool>) {
        loop {
            // Left over from a failed pass: try again after RETRY, or at once when more is queued.
            let retrying = !self.pending.lock().expect("repair queue lock").is_empty();
            let wait = async {
                tokio::select! {
                    _ = self.queued.notified() => {}
                    _ = app.clock.sleep(RETRY), if retrying => {}
                }
            };
            tokio::select! {
                _ = wait => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            self.run_once(&app, &rest, &refresher).await;
        }
    }
}

/// Reactions read through the bot's paced REST client.
struct RestReactions<'a>(&'a DiscordRest);

impl ReactionReader for RestReactions<'_> {
    async fn reactors(&self, channel: ChannelId, message: MessageId, emoji: &str) -> anyhow::Result<Vec<UserId>> {
        let users = self.0.reactors(channel.0, message.0, emoji).await?;
        Ok(users.into_iter().map(UserId).collect())
    }
}
