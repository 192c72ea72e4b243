//! `claim-digest feed check`: fetch or read each input, find its feed when it is a web page,
//! parse it and print what a server would get. Exit 1 if any input gives no single feed.

use std::process::ExitCode;

use chrono::Utc;
use serde::Serialize;

use crate::config::Config;
use crate::domain::lang::Lang;
use crate::feeds::discover::{locate_feed, Found, LocateError, Located, ParseInline};
use crate::feeds::{FeedClient, FeedSource};
use crate::render::operations;

#[derive(Serialize)]
struct CheckLine {
    input: String,
    ok: bool,
    error: Option<String>,
    /// The feed's own address: the input, or the feed the input's page led to.
    feed_url: Option<String>,
    /// `given`, `linked` (the page names it) or `usual-path` (found at /feed and the like).
    found: Option<&'static str>,
    /// The feeds a page names when it names several.
    choices: Vec<String>,
    title: Option<String>,
    link: Option<String>,
    updated: Option<String>,
    items: Vec<CheckItem>,
}

#[derive(Serialize)]
struct CheckItem {
    id: String,
    title: String,
    url: Option<String>,
    published: Option<String>,
}

pub async fn run(config: Config, inputs: Vec<String>, json: bool, lang: Lang) -> anyhow::Result<ExitCode> {
    let client = FeedClient::new(config.fetch_limits.clone(), config.feed_address_policy())?
        .paced(config.feed_host_rate, crate::services::HOST_WAIT);
    let mut all_ok = true;
    for input in inputs {
        let result = check(&client, &input).await;
        all_ok &= matches!(result, Ok(Located::Feed { .. }));
        if json {
            println!("{}", serde_json::to_string(&line(&input, &result))?);
        } else {
            print!("{}", operations::feed_check(&input, &result, lang.into()));
        }
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn check(client: &FeedClient, input: &str) -> Result<Located, LocateError> {
    let source = FeedSource::parse(input).map_err(LocateError::Fetch)?;
    let parse = ParseInline {
        now: Utc::now(),
        max_items: client.limits().max_items,
    };
    locate_feed(client, &source, &parse).await
}

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn line(input: &str, result: &Result<Located, LocateError>) -> CheckLine {
    let mut line = CheckLine {
        input: input.to_string(),
        ok: false,
        error: None,
        feed_url: None,
        found: None,
        choices: Vec::new(),
        title: None,
        link: None,
        updated: None,
        items: Vec::new(),
    };
    match result {
        Err(e) => line.error = Some(e.to_string()),
        Ok(Located::Several { links, .. }) => {
            line.error = Some(format!("the page names {} feeds; check the one you want", links.len()));
            line.choices = links.iter().map(|l| l.url.to_string()).collect();
        }
        Ok(Located::Feed { url, feed, found }) => {
            line.ok = true;
            line.feed_url = Some(url.clone());
            line.found = Some(match found {
                Found::Given => "given",
                Found::Linked { .. } => "linked",
                Found::UsualPath { .. } => "usual-path",
            });
            line.title = feed.title.clone();
            line.link = feed.link.clone();
            line.updated = feed.updated.map(rfc3339);
            line.items = feed
                .items
                .iter()
                .map(|i| CheckItem {
                    id: i.identity.clone(),
                    title: i.title.clone(),
                    url: i.url.clone(),
                    published: i.published.map(rfc3339),
                })
                .collect();
        }
    }
    line
}
