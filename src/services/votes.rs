//! Members voting on a post.

use chrono::{DateTime, Utc};

use super::App;
use crate::domain::ids::{GuildId, PostId, UserId};
use crate::domain::lang::Lang;
use crate::domain::votes::{Choice, Tally};
use crate::error::{Error, UserError};
use crate::store::{Post, VoteChange, VoteSource};

/// One member's choice on one post.
#[derive(Debug, Clone, Copy)]
pub struct Ballot {
    pub guild: GuildId,
    pub post: PostId,
    pub user: UserId,
    pub choice: Choice,
    pub source: VoteSource,
}

#[derive(Debug, Clone)]
pub struct VoteReceipt {
    pub post: Post,
    pub change: VoteChange,
    pub tally: Tally,
}

impl App {
    /// Records a member's vote; when this returns Ok the vote is committed. `lang` is the
    /// language of any refusal.
    pub async fn vote(&self, ballot: Ballot, lang: Lang, now: DateTime<Utc>) -> Result<VoteReceipt, Error> {
        let Ballot {
            guild,
            post,
            user,
            choice,
            source,
        } = ballot;
        let found = self.store.post(post).await?.filter(|p| p.guild == guild);
        let Some(post) = found else {
            return Err(UserError::new(match lang {
                Lang::Zh => "找不到这条帖子，可能已被删除。",
                Lang::En => "This post no longer exists.",
            })
            .into());
        };
        if choice.question() != post.question {
            return Err(UserError::new(match lang {
                Lang::Zh => "这个选项不适用于这条帖子。",
                Lang::En => "That choice does not apply to this post.",
            })
            .into());
        }
        let change = self.store.cast_vote(post.id, user, choice, source, now).await?;
        let tally = self.store.post_tally(post.id).await?;
        Ok(VoteReceipt { post, change, tally })
    }
}
