//! Failure reasons as messages: the words for a feed's failure and a delivery's, in the reader's
//! language (`reasons.ftl`). Foreign text (a parser's message, Discord's) is an untrusted
//! argument, bounded here and escaped by each renderer.

use crate::domain::records::{AddressProblem, DeliveryFailure, FeedFailure};
use crate::domain::text::truncate_chars;
use crate::domain::views::LocateFailure;
use crate::message::{msg, Arg, Message};

/// The longest piece of foreign text a reason quotes.
const DETAIL_CHARS: usize = 200;

fn detail(text: &str) -> Arg {
    Arg::untrusted(truncate_chars(text.trim(), DETAIL_CHARS))
}

pub fn feed_failure(failure: &FeedFailure) -> Message {
    match failure {
        FeedFailure::HttpStatus { code } if (500..600).contains(code) => {
            msg!("reason-http-server-error", code = *code)
        }
        FeedFailure::HttpStatus { code } => msg!("reason-http-status", code = *code),
        FeedFailure::ConnectTimeout { seconds } => msg!("reason-connect-timeout", seconds = *seconds),
        FeedFailure::Timeout { seconds } => msg!("reason-timeout", seconds = *seconds),
        FeedFailure::ConnectionRefused => msg!("reason-connection-refused"),
        FeedFailure::ConnectFailed { detail: d } => msg!("reason-connect-failed", detail = detail(d)),
        FeedFailure::Network { detail: d } => msg!("reason-network", detail = detail(d)),
        FeedFailure::TooManyRedirects { limit } => msg!("reason-too-many-redirects", limit = *limit),
        FeedFailure::TooLarge { limit_bytes } => {
            let mib = *limit_bytes as f64 / (1024.0 * 1024.0);
            msg!("reason-too-large", mib = format!("{mib:.1}"))
        }
        FeedFailure::RefusedAddress { address, always: true } => {
            msg!("reason-refused-always", address = detail(address))
        }
        FeedFailure::RefusedAddress { address, always: false } => {
            msg!("reason-refused-private", address = detail(address))
        }
        FeedFailure::BadAddress(problem) => address_problem(problem),
        FeedFailure::UnsupportedScheme { scheme } => msg!("reason-unsupported-scheme", scheme = detail(scheme)),
        FeedFailure::HostBusy { seconds } => msg!("reason-host-busy", seconds = *seconds),
        FeedFailure::File { detail: d } => msg!("reason-file", detail = detail(d)),
        FeedFailure::NotAFeed { detail: d } => msg!("reason-not-a-feed", detail = detail(d)),
        FeedFailure::ParserCrashed { detail: d } => msg!("reason-parser-crashed", detail = detail(d)),
        FeedFailure::Other(text) => msg!("reason-other", detail = detail(text)),
    }
}

/// What is wrong with an address, so that the person can mend it.
pub fn address_problem(problem: &AddressProblem) -> Message {
    match problem {
        AddressProblem::Empty => msg!("reason-address-empty"),
        AddressProblem::NoScheme { suggestion: Some(url) } => {
            msg!("reason-address-no-scheme-guess", suggestion = detail(url))
        }
        AddressProblem::NoScheme { suggestion: None } => msg!("reason-address-no-scheme"),
        AddressProblem::NoHost => msg!("reason-address-no-host"),
        AddressProblem::BadHost => msg!("reason-address-bad-host"),
        AddressProblem::BadPort => msg!("reason-address-bad-port"),
        AddressProblem::BadRedirect { location } => {
            msg!("reason-address-bad-redirect", location = detail(location))
        }
        AddressProblem::Unreadable => msg!("reason-bad-address"),
    }
}

/// Why no feed was found at an address a moderator gave.
pub fn locate_failure(failure: &LocateFailure) -> Message {
    match failure {
        LocateFailure::Feed(failure) => feed_failure(failure),
        LocateFailure::NotModified => msg!("reason-not-modified"),
        LocateFailure::NoFeedOnPage => msg!("reason-no-feed-on-page"),
        LocateFailure::LinkedNotUsable { url, why } => {
            msg!("reason-linked-not-usable", url = detail(url), why = feed_failure(why))
        }
    }
}

pub fn delivery_failure(failure: &DeliveryFailure) -> Message {
    match failure {
        DeliveryFailure::MissingPermissions => msg!("reason-missing-permissions"),
        DeliveryFailure::MissingAccess => msg!("reason-missing-access"),
        DeliveryFailure::UnknownChannel => msg!("reason-unknown-channel"),
        DeliveryFailure::Refused { status, message, .. } => {
            msg!("reason-discord-refused", status = *status, detail = detail(message))
        }
        DeliveryFailure::Other(text) => msg!("reason-other", detail = detail(text)),
    }
}
