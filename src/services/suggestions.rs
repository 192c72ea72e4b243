//! Members' suggestions: `/claim suggest` files one, `/claim queue` lets moderators approve,
//! edit or reject it, `/claim mine` shows a member theirs. Approved suggestions are the server's
//! own claims, after the essay's in every round: [`App::claims_for`] is the set each server's
//! commands, posts, tallies and pages go by.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::evidence::Marker;
use super::App;
use crate::domain::claims::{Claim, ClaimKind, ClaimSet};
use crate::domain::ids::{GuildId, UserId};
use crate::domain::records::{moderates, GuildSettings};
use crate::domain::schedule::local_date;
use crate::domain::suggestions::{self, Draft, Problem, Suggestion, SuggestionId, MAX_PENDING};
use crate::domain::text::truncate_chars;
use crate::error::{Error, UserError};
use crate::message::{msg, Arg, Message};
use crate::store::NewSuggestion;

/// What a moderator's Edit form holds, as typed.
#[derive(Debug, Clone, Default)]
pub struct SuggestionEdit {
    pub zh: String,
    pub en: String,
    pub kind: String,
    pub deadline: String,
}

/// What a member gives `/claim suggest`, as typed.
#[derive(Debug, Clone)]
pub struct NewClaimSuggestion<'a> {
    pub author: UserId,
    /// The member's display name now: the credit the claim will carry.
    pub author_name: &'a str,
    pub text: &'a str,
    pub kind: ClaimKind,
    pub deadline: Option<&'a str>,
}

fn refusal(problem: Problem) -> Error {
    let message: Message = match problem {
        Problem::NoText => msg!("suggestion-no-text"),
        Problem::TextTooShort => msg!("suggestion-too-short", min = suggestions::TEXT_MIN),
        Problem::TextTooLong => msg!("suggestion-too-long", max = suggestions::TEXT_MAX),
        Problem::UnknownKind(input) => msg!("suggestion-unknown-kind", input = Arg::in_code(input)),
        Problem::BadDeadline(input) => msg!("suggestion-bad-deadline", input = Arg::in_code(input)),
        Problem::DeadlineOnOpinion => msg!("suggestion-deadline-opinion"),
        Problem::DeadlinePassed => msg!("suggestion-deadline-passed"),
        Problem::TooManyPending => msg!("suggestion-too-many", max = MAX_PENDING),
        Problem::NoReason => msg!("suggestion-no-reason"),
    };
    message.into()
}

impl App {
    /// The server's claims: the essay's in essay order, then the server's approved suggestions
    /// in approval order. One small query; without approved suggestions, the essay's own set.
    pub async fn claims_for(&self, guild: GuildId) -> anyhow::Result<Arc<ClaimSet>> {
        let approved = self.store.approved_suggestions(guild).await?;
        if approved.is_empty() {
            return Ok(self.claims.clone());
        }
        let suggested = approved.iter().map(|s| s.claim()).collect();
        Ok(Arc::new(self.claims.with_suggested(suggested)))
    }

    /// The claim with this id among the server's, or a refusal that says how to find one.
    pub async fn server_claim(&self, guild: GuildId, id: &str) -> Result<Claim, Error> {
        let set = self.claims_for(guild).await?;
        set.get(id.trim())
            .cloned()
            .ok_or_else(|| msg!("error-no-such-claim", id = Arg::in_code(truncate_chars(id.trim(), 64))).into())
    }

    /// `/claim suggest`: files a member's claim for the moderators, within the member's limit
    /// of pending suggestions.
    pub async fn suggest_claim(
        &self,
        settings: &GuildSettings,
        suggested: &NewClaimSuggestion<'_>,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, Error> {
        let NewClaimSuggestion {
            author,
            author_name,
            text,
            kind,
            deadline,
        } = *suggested;
        let draft =
            suggestions::member_draft(text, kind, deadline, local_date(settings.timezone, now)).map_err(refusal)?;
        let name = truncate_chars(crate::domain::text::plain_text(author_name).trim(), 100);
        let new = NewSuggestion {
            guild: settings.id,
            author,
            author_name: &name,
            draft: &draft,
        };
        self.store
            .file_suggestion(&new, MAX_PENDING, now)
            .await?
            .ok_or_else(|| refusal(Problem::TooManyPending))
    }

    /// `/claim queue`: the server's suggestions waiting for a decision, oldest first.
    pub async fn suggestion_queue(&self, guild: GuildId) -> anyhow::Result<Vec<Suggestion>> {
        self.store.pending_suggestions(guild).await
    }

    /// `/claim mine`: a member's suggestions in the server, newest first.
    pub async fn member_suggestions(&self, guild: GuildId, user: UserId) -> anyhow::Result<Vec<Suggestion>> {
        self.store.member_suggestions(guild, user).await
    }

    /// A pending suggestion a moderator is about to decide (the Edit and Reject forms are
    /// filled from it). Anyone else, or a suggestion already decided, is refused.
    pub async fn suggestion_to_review(
        &self,
        guild: GuildId,
        id: SuggestionId,
        reviewer: &Marker,
    ) -> Result<(GuildSettings, Suggestion), Error> {
        let settings = self
            .store
            .guild(guild)
            .await?
            .ok_or_else(|| UserError::new(msg!("error-unknown-button")))?;
        if !moderates(reviewer.manages_server, &reviewer.roles, settings.moderator_role) {
            return Err(msg!("error-not-moderator").into());
        }
        let suggestion = self
            .store
            .suggestion(guild, id)
            .await?
            .ok_or_else(|| UserError::new(msg!("error-unknown-button")))?;
        if suggestion.status != suggestions::SuggestionStatus::Pending {
            return Err(msg!("suggestion-already-decided", id = id.0).into());
        }
        Ok((settings, suggestion))
    }

    async fn decided(&self, guild: GuildId, id: SuggestionId, done: bool) -> Result<Suggestion, Error> {
        if !done {
            return Err(msg!("suggestion-already-decided", id = id.0).into());
        }
        Ok(self
            .store
            .suggestion(guild, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("suggestion {} vanished", id.0))?)
    }

    /// Approves a pending suggestion: it joins the server's rotation after the essay's claims.
    pub async fn approve_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        reviewer: &Marker,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, Error> {
        self.suggestion_to_review(guild, id, reviewer).await?;
        let done = self.store.approve_suggestion(guild, id, reviewer.user, now).await?;
        self.decided(guild, id, done).await
    }

    /// A moderator's edit of a pending suggestion (both languages, kind, deadline); it stays
    /// pending until approved.
    pub async fn edit_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        reviewer: &Marker,
        edit: &SuggestionEdit,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, Error> {
        let (settings, _) = self.suggestion_to_review(guild, id, reviewer).await?;
        let today = local_date(settings.timezone, now);
        let draft: Draft =
            suggestions::edited_draft(&edit.zh, &edit.en, &edit.kind, &edit.deadline, today).map_err(refusal)?;
        let done = self.store.edit_suggestion(guild, id, &draft).await?;
        self.decided(guild, id, done).await
    }

    /// Rejects a pending suggestion; the member sees the reason in `/claim mine`.
    pub async fn reject_suggestion(
        &self,
        guild: GuildId,
        id: SuggestionId,
        reviewer: &Marker,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Suggestion, Error> {
        self.suggestion_to_review(guild, id, reviewer).await?;
        let reason = suggestions::rejection_reason(reason).map_err(refusal)?;
        let done = self
            .store
            .reject_suggestion(guild, id, reviewer.user, &reason, now)
            .await?;
        self.decided(guild, id, done).await
    }
}
