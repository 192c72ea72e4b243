//! Two kinds of error. A [`UserError`] carries a message that is safe and useful to show the
//! person who asked (put into words in their language at the edge); anything else is an internal
//! error: the person sees a short apology, the log gets the whole chain of causes.

use std::fmt;

use crate::message::Message;

#[derive(Debug, Clone, PartialEq)]
pub struct UserError(pub Message);

impl UserError {
    pub fn new(message: Message) -> UserError {
        UserError(message)
    }
}

/// For logs: the message's id and arguments.
impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for UserError {}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    User(#[from] UserError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<Message> for Error {
    fn from(message: Message) -> Self {
        Error::User(UserError(message))
    }
}
