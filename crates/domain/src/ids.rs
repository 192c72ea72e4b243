//! Identifiers of the outside world, as our own types. Discord snowflakes enter here at the edge
//! and travel through the domain and the store without any serenity type.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! snowflake {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl $name {
            /// Snowflakes stay below 2^63 for decades, so SQLite's signed INTEGER holds them.
            pub fn to_db(self) -> i64 {
                self.0 as i64
            }

            pub fn from_db(raw: i64) -> Self {
                Self(raw as u64)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

snowflake!(
    /// A Discord server. `GuildId(0)` is the terminal preview's stand-in server.
    GuildId
);
snowflake!(
    /// A Discord text channel.
    ChannelId
);
snowflake!(
    /// A Discord member.
    UserId
);
snowflake!(
    /// A Discord message.
    MessageId
);
snowflake!(
    /// A Discord role.
    RoleId
);

impl GuildId {
    /// The server the terminal preview pretends to post to.
    pub const PREVIEW: GuildId = GuildId(0);
}

/// Our own id of a daily post (one server, one local date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

impl fmt::Display for PostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Our own id of a stored feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FeedId(pub i64);

/// A claim's id as its claims file writes it (`agents-arrive-2025`): stable across releases of
/// the file, stored with every post, vote and resolution, and typed by members in commands.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClaimId(String);

impl ClaimId {
    pub fn new(id: impl Into<String>) -> ClaimId {
        ClaimId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClaimId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ClaimId {
    fn from(id: &str) -> ClaimId {
        ClaimId(id.to_string())
    }
}

impl From<String> for ClaimId {
    fn from(id: String) -> ClaimId {
        ClaimId(id)
    }
}

/// An id reads as the text it is wherever text is wanted (lookups, comparisons, formatting).
impl std::ops::Deref for ClaimId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ClaimId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ClaimId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for ClaimId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ClaimId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
