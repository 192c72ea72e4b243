//! Every `custom_id` the bot puts on a component, built and parsed in this one place. Discord
//! hands the string back on each click; it is untrusted input, so parsing is strict.

use std::fmt;

use crate::domain::ids::PostId;
use crate::domain::votes::Choice;

/// What a click on one of the bot's components asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `vote:<post id>:<choice>`: a vote button of a daily post.
    Vote { post: PostId, choice: Choice },
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Vote { post, choice } => write!(f, "vote:{}:{}", post.0, choice.as_str()),
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
            _ => None,
        }
    }
}

pub fn vote(post: PostId, choice: Choice) -> String {
    Action::Vote { post, choice }.to_string()
}

/// Whether a component's id belongs to a vote button (parsed fully when handled).
pub fn is_vote(id: &str) -> bool {
    id.starts_with("vote:")
}

pub fn parse_vote(id: &str) -> Option<(PostId, Choice)> {
    match Action::parse(id)? {
        Action::Vote { post, choice } => Some((post, choice)),
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
}
