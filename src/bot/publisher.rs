//! Sending daily posts to Discord.

use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{AutoArchiveDuration, CreateMessage, CreateThread, Nonce};

use crate::domain::ids::{ChannelId, MessageId, PostId};
use crate::render::discord::{no_mentions, post_embed, thread_name, vote_buttons};
use crate::services::poster::{PostView, PublishError, Publisher};

#[derive(Clone)]
pub struct DiscordPublisher {
    http: Arc<serenity::Http>,
}

impl DiscordPublisher {
    pub fn new(http: Arc<serenity::Http>) -> Self {
        DiscordPublisher { http }
    }
}

/// 403 and 404 on a channel mean access was removed or the channel deleted: retrying won't help.
pub fn classify(error: serenity::Error) -> PublishError {
    if let serenity::Error::Http(http) = &error {
        if let Some(status) = http.status_code() {
            if status.as_u16() == 403 || status.as_u16() == 404 {
                return PublishError::ChannelUnusable(format!(
                    "Discord answered {} when posting: the channel is gone or the bot may not post there",
                    status.as_u16()
                ));
            }
        }
    }
    PublishError::Other(anyhow::Error::new(error).context("sending the daily post"))
}

impl DiscordPublisher {
    /// A plain notice in a channel (feed disabled, ...), pinging no one.
    pub async fn notice(&self, channel: ChannelId, text: &str) -> Result<(), PublishError> {
        let message = CreateMessage::new()
            .content(crate::domain::text::truncate_chars(
                text,
                crate::render::discord::limits::CONTENT,
            ))
            .allowed_mentions(no_mentions());
        serenity::ChannelId::new(channel.0)
            .send_message(&*self.http, message)
            .await
            .map_err(classify)?;
        Ok(())
    }
}

impl Publisher for DiscordPublisher {
    async fn publish(&self, channel: ChannelId, view: &PostView<'_>) -> Result<MessageId, PublishError> {
        let channel = serenity::ChannelId::new(channel.0);
        let message = CreateMessage::new()
            .embed(post_embed(view))
            .components(vote_buttons(
                view.post.id,
                view.post.question,
                view.lang,
                &view.digest.essay.url,
            ))
            .allowed_mentions(no_mentions())
            .nonce(Nonce::String(view.post.nonce.clone()))
            .enforce_nonce(true);
        let sent = channel.send_message(&*self.http, message).await.map_err(classify)?;
        if view.thread {
            let thread = CreateThread::new(thread_name(view.digest, view.lang))
                .auto_archive_duration(AutoArchiveDuration::OneDay);
            // The post stands without its thread: a failure here is logged, not fatal.
            if let Err(e) = channel.create_thread_from_message(&*self.http, sent.id, thread).await {
                tracing::warn!(error = %e, channel = %channel, "could not open the discussion thread");
            }
        }
        Ok(MessageId(sent.id.get()))
    }

    async fn find_existing(&self, channel: ChannelId, post: PostId) -> Result<Option<MessageId>, PublishError> {
        let channel = serenity::ChannelId::new(channel.0);
        let recent = channel
            .messages(&*self.http, serenity::GetMessages::new().limit(50))
            .await
            .map_err(classify)?;
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
