//! Machine-readable shapes printed by the command line.

use serde::Serialize;

use crate::domain::claims::Claim;
use crate::domain::digest::Digest;
use crate::domain::lang::Localized;
use crate::render::words;

#[derive(Serialize)]
pub struct DigestJson<'a> {
    pub date: String,
    pub round: u32,
    pub question: &'static str,
    pub claim: ClaimJson<'a>,
    pub news: Vec<NewsJson<'a>>,
}

#[derive(Serialize)]
pub struct ClaimJson<'a> {
    pub id: &'a str,
    pub section: Localized,
    pub kind: &'static str,
    pub deadline: Option<String>,
    pub text: &'a Localized,
}

#[derive(Serialize)]
pub struct NewsJson<'a> {
    pub title: &'a str,
    pub url: Option<&'a str>,
    pub source: &'a str,
    pub published: Option<String>,
    pub score: f64,
}

impl<'a> ClaimJson<'a> {
    pub fn new(claim: &'a Claim) -> Self {
        ClaimJson {
            id: &claim.id,
            section: words::section_in_both(&claim.section),
            kind: claim.kind.as_str(),
            deadline: claim.deadline.map(|d| d.to_string()),
            text: &claim.text,
        }
    }
}

pub fn digest(d: &Digest) -> DigestJson<'_> {
    DigestJson {
        date: d.date.to_string(),
        round: d.round,
        question: d.question().as_str(),
        claim: ClaimJson::new(&d.claim),
        news: d
            .news
            .iter()
            .map(|n| NewsJson {
                title: &n.item.title,
                url: n.item.url.as_deref(),
                source: &n.item.source,
                published: n
                    .item
                    .published
                    .map(|p| p.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                score: n.score,
            })
            .collect(),
    }
}
