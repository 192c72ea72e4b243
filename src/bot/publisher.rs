//! Sending daily posts and notices to Discord, through our paced REST client.

use poise::serenity_prelude as serenity;
use serenity::{AutoArchiveDuration, CreateMessage, CreateThread, Nonce};

use std::sync::Arc;

use super::rest::{DiscordRest, RestError};
use crate::domain::ids::{ChannelId, MessageId, PostId};
use crate::domain::records::DeliveryFailure;
use crate::metrics::Metrics;
use crate::render::discord::{no_mentions, post_embed, post_mentions, recap_embed, thread_name, vote_buttons};
use crate::services::poster::{PostView, PublishError, Publisher};
use crate::services::recap::{RecapPublisher, WeeklyRecap};

#[derive(Clone)]
pub struct DiscordPublisher {
    rest: DiscordRest,
    metrics: Arc<Metrics>,
}

impl DiscordPublisher {
    pub fn new(rest: DiscordRest, metrics: Arc<Metrics>) -> Self {
        DiscordPublisher { rest, metrics }
    }

    pub fn rest(&self) -> &DiscordRest {
        &self.rest
    }

    /// A plain notice in a channel (feed disabled, ...), pinging no one.
    pub async fn notice(&self, channel: ChannelId, text: &str) -> Result<(), PublishError> {
        let message = CreateMessage::new()
            .content(crate::domain::text::truncate_chars(
                text,
                crate::render::discord::limits::CONTENT,
            ))
            .allowed_mentions(no_mentions());
        self.rest.create_message(channel.0, &message).await.map_err(classify)?;
        Ok(())
    }
}

/// 403 and 404 on a channel mean access was removed or the channel deleted: retrying won't help.
pub fn classify(error: RestError) -> PublishError {
    match (&error, error.status()) {
        (RestError::Status { code, message, .. }, Some(status @ (403 | 404))) => {
            // The log keeps Discord's own words; people read the kind in their language.
            tracing::warn!(error = %error, "Discord refused a post: the channel is unusable");
            PublishError::ChannelUnusable(DeliveryFailure::from_discord(status, *code, message))
        }
        _ => PublishError::Other(anyhow::Error::new(error).context("sending to Discord")),
    }
}

impl Publisher for DiscordPublisher {
    async fn publish(&self, channel: ChannelId, view: &PostView<'_>) -> Result<MessageId, PublishError> {
        let (ping, mentions) = post_mentions(view);
        let mut message = CreateMessage::new()
            .embed(post_embed(view))
            .components(vote_buttons(
                view.post.id,
                view.post.question,
                view.lang.into(),
                &view.digest.essay.url,
                view.page.as_deref(),
                !view.digest.news.is_empty(),
            ))
            .allowed_mentions(mentions)
            .nonce(Nonce::String(view.post.nonce.clone()))
            .enforce_nonce(true);
        if let Some(ping) = ping {
            message = message.content(ping);
        }
        let sent = match self.rest.create_message(channel.0, &message).await {
            Ok(sent) => {
                Metrics::add(&self.metrics.posts_sent, 1);
                sent
            }
            Err(e) => {
                Metrics::add(&self.metrics.posts_failed, 1);
                return Err(classify(e));
            }
        };
        if view.thread {
            let thread = CreateThread::new(thread_name(view.digest, view.lang.into()))
                .auto_archive_duration(AutoArchiveDuration::OneDay);
            // The post stands without its thread: a failure here is logged, not fatal.
            if let Err(e) = self.rest.thread_from_message(channel.0, sent.id.get(), &thread).await {
                tracing::warn!(error = %e, channel = channel.0, "could not open the discussion thread");
            }
        }
        Ok(MessageId(sent.id.get()))
    }

    async fn find_existing(&self, channel: ChannelId, post: PostId) -> Result<Option<MessageId>, PublishError> {
        let recent = self.rest.recent_messages(channel.0, 50).await.map_err(classify)?;
        let prefix = format!("vote:{}:", post.0);
        let ours = recent.into_iter().find(|m| {
            m.components.iter().flat_map(|row| &row.components).any(|c| match c {
                serenity::ActionRowComponent::Button(b) => {
                    matches!(&b.data, serenity::ButtonKind::NonLink { custom_id, .. } if custom_id.starts_with(&prefix))
                }
                _ => false,
            })
        });
        Ok(ours.map(|m| MessageId(m.id.get())))
    }
}

impl RecapPublisher for DiscordPublisher {
    async fn publish_recap(
        &self,
        channel: ChannelId,
        recap: &WeeklyRecap,
        nonce: &str,
    ) -> Result<MessageId, PublishError> {
        // The recap names members and pings no one (not even the daily post's role).
        let message = CreateMessage::new()
            .embed(recap_embed(recap))
            .allowed_mentions(no_mentions())
            .nonce(Nonce::String(nonce.to_string()))
            .enforce_nonce(true);
        let sent = self.rest.create_message(channel.0, &message).await.map_err(classify)?;
        Ok(MessageId(sent.id.get()))
    }
}
