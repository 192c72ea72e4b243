//! Every `custom_id` the bot puts on a component, built and parsed in this one place. Discord
//! hands the string back on each click; it is untrusted input, so parsing is strict.

use std::fmt;

use crate::domain::evidence::{EvidenceId, Stance};
use crate::domain::ids::PostId;
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
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Vote { post, choice } => write!(f, "vote:{}:{}", post.0, choice.as_str()),
            Action::Evidence { post } => write!(f, "evidence:{}", post.0),
            Action::Mark { post, entry, stance } => write!(f, "mark:{}:{}:{}", post.0, entry.0, stance.as_str()),
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
}
