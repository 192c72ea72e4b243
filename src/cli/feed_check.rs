use std::process::ExitCode;

use chrono::Utc;
use serde::Serialize;

use crate::config::Config;
use crate::feeds::fetch::Fetched;
use crate::feeds::{parse_feed, FeedClient, FeedSource};

#[derive(Serialize)]
struct CheckLine {
    input: String,
    ok: bool,
    error: Option<String>,
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

pub async fn run(config: Config, inputs: Vec<String>, json: bool) -> anyhow::Result<ExitCode> {
    let client = FeedClient::new(config.fetch_limits.clone(), config.feed_address_policy())?
        .paced(config.feed_host_rate, crate::services::HOST_WAIT);
    let mut all_ok = true;
    for input in inputs {
        let line = check(&client, &input).await;
        all_ok &= line.ok;
        if json {
            println!("{}", serde_json::to_string(&line)?);
        } else {
            print_text(&line);
        }
    }
    Ok(if all_ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn check(client: &FeedClient, input: &str) -> CheckLine {
    let failed = |error: String| CheckLine {
        input: input.to_string(),
        ok: false,
        error: Some(error),
        title: None,
        link: None,
        updated: None,
        items: Vec::new(),
    };
    let source = match FeedSource::parse(input) {
        Ok(s) => s,
        Err(e) => return failed(e.to_string()),
    };
    let (final_url, bytes) = match client.fetch(&source, None).await {
        Ok(Fetched::Body { final_url, bytes, .. }) => (final_url, bytes),
        Ok(Fetched::NotModified { .. }) => {
            return failed("the server answered 304 Not Modified to an unconditional request".into())
        }
        Err(e) => return failed(e.to_string()),
    };
    match parse_feed(&bytes, &final_url, None, Utc::now(), client.limits().max_items) {
        Ok(feed) => CheckLine {
            input: input.to_string(),
            ok: true,
            error: None,
            title: feed.title,
            link: feed.link,
            updated: feed
                .updated
                .map(|p| p.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            items: feed
                .items
                .into_iter()
                .map(|i| CheckItem {
                    id: i.identity,
                    title: i.title,
                    url: i.url,
                    published: i
                        .published
                        .map(|p| p.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                })
                .collect(),
        },
        Err(e) => failed(e.to_string()),
    }
}

fn print_text(line: &CheckLine) {
    if !line.ok {
        println!("✗ {}: {}", line.input, line.error.as_deref().unwrap_or("failed"));
        return;
    }
    println!(
        "✓ {}: {} ({} items)",
        line.input,
        line.title.as_deref().unwrap_or("(untitled)"),
        line.items.len()
    );
    for item in &line.items {
        let date = item.published.as_deref().map(|d| &d[..10]).unwrap_or("          ");
        println!("    {date}  {}", item.title);
    }
}
