use std::process::ExitCode;

use anyhow::Context as _;
use chrono::{NaiveTime, Utc};
use tokio::task::JoinSet;

use crate::config::Config;
use crate::domain::claims::ClaimSet;
use crate::domain::filter::FeedSelection;
use crate::domain::lang::Lang;
use crate::domain::rotation::claim_on_day;
use crate::feeds::{FeedCatalog, FeedSource};
use crate::render;
use crate::services::ingest::IngestOutcome;
use crate::services::App;
use crate::store::Store;

use super::PreviewArgs;

/// Feeds fetched at once by a preview.
const PARALLEL_FETCHES: usize = 6;

pub async fn run(config: Config, args: PreviewArgs) -> anyhow::Result<ExitCode> {
    let claims =
        ClaimSet::load(&config.claims_file).map_err(|e| anyhow::anyhow!("{}:\n{e}", config.claims_file.display()))?;
    let catalog = FeedCatalog::load(&config.feeds_file)?;
    let sources: Vec<(FeedSource, Option<String>)> = if args.sample {
        Vec::new()
    } else if args.feeds.is_empty() {
        catalog
            .feeds
            .iter()
            .map(|f| Ok((FeedSource::parse(&f.url)?, Some(f.name.clone()))))
            .collect::<anyhow::Result<_>>()?
    } else {
        args.feeds
            .iter()
            .map(|f| Ok((FeedSource::parse(f)?, None)))
            .collect::<anyhow::Result<_>>()?
    };
    let date = args.date.unwrap_or_else(|| Utc::now().date_naive());
    let (claim, round) = match &args.claim {
        Some(id) => match claims.get(id.trim()) {
            Some(c) => (c.clone(), 1),
            None => {
                let near = claims.ids_containing(id.trim(), 5);
                let locale = Lang::from(args.lang).into();
                eprintln!("{}", render::terminal::no_such_claim(id.trim(), &near, locale));
                return Ok(ExitCode::from(2));
            }
        },
        None => {
            // The preview's stand-in server has posted every day since the essay came out.
            let pick = claim_on_day(&claims, claims.essay.published, date);
            (pick.claim.clone(), pick.round)
        }
    };
    // The sample never touches the configured database: it lives in memory for this run.
    let url = config.database_url.expose();
    let store = if args.sample {
        Store::in_memory().await?
    } else if crate::store::schema_status(url).await?.will_be_created {
        // A database of the preview's own: no bot runs on it yet.
        Store::open(url).await?
    } else {
        // A bot may be serving from it: its schema is left for the bot to migrate.
        Store::open_current(url).await?
    };
    let app = App::new(config, claims, catalog, store)?;

    let now = Utc::now();
    let mut feed_ids = Vec::new();
    if args.sample {
        feed_ids.push(store_sample(&app, date).await?);
    }
    let mut jobs = JoinSet::new();
    let mut pending = sources.into_iter();
    loop {
        while jobs.len() < PARALLEL_FETCHES {
            let Some((source, name)) = pending.next() else { break };
            let app = app.clone();
            jobs.spawn(async move { app.ingest_for_preview(&source, name.as_deref(), now).await });
        }
        let Some(done) = jobs.join_next().await else { break };
        let report = done??;
        if let IngestOutcome::Failed(why) | IngestOutcome::Disabled(why) = &report.outcome {
            eprintln!(
                "{}",
                render::terminal::feed_unreachable(&report.url, why, Lang::from(args.lang).into())
            );
        }
        feed_ids.push(report.feed);
    }

    // The window ends with the previewed day (UTC). Items never lie in the future: their dates
    // are clamped to when they were seen.
    let until = date
        .checked_add_days(chrono::Days::new(1))
        .with_context(|| format!("--date {date}: input is out of range"))?
        .and_time(NaiveTime::MIN)
        .and_utc();
    // Ranked as the bot ranks: with word counts over the stored news (the sample's own, for it).
    app.count_term_stats().await?;
    let digest = app
        .compose_digest(
            &claim,
            round,
            date,
            &FeedSelection::unfiltered(feed_ids),
            until,
            usize::from(args.news),
        )
        .await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&render::json::digest(&digest))?);
    } else {
        let locale = Lang::from(args.lang).into();
        print!("{}", render::terminal::digest(&digest, locale));
        if args.explain {
            print!("{}", render::terminal::explain(&digest.news, locale));
        }
    }
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The news of `data/sample-news.toml`, shipped inside the binary so that it works from any
/// folder, each item dated its `days_ago` before `date`.
const SAMPLE_NEWS: &str = include_str!("../../data/sample-news.toml");

#[derive(serde::Deserialize)]
struct SampleFile {
    items: Vec<SampleItem>,
}

#[derive(serde::Deserialize)]
struct SampleItem {
    days_ago: u32,
    title: String,
    summary: String,
    link: String,
}

/// Stores the sample news as one feed's items and returns that feed.
async fn store_sample(app: &App, date: chrono::NaiveDate) -> anyhow::Result<crate::domain::ids::FeedId> {
    use crate::domain::news::{item_identity, story_key, NewsItem};
    const SAMPLE_FEED: &str = "https://example.com/sample/feed";
    let file: SampleFile = toml::from_str(SAMPLE_NEWS)?;
    let noon = date
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN))
        .and_utc();
    let items: Vec<NewsItem> = file
        .items
        .into_iter()
        .map(|s| {
            let published = noon
                .checked_sub_signed(chrono::Duration::days(i64::from(s.days_ago)))
                .with_context(|| format!("--date {date}: input is out of range"))?;
            let story = story_key(&s.link);
            Ok(NewsItem {
                identity: item_identity(SAMPLE_FEED, None, story.as_deref(), &s.title, Some(published)),
                story_key: story,
                title: s.title,
                url: Some(s.link),
                summary: s.summary,
                source: render::terminal::sample_source_name(),
                published: Some(published),
                seen_at: published,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    app.store_items_of(SAMPLE_FEED, &items).await
}
