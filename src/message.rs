//! A message a person will read, before it is put into words: the id of a message in the Fluent
//! files (`locales/*/*.ftl`) and its arguments. Services and errors hand these out; only
//! `render::i18n` turns them into text, in the reader's language.

use std::fmt;

pub mod reasons;

/// One argument of a message: text is shown as given, numbers are formatted (and pick plural
/// forms) by Fluent. Untrusted text (a feed's or a web page's words, an address a server
/// redirected to) is text that a renderer with markup of its own escapes first.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Untrusted(String),
    /// Untrusted text the message shows inside a code span (`` `{ $input }` ``), where markup
    /// does not apply and an escape would show as a backslash: only what could end the span
    /// (a backtick, a line break) is replaced.
    InCode(String),
    Number(f64),
    /// Another message, put into words in the same language (a failure's reason inside a
    /// refusal, say).
    Message(Box<Message>),
}

impl Arg {
    pub fn untrusted(text: impl Into<String>) -> Arg {
        Arg::Untrusted(text.into())
    }

    pub fn in_code(text: impl Into<String>) -> Arg {
        Arg::InCode(text.into())
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(n: $t) -> Arg {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_args!(u8, u16, u32, u64, usize, i32, i64, f64);

impl From<Message> for Arg {
    fn from(message: Message) -> Arg {
        Arg::Message(Box::new(message))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Message {
    pub fn new(id: &'static str, args: Vec<(&'static str, Arg)>) -> Message {
        Message { id, args }
    }

    /// The same message with every untrusted argument passed through `escape`.
    pub fn escaped(&self, escape: impl Fn(&str) -> String) -> Message {
        self.escaped_with(&escape)
    }

    fn escaped_with(&self, escape: &dyn Fn(&str) -> String) -> Message {
        let args = self
            .args
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Arg::Untrusted(text) => Arg::Text(escape(text)),
                    Arg::InCode(text) => Arg::Text(text.replace('`', "'").replace(['\r', '\n'], " ")),
                    Arg::Message(inner) => Arg::Message(Box::new(inner.escaped_with(escape))),
                    other => other.clone(),
                };
                (*name, value)
            })
            .collect();
        Message { id: self.id, args }
    }
}

/// For logs only: the id and arguments, never shown to a person.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)?;
        for (name, value) in &self.args {
            match value {
                Arg::Text(t) | Arg::Untrusted(t) | Arg::InCode(t) => write!(f, " {name}={t:?}")?,
                Arg::Number(n) => write!(f, " {name}={n}")?,
                Arg::Message(inner) => write!(f, " {name}=({inner})")?,
            }
        }
        Ok(())
    }
}

/// `msg!("digest-posted", link = url)`: a [`Message`] with named arguments. The id is always a
/// literal, so the localisation test can find every message the code uses and the arguments it
/// passes.
macro_rules! msg {
    ($id:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::message::Message::new($id, vec![$((stringify!($name), $crate::message::Arg::from($value))),*])
    };
}

pub(crate) use msg;
