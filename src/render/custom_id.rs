//! Every `custom_id` the bot puts on a component, built and parsed in this one place. Discord
//! hands the string back on each click; it is untrusted input, so parsing is strict.

use std::fmt;

use crate::domain::evidence::{EvidenceId, Stance};
use crate::domain::ids::PostId;
use crate::domain::suggestions::SuggestionId;
use crate::domain::votes::Choice;

/// What a click on one of the bot's components asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `vote:<post id>:<choice>`: a vote button of a daily post.
    Vote { post: PostId, choice: Choice },
    /// `evidence:<post id>`: the Evidence button of a daily post, which opens its panel.
    Evidence { post: PostId },
    /// `mark:<post id>:<entry id>:<stance>`: a mark on one story of a post's Evidence panel.
    Mark {
        post: PostId,
        entry: EvidenceId,
        stance: Stance,
    },
    /// `suggestion:<id>:<review>`: a moderator's button on a suggestion in `/claim queue`.
    Suggestion { id: SuggestionId, review: Review },
}

/// What a moderator does with a suggestion from the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approve,
    /// Opens the Edit form.
    Edit,
    /// Opens the form asking for a reason.
    Reject,
}

impl Review {
    pub const ALL: [Review; 3] = [Review::Approve, Review::Edit, Review::Reject];

    fn as_str(self) -> &'static str {
        match self {
            Review::Approve => "approve",
            Review::Edit => "edit",
            Review::Reject => "reject",
        }
    }

    fn parse(s: &str) -> Option<Review> {
        Review::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A form (modal) the bot opens; Discord hands its `custom_id` back with the submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `suggestion-edit:<id>`: both languages, kind and deadline of a pending suggestion.
    EditSuggestion(SuggestionId),
    /// `suggestion-reject:<id>`: the reason for rejecting one.
    RejectSuggestion(SuggestionId),
}

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Form::EditSuggestion(id) => write!(f, "suggestion-edit:{}", id.0),
            Form::RejectSuggestion(id) => write!(f, "suggestion-reject:{}", id.0),
        }
    }
}

impl Form {
    pub fn parse(id: &str) -> Option<Form> {
        let (kind, rest) = id.split_once(':')?;
        let n: i64 = rest.parse().ok()?;
        match kind {
            "suggestion-edit" => Some(Form::EditSuggestion(SuggestionId(n))),
            "suggestion-reject" => Some(Form::RejectSuggestion(SuggestionId(n))),
            _ => None,
        }
    }
}

/// The `custom_id`s of the text inputs on the bot's forms.
pub mod field {
    pub const TEXT_ZH: &str = "zh";
    pub const TEXT_EN: &str = "en";
    pub const KIND: &str = "kind";
    pub const DEADLINE: &str = "deadline";
    pub const REASON: &str = "reason";
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Vote { post, choice } => write!(f, "vote:{}:{}", post.0, choice.as_str()),
            Action::Evidence { post } => write!(f, "evidence:{}", post.0),
            Action::Mark { post, entry, stance } => write!(f, "mark:{}:{}:{}", post.0, entry.0, stance.as_str()),
            Action::Suggestion { id, review } => write!(f, "suggestion:{}:{}", id.0, review.as_str()),
        }
    }
}

impl Action {
    pub fn parse(id: &str) -> Option<Action> {
        let mut parts = id.split(':');
        match parts.next()? {
            "vote" => {
                let post = parts.next()?.parse().ok()?;
                let choice = parts.next()?.parse().ok()?;
                parts.next().is_none().then_some(Action::Vote {
                    post: PostId(post),
                    choice,
                })
            }
            "evidence" => {
                let post = parts.next()?.parse().ok()?;
                parts
                    .next()
                    .is_none()
                    .then_some(Action::Evidence { post: PostId(post) })
            }
            "mark" => {
                let post = parts.next()?.parse().ok()?;
                let entry = parts.next()?.parse().ok()?;
                let stance = parts.next()?.parse().ok()?;
                parts.next().is_none().then_some(Action::Mark {
                    post: PostId(post),
                    entry: EvidenceId(entry),
                    stance,
                })
            }
            "suggestion" => {
                let id = parts.next()?.parse().ok()?;
                let review = Review::parse(parts.next()?)?;
                parts.next().is_none().then_some(Action::Suggestion {
                    id: SuggestionId(id),
                    review,
                })
            }
            _ => None,
        }
    }
}

pub fn vote(post: PostId, choice: Choice) -> String {
    Action::Vote { post, choice }.to_string()
}

pub fn evidence(post: PostId) -> String {
    Action::Evidence { post }.to_string()
}

pub fn mark(post: PostId, entry: EvidenceId, stance: Stance) -> String {
    Action::Mark { post, entry, stance }.to_string()
}

pub fn review(id: SuggestionId, review: Review) -> String {
    Action::Suggestion { id, review }.to_string()
}

pub fn parse_vote(id: &str) -> Option<(PostId, Choice)> {
    match Action::parse(id)? {
        Action::Vote { post, choice } => Some((post, choice)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_and_reject_garbage() {
        assert_eq!(parse_vote("vote:7:agree"), Some((PostId(7), Choice::Agree)));
        assert_eq!(
            parse_vote(&vote(PostId(i64::MAX), Choice::Early)),
            Some((PostId(i64::MAX), Choice::Early))
        );
        for bad in [
            "vote:7",
            "vote:x:agree",
            "vote:7:maybe",
            "poll:7:agree",
            "vote:7:agree:extra",
        ] {
            assert_eq!(parse_vote(bad), None, "{bad}");
        }
    }

    #[test]
    fn evidence_ids_round_trip_and_reject_garbage() {
        let mark = Action::Mark {
            post: PostId(i64::MAX),
            entry: EvidenceId(i64::MAX),
            stance: Stance::OffTopic,
        };
        assert!(mark.to_string().len() <= crate::render::discord::limits::CUSTOM_ID);
        assert_eq!(Action::parse(&mark.to_string()), Some(mark));
        assert_eq!(
            Action::parse(&evidence(PostId(3))),
            Some(Action::Evidence { post: PostId(3) })
        );
        for bad in [
            "evidence:",
            "evidence:3:4",
            "mark:1:2",
            "mark:1:2:off-topic",
            "mark:1:x:supports",
            "mark:1:2:supports:3",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
        assert_eq!(parse_vote(&evidence(PostId(3))), None);
    }

    #[test]
    fn suggestion_ids_and_forms_round_trip_and_reject_garbage() {
        for r in Review::ALL {
            let action = Action::Suggestion {
                id: SuggestionId(i64::MAX),
                review: r,
            };
            assert!(action.to_string().len() <= crate::render::discord::limits::CUSTOM_ID);
            assert_eq!(Action::parse(&action.to_string()), Some(action));
        }
        assert_eq!(review(SuggestionId(4), Review::Edit), "suggestion:4:edit");
        for bad in [
            "suggestion:4",
            "suggestion:x:edit",
            "suggestion:4:maybe",
            "suggestion:4:edit:1",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
        for form in [
            Form::EditSuggestion(SuggestionId(7)),
            Form::RejectSuggestion(SuggestionId(i64::MAX)),
        ] {
            assert_eq!(Form::parse(&form.to_string()), Some(form));
        }
        for bad in [
            "suggestion-edit:",
            "suggestion-edit:x",
            "suggestion-approve:1",
            "suggestion-reject:1:2",
        ] {
            assert_eq!(Form::parse(bad), None, "{bad}");
        }
    }
}
