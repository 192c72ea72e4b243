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

    pub async fn run(self, app: App, rest: DiscordRest, mut stop: watch::Receiver<bool>) {
        loop {
            let stopping = super::stopped_during(&app.clock, &mut stop, TICK).await;
            // Drain even when stopping, so the last votes reach the footer.
            let batch: Vec<_> = self.dirty.lock().expect("refresher lock").drain().collect();
            self.metrics.set_queue_depth(0);
            for (post, embed) in batch {
                if let Err(e) = refresh(&app, &rest, post, embed).await {
                    tracing::warn!(post = %post, error = %format!("{e:#}"), "footer refresh failed");
                }
            }
            if stopping {
                break;
            }
        }
    }
}

async fn refresh(app: &App, rest: &DiscordRest, post: PostId, embed: Option<serenity::Embed>) -> anyhow::Result<()> {
    let Some(footer) = app.footer_of(post).await? else {
        return Ok(());
    };
    let post = &footer.post;
    let Some(message) = post.message else { return Ok(()) };
    let embed = match embed {
        Some(e) => e,
        None => match rest.message(post.channel.0, message.0).await?.embeds.into_iter().next() {
            Some(e) => e,
            None => return Ok(()),
        },
    };
    let footer = serenity::CreateEmbedFooter::new(tally_footer(&footer.tally, post.question, footer.lang.into()));
    let edited = serenity::CreateEmbed::from(embed).footer(footer);
    let edit = serenity::EditMessage::new()
        .embed(edited)
        .allowed_mentions(crate::render::discord::no_mentions());
    rest.edit_message(post.channel.0, message.0, &edit).await?;
    Ok(())
}
