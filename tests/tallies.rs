//! Tallies across rounds, the anchoring rule, verdicts, streaks and the export, through the
//! services with a recording publisher (no Discord needed).

use crate::support;

use std::sync::Mutex;

use chrono::{DateTime, Duration, NaiveTime, Utc};

use claim_digest::config::Config;
use claim_digest::domain::claims::ClaimSet;
use claim_digest::domain::digest::NewsCount;
use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, PostId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::schedule::{local_date, parse_timezone};
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::feeds::FeedCatalog;
use claim_digest::services::poster::{PostView, PublishError, Publisher};
use claim_digest::services::tallies::export_csv;
use claim_digest::services::votes::Ballot;
use claim_digest::services::App;
use claim_digest::store::{GuildUpdate, Store, VoteSource};

#[derive(Default)]
struct Recorder {
    posts: Mutex<Vec<(PostId, String, u32)>>,
}

impl Publisher for Recorder {
    async fn publish(&self, _: ChannelId, view: &PostView<'_>) -> Result<MessageId, PublishError> {
        let mut posts = self.posts.lock().unwrap();
        posts.push((view.post.id, view.digest.claim.id.to_string(), view.digest.round));
        Ok(MessageId(5000 + posts.len() as u64))
    }

    async fn find_existing(&self, _: ChannelId, _: PostId) -> Result<Option<MessageId>, PublishError> {
        Ok(None)
    }
}

const GUILD: GuildId = GuildId(99);

/// The services on a fresh database with one server set up, and a handle on that database.
async fn app(tz: &str, time: &str) -> (App, Store) {
    let config = Config::from_lookup(|_| None).unwrap();
    let claims = ClaimSet::load(&support::repo_file("data/claims.toml")).unwrap();
    let store = Store::in_memory().await.unwrap();
    let app = App::new(config, claims, FeedCatalog::default(), store.clone()).unwrap();
    store.ensure_guild(GUILD, Lang::En, &[], Utc::now()).await.unwrap();
    let update = GuildUpdate {
        channel: ChannelId(1),
        post_time: NaiveTime::parse_from_str(time, "%H:%M").unwrap(),
        timezone: parse_timezone(tz).unwrap(),
        language: Lang::En,
        news_count: NewsCount::default(),
        thread: false,
        moderator_role: None,
        ping_role: None,
        post_days: None,
        recap_day: None,
    };
    store.setup_guild(GUILD, &update).await.unwrap();
    (app, store)
}

async fn vote(app: &App, post: PostId, user: u64, choice: Choice, at: DateTime<Utc>) {
    let ballot = Ballot {
        guild: GUILD,
        post,
        user: UserId(user),
        choice,
        source: VoteSource::Button,
    };
    app.vote(ballot, at).await.unwrap();
}

fn start() -> DateTime<Utc> {
    "2026-01-01T12:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn rounds_change_anchoring_and_export() {
    let (app, store) = app("UTC", "09:00").await;
    let rec = Recorder::default();
    // 51 days: every claim once, then the first claim again in round 2.
    for day in 0..51 {
        app.run_poster_once(&rec, start() + Duration::days(day)).await.unwrap();
    }
    let posts = rec.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 51);
    assert_eq!((posts[0].1.as_str(), posts[0].2), ("o3-on-trend", 1));
    assert_eq!(
        (posts[50].1.as_str(), posts[50].2),
        ("o3-on-trend", 2),
        "a new round starts from the first claim"
    );
    let (round1, round2) = (posts[0].0, posts[50].0);

    // Round 1: 1 agrees, 3 disagree; round 2: 3 agree, 1 disagrees (one member changed their mind).
    for (user, choice) in [
        (1, Choice::Agree),
        (2, Choice::Disagree),
        (3, Choice::Disagree),
        (4, Choice::Disagree),
    ] {
        vote(&app, round1, user, choice, start()).await;
    }
    for (user, choice) in [
        (1, Choice::Agree),
        (2, Choice::Agree),
        (3, Choice::Disagree),
        (4, Choice::Agree),
    ] {
        vote(&app, round2, user, choice, start() + Duration::days(50)).await;
    }
    vote(&app, round2, 4, Choice::Agree, start() + Duration::days(50)).await;

    // Member 1 voted in round 2: sees both rounds and the change (25% → 75%: +50 points).
    let seen = app.claim_rounds(GUILD, "o3-on-trend", Some(UserId(1))).await.unwrap();
    assert!(seen.earlier_rounds_visible);
    assert_eq!(seen.visible().len(), 2);
    assert_eq!(claim_digest::domain::stats::agreement_change(&seen.rounds), Some(50.0));
    assert_eq!(seen.total().count(Choice::Agree), 4);
    // Member 9 has not voted in round 2: only the current round is shown.
    let anchored = app.claim_rounds(GUILD, "o3-on-trend", Some(UserId(9))).await.unwrap();
    assert!(!anchored.earlier_rounds_visible);
    assert_eq!(anchored.visible().iter().map(|r| r.round).collect::<Vec<_>>(), [2]);

    // The export matches the database, per claim and round.
    let rows = app.export(GUILD).await.unwrap();
    let o3: Vec<_> = rows.iter().filter(|r| r.claim == "o3-on-trend").collect();
    assert_eq!(o3.len(), 2);
    assert_eq!(
        (
            o3[0].round,
            o3[0].counts["agree"].as_u64(),
            o3[0].counts["disagree"].as_u64(),
            o3[0].voters
        ),
        (1, Some(1), Some(3), 4)
    );
    assert_eq!(
        (
            o3[1].round,
            o3[1].counts["agree"].as_u64(),
            o3[1].counts["disagree"].as_u64(),
            o3[1].voters
        ),
        (2, Some(3), Some(1), 4)
    );
    for row in &rows {
        let round = store
            .round_tallies(GUILD)
            .await
            .unwrap()
            .into_iter()
            .find(|(c, r)| *c == row.claim && r.round == row.round)
            .unwrap()
            .1;
        assert_eq!(row.voters, round.tally.voters());
    }
    let csv = export_csv(&rows);
    assert!(csv.starts_with("claim,round,date,agree,disagree,unsure,yes,no,early,voters,resolution\n"));
    assert!(csv.contains("\no3-on-trend,1,2026-01-01,1,3,0,0,0,0,4,\n"), "{csv}");
    assert!(csv.contains("\no3-on-trend,2,2026-02-20,3,1,0,0,0,0,4,\n"), "{csv}");
}

#[tokio::test]
async fn verdicts_are_tallied_apart_and_resolutions_show() {
    let (app, store) = app("UTC", "09:00").await;
    let rec = Recorder::default();
    // Post up to math-700-days (the 9th claim) after its deadline: it asks for a verdict.
    let late: DateTime<Utc> = "2026-12-01T12:00:00Z".parse().unwrap();
    for day in 0..9 {
        app.run_poster_once(&rec, late + Duration::days(day)).await.unwrap();
    }
    let (post, claim, _) = rec.posts.lock().unwrap()[8].clone();
    assert_eq!(claim, "math-700-days");
    assert_eq!(
        store.post(post).await.unwrap().unwrap().question,
        claim_digest::domain::votes::Question::Verdict
    );
    vote(&app, post, 1, Choice::Yes, late).await;
    vote(&app, post, 2, Choice::Early, late).await;
    let refused = app
        .vote(
            Ballot {
                guild: GUILD,
                post,
                user: UserId(3),
                choice: Choice::Agree,
                source: VoteSource::Button,
            },
            late,
        )
        .await;
    assert!(refused.is_err(), "agreement buttons do not apply to a verdict post");
    let today = local_date(parse_timezone("UTC").unwrap(), late + Duration::days(9));
    let due = app.due_predictions(GUILD, today).await.unwrap();
    let math = due.iter().find(|(c, _, _)| c.id == "math-700-days").unwrap();
    assert_eq!(
        (
            math.1.count(Choice::Yes),
            math.1.count(Choice::Early),
            math.1.count(Choice::Agree)
        ),
        (1, 1, 0)
    );
    assert!(due.iter().all(|(c, _, _)| c.deadline.unwrap() < today));
    let resolution = claim_digest::domain::claims::Resolution {
        claim_id: "math-700-days".into(),
        outcome: claim_digest::domain::claims::Outcome::Unclear,
        note: "strong results, not yet beyond the best mathematicians".into(),
        resolved_by: UserId(7),
        resolved_at: late,
    };
    store.resolve_claim(GUILD, &resolution).await.unwrap();
    let view = app.claim_rounds(GUILD, "math-700-days", None).await.unwrap();
    assert_eq!(
        view.latest_question,
        Question::Verdict,
        "its latest round asked for a verdict"
    );
    assert_eq!(view.resolution.unwrap().outcome, "unclear");
    match app.claim_tally(GUILD, "no-such-claim", UserId(1)).await {
        Err(claim_digest::error::Error::User(e)) => assert_eq!(e.0.id, "error-no-such-claim"),
        other => panic!("an unknown claim is refused: {other:?}"),
    }
    let (claim, rounds) = app.claim_tally(GUILD, " math-700-days ", UserId(1)).await.unwrap();
    assert_eq!(
        (claim.id.as_str(), rounds.rounds.len()),
        ("math-700-days", view.rounds.len())
    );
    let rows = app.export(GUILD).await.unwrap();
    let row = rows.iter().find(|r| r.claim == "math-700-days").unwrap();
    assert_eq!(
        (
            row.counts["yes"].as_u64(),
            row.counts["early"].as_u64(),
            row.resolution.map(|o| o.as_str())
        ),
        (Some(1), Some(1), Some("unclear"))
    );
}

#[tokio::test]
async fn streaks_follow_the_servers_days_in_its_time_zone() {
    // 00:30 in Tokyo is 15:30 UTC the day before: the server's dates are Tokyo's.
    let (app, store) = app("Asia/Tokyo", "00:30").await;
    let rec = Recorder::default();
    let first: DateTime<Utc> = "2025-03-01T15:30:00Z".parse().unwrap();
    for day in 0..6 {
        app.run_poster_once(&rec, first + Duration::days(day)).await.unwrap();
    }
    let posts: Vec<PostId> = rec.posts.lock().unwrap().iter().map(|p| p.0).collect();
    assert_eq!(posts.len(), 6);
    let dates: Vec<String> = store
        .round_tallies(GUILD)
        .await
        .unwrap()
        .iter()
        .map(|(_, r)| r.date.to_string())
        .collect();
    assert_eq!(dates[0], "2025-03-02", "Tokyo's date, not UTC's");
    // Member 1 votes on posts 1-3 and 5-6 (skips 4); member 2 only on post 6, today's.
    for i in [0, 1, 2, 4, 5] {
        vote(&app, posts[i], 1, Choice::Agree, first).await;
    }
    vote(&app, posts[5], 2, Choice::Disagree, first).await;
    vote(&app, posts[0], 3, Choice::Agree, first).await;
    let now = first + Duration::days(5) + Duration::hours(1);
    let today = local_date(parse_timezone("Asia/Tokyo").unwrap(), now);
    let one = app.member_record(GUILD, UserId(1), today).await.unwrap();
    assert_eq!((one.votes, one.current_streak, one.longest_streak), (5, 2, 3));
    // Post 1: agree 2 of 2 (majority agree: member 1 sided with it); post 6: 1-1 tie, no majority.
    assert_eq!(one.with_majority, (4, 4));
    // Member 3 voted only on the first post: the streak is broken, today's post not yet voted.
    let three = app.member_record(GUILD, UserId(3), today).await.unwrap();
    assert_eq!((three.current_streak, three.longest_streak), (0, 1));
    // Member 2 has not voted on earlier posts, but today's still open post does not break theirs.
    let two = app.member_record(GUILD, UserId(2), today).await.unwrap();
    assert_eq!((two.current_streak, two.longest_streak), (1, 1));

    let board = app.leaderboard(GUILD, today).await.unwrap();
    assert_eq!(board.iter().map(|s| s.user.0).collect::<Vec<_>>(), [1, 2, 3]);
    store.set_hidden(GUILD, UserId(1), true).await.unwrap();
    let board = app.leaderboard(GUILD, today).await.unwrap();
    assert_eq!(
        board.iter().map(|s| s.user.0).collect::<Vec<_>>(),
        [2, 3],
        "hidden members are left out"
    );
    assert!(app.member_record(GUILD, UserId(1), today).await.unwrap().hidden);
}
