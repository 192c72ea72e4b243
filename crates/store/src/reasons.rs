//! How failure reasons are kept in their text columns (`feeds.last_error`,
//! `feeds.disabled_reason`, `guilds.broken_reason`): a small JSON object, `{"v":1,"kind":…}`
//! plus the kind's fields. JSON because the details are foreign text (a parser's message,
//! Discord's) with any character in it, which JSON escapes without rules of our own; the `kind`
//! names below are the stored contract, apart from the Rust names, and `v` leaves room for a
//! later change. A value that is not such an object is free text from an older version (or an
//! encoding this version does not know) and reads back as `Other`, shown as it is.

use claim_digest_domain::records::{AddressProblem, DeliveryFailure, FeedFailure};
use serde::{Deserialize, Serialize};

/// The encoding's version; a kind whose fields change gets a new name or a new version.
const VERSION: u8 = 1;

#[derive(Serialize, Deserialize)]
struct Stored<K> {
    v: u8,
    #[serde(flatten)]
    kind: K,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum StoredFeed {
    HttpStatus {
        code: u16,
    },
    ConnectTimeout {
        seconds: u64,
    },
    Timeout {
        seconds: u64,
    },
    ConnectionRefused,
    ConnectFailed {
        detail: String,
    },
    Network {
        detail: String,
    },
    TooManyRedirects {
        limit: u32,
    },
    TooLarge {
        limit_bytes: u64,
    },
    RefusedAddress {
        address: String,
        always: bool,
    },
    /// `problem` is absent in rows stored before it was kept; they read back as `Unreadable`.
    BadAddress {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        problem: Option<StoredAddressProblem>,
    },
    UnsupportedScheme {
        scheme: String,
    },
    HostBusy {
        seconds: u64,
    },
    File {
        detail: String,
    },
    NotAFeed {
        detail: String,
    },
    ParserCrashed {
        detail: String,
    },
    Other {
        text: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "kebab-case")]
enum StoredAddressProblem {
    Empty,
    NoScheme {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    NoHost,
    BadHost,
    BadPort,
    BadRedirect {
        location: String,
    },
    /// A problem a later version names: read as a bad address, not as the whole row unread.
    #[serde(other)]
    Unknown,
}

impl StoredAddressProblem {
    fn of(problem: AddressProblem) -> Option<StoredAddressProblem> {
        Some(match problem {
            AddressProblem::Empty => StoredAddressProblem::Empty,
            AddressProblem::NoScheme { suggestion } => StoredAddressProblem::NoScheme { suggestion },
            AddressProblem::NoHost => StoredAddressProblem::NoHost,
            AddressProblem::BadHost => StoredAddressProblem::BadHost,
            AddressProblem::BadPort => StoredAddressProblem::BadPort,
            AddressProblem::BadRedirect { location } => StoredAddressProblem::BadRedirect { location },
            AddressProblem::Unreadable => return None,
        })
    }

    fn read(stored: Option<StoredAddressProblem>) -> AddressProblem {
        match stored {
            None => AddressProblem::Unreadable,
            Some(StoredAddressProblem::Empty) => AddressProblem::Empty,
            Some(StoredAddressProblem::NoScheme { suggestion }) => AddressProblem::NoScheme { suggestion },
            Some(StoredAddressProblem::NoHost) => AddressProblem::NoHost,
            Some(StoredAddressProblem::BadHost) => AddressProblem::BadHost,
            Some(StoredAddressProblem::BadPort) => AddressProblem::BadPort,
            Some(StoredAddressProblem::BadRedirect { location }) => AddressProblem::BadRedirect { location },
            Some(StoredAddressProblem::Unknown) => AddressProblem::Unreadable,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum StoredDelivery {
    MissingPermissions,
    MissingAccess,
    UnknownChannel,
    Refused {
        status: u16,
        code: Option<u32>,
        message: String,
    },
    Other {
        text: String,
    },
}

fn encode<K: Serialize>(kind: K) -> String {
    serde_json::to_string(&Stored { v: VERSION, kind }).expect("a reason always serialises")
}

fn decode<K: for<'de> Deserialize<'de>>(raw: &str) -> Option<K> {
    // Free text never starts with `{`; skipping the parse keeps old rows cheap to read.
    if !raw.trim_start().starts_with('{') {
        return None;
    }
    serde_json::from_str::<Stored<K>>(raw)
        .ok()
        .filter(|stored| stored.v == VERSION)
        .map(|stored| stored.kind)
}

pub fn encode_feed_failure(failure: &FeedFailure) -> String {
    let failure = failure.clone();
    encode(match failure {
        FeedFailure::HttpStatus { code } => StoredFeed::HttpStatus { code },
        FeedFailure::ConnectTimeout { seconds } => StoredFeed::ConnectTimeout { seconds },
        FeedFailure::Timeout { seconds } => StoredFeed::Timeout { seconds },
        FeedFailure::ConnectionRefused => StoredFeed::ConnectionRefused,
        FeedFailure::ConnectFailed { detail } => StoredFeed::ConnectFailed { detail },
        FeedFailure::Network { detail } => StoredFeed::Network { detail },
        FeedFailure::TooManyRedirects { limit } => StoredFeed::TooManyRedirects { limit },
        FeedFailure::TooLarge { limit_bytes } => StoredFeed::TooLarge { limit_bytes },
        FeedFailure::RefusedAddress { address, always } => StoredFeed::RefusedAddress { address, always },
        FeedFailure::BadAddress(problem) => StoredFeed::BadAddress {
            problem: StoredAddressProblem::of(problem),
        },
        FeedFailure::UnsupportedScheme { scheme } => StoredFeed::UnsupportedScheme { scheme },
        FeedFailure::HostBusy { seconds } => StoredFeed::HostBusy { seconds },
        FeedFailure::File { detail } => StoredFeed::File { detail },
        FeedFailure::NotAFeed { detail } => StoredFeed::NotAFeed { detail },
        FeedFailure::ParserCrashed { detail } => StoredFeed::ParserCrashed { detail },
        FeedFailure::Other(text) => StoredFeed::Other { text },
    })
}

pub fn decode_feed_failure(raw: &str) -> FeedFailure {
    let Some(stored) = decode::<StoredFeed>(raw) else {
        return FeedFailure::Other(raw.to_string());
    };
    match stored {
        StoredFeed::HttpStatus { code } => FeedFailure::HttpStatus { code },
        StoredFeed::ConnectTimeout { seconds } => FeedFailure::ConnectTimeout { seconds },
        StoredFeed::Timeout { seconds } => FeedFailure::Timeout { seconds },
        StoredFeed::ConnectionRefused => FeedFailure::ConnectionRefused,
        StoredFeed::ConnectFailed { detail } => FeedFailure::ConnectFailed { detail },
        StoredFeed::Network { detail } => FeedFailure::Network { detail },
        StoredFeed::TooManyRedirects { limit } => FeedFailure::TooManyRedirects { limit },
        StoredFeed::TooLarge { limit_bytes } => FeedFailure::TooLarge { limit_bytes },
        StoredFeed::RefusedAddress { address, always } => FeedFailure::RefusedAddress { address, always },
        StoredFeed::BadAddress { problem } => FeedFailure::BadAddress(StoredAddressProblem::read(problem)),
        StoredFeed::UnsupportedScheme { scheme } => FeedFailure::UnsupportedScheme { scheme },
        StoredFeed::HostBusy { seconds } => FeedFailure::HostBusy { seconds },
        StoredFeed::File { detail } => FeedFailure::File { detail },
        StoredFeed::NotAFeed { detail } => FeedFailure::NotAFeed { detail },
        StoredFeed::ParserCrashed { detail } => FeedFailure::ParserCrashed { detail },
        StoredFeed::Other { text } => FeedFailure::Other(text),
    }
}

pub fn encode_delivery_failure(failure: &DeliveryFailure) -> String {
    encode(match failure.clone() {
        DeliveryFailure::MissingPermissions => StoredDelivery::MissingPermissions,
        DeliveryFailure::MissingAccess => StoredDelivery::MissingAccess,
        DeliveryFailure::UnknownChannel => StoredDelivery::UnknownChannel,
        DeliveryFailure::Refused { status, code, message } => StoredDelivery::Refused { status, code, message },
        DeliveryFailure::Other(text) => StoredDelivery::Other { text },
    })
}

pub fn decode_delivery_failure(raw: &str) -> DeliveryFailure {
    match decode::<StoredDelivery>(raw) {
        None => DeliveryFailure::Other(raw.to_string()),
        Some(StoredDelivery::MissingPermissions) => DeliveryFailure::MissingPermissions,
        Some(StoredDelivery::MissingAccess) => DeliveryFailure::MissingAccess,
        Some(StoredDelivery::UnknownChannel) => DeliveryFailure::UnknownChannel,
        Some(StoredDelivery::Refused { status, code, message }) => DeliveryFailure::Refused { status, code, message },
        Some(StoredDelivery::Other { text }) => DeliveryFailure::Other(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_feed_failure() -> Vec<FeedFailure> {
        let detail = || "line 1: `<html>` \"quoted\" {brace} @everyone 中文".to_string();
        vec![
            FeedFailure::HttpStatus { code: 404 },
            FeedFailure::ConnectTimeout { seconds: 5 },
            FeedFailure::Timeout { seconds: 20 },
            FeedFailure::ConnectionRefused,
            FeedFailure::ConnectFailed { detail: detail() },
            FeedFailure::Network { detail: detail() },
            FeedFailure::TooManyRedirects { limit: 5 },
            FeedFailure::TooLarge {
                limit_bytes: 5 * 1024 * 1024,
            },
            FeedFailure::RefusedAddress {
                address: "10.0.0.1".into(),
                always: false,
            },
            FeedFailure::RefusedAddress {
                address: "metadata.google.internal".into(),
                always: true,
            },
            FeedFailure::BadAddress(AddressProblem::Unreadable),
            FeedFailure::BadAddress(AddressProblem::Empty),
            FeedFailure::BadAddress(AddressProblem::NoScheme {
                suggestion: Some("https://example.com/feed?q=\"{}\"".into()),
            }),
            FeedFailure::BadAddress(AddressProblem::NoScheme { suggestion: None }),
            FeedFailure::BadAddress(AddressProblem::NoHost),
            FeedFailure::BadAddress(AddressProblem::BadHost),
            FeedFailure::BadAddress(AddressProblem::BadPort),
            FeedFailure::BadAddress(AddressProblem::BadRedirect { location: detail() }),
            FeedFailure::UnsupportedScheme {
                scheme: "gopher".into(),
            },
            FeedFailure::HostBusy { seconds: 3 },
            FeedFailure::File { detail: detail() },
            FeedFailure::NotAFeed { detail: detail() },
            FeedFailure::ParserCrashed { detail: detail() },
            FeedFailure::Other("HTTP status: the server answered HTTP 404".into()),
            FeedFailure::Other("{\"v\":1,\"kind\":\"timeout\",\"seconds\":3}".into()),
        ]
    }

    #[test]
    fn every_feed_failure_round_trips() {
        for failure in every_feed_failure() {
            let stored = encode_feed_failure(&failure);
            assert!(stored.starts_with("{\"v\":1,\"kind\":"), "{stored}");
            assert_eq!(decode_feed_failure(&stored), failure, "{stored}");
        }
    }

    #[test]
    fn every_delivery_failure_round_trips() {
        for failure in [
            DeliveryFailure::MissingPermissions,
            DeliveryFailure::MissingAccess,
            DeliveryFailure::UnknownChannel,
            DeliveryFailure::Refused {
                status: 403,
                code: Some(50_007),
                message: "Cannot send messages to this user @here".into(),
            },
            DeliveryFailure::Refused {
                status: 404,
                code: None,
                message: "no message".into(),
            },
            DeliveryFailure::Other("Discord answered 403 when posting".into()),
        ] {
            let stored = encode_delivery_failure(&failure);
            assert_eq!(decode_delivery_failure(&stored), failure, "{stored}");
        }
    }

    #[test]
    fn the_stored_form_is_stable() {
        // Rows written by this version are read by later ones: these strings must not change.
        assert_eq!(
            encode_feed_failure(&FeedFailure::HttpStatus { code: 404 }),
            r#"{"v":1,"kind":"http-status","code":404}"#
        );
        assert_eq!(
            encode_delivery_failure(&DeliveryFailure::MissingPermissions),
            r#"{"v":1,"kind":"missing-permissions"}"#
        );
        assert_eq!(
            decode_feed_failure(r#"{"v":1,"kind":"timeout","seconds":20}"#),
            FeedFailure::Timeout { seconds: 20 }
        );
        assert_eq!(
            encode_feed_failure(&FeedFailure::BadAddress(AddressProblem::NoScheme {
                suggestion: Some("https://example.com/feed".into())
            })),
            r#"{"v":1,"kind":"bad-address","problem":{"what":"no-scheme","suggestion":"https://example.com/feed"}}"#
        );
        // Before the problem was kept, a bad address was stored without one.
        assert_eq!(
            decode_feed_failure(r#"{"v":1,"kind":"bad-address"}"#),
            FeedFailure::BadAddress(AddressProblem::Unreadable)
        );
        assert_eq!(
            encode_feed_failure(&FeedFailure::BadAddress(AddressProblem::Unreadable)),
            r#"{"v":1,"kind":"bad-address"}"#
        );
        assert_eq!(
            decode_feed_failure(r#"{"v":1,"kind":"bad-address","problem":{"what":"a-later-kind","x":1}}"#),
            FeedFailure::BadAddress(AddressProblem::Unreadable)
        );
    }

    #[test]
    fn free_text_of_older_versions_and_unknown_encodings_read_as_other() {
        for raw in [
            "HTTP status: the server answered HTTP 404",
            "not a feed: not a feed: unexpected end of file",
            "",
            "{not json",
            r#"{"v":2,"kind":"http-status","code":404}"#,
            r#"{"v":1,"kind":"dns-failure","host":"x.example"}"#,
        ] {
            assert_eq!(decode_feed_failure(raw), FeedFailure::Other(raw.into()), "{raw}");
        }
        let old = "Discord answered 403 when posting: the channel is gone or the bot may not post there";
        assert_eq!(decode_delivery_failure(old), DeliveryFailure::Other(old.into()));
    }
}
