//! Many members voting and changing their votes at once, on a SQLite file with several
//! connections and, when TEST_POSTGRES_URL names a server, through two store handles (two
//! processes) on one PostgreSQL database: the tally equals each member's last choice, and every
//! change is in the history, nothing lost or doubled.

use std::sync::Arc;

use chrono::Utc;

use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::store::{NewPost, Reservation, Store, VoteSource};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_end_with_each_members_last_choice() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!("sqlite://{}", dir.path().join("votes.db").display())];
    if let Some(admin) = claim_digest::store::testing::postgres_admin_url() {
        urls.push(
            claim_digest::store::testing::scratch_postgres_database(&admin)
                .await
                .unwrap(),
        );
    }
    for url in urls {
        let first = Arc::new(Store::open(&url).await.unwrap());
        // On PostgreSQL a second handle stands for a second process; SQLite has one writer process.
        let second = if url.starts_with("postgres") {
            Arc::new(Store::open(&url).await.unwrap())
        } else {
            first.clone()
        };
        votes_end_with_last_choice(first, second).await;
    }
}

async fn votes_end_with_last_choice(store: Arc<Store>, other: Arc<Store>) {
    let guild = GuildId(1);
    store.ensure_guild(guild, Lang::En, &[], Utc::now()).await.unwrap();
    let new = NewPost {
        guild,
        local_date: "2026-11-28".parse().unwrap(),
        claim_id: "c".into(),
        round: 1,
        question: Question::Stance,
        channel: ChannelId(2),
        nonce: "n".into(),
    };
    let Reservation::Reserved(post) = store.reserve_post(&new, Utc::now()).await.unwrap() else {
        panic!()
    };
    store.mark_post_sent(post.id, MessageId(3), Utc::now()).await.unwrap();

    const MEMBERS: u64 = 60;
    const CHANGES: u64 = 12;
    let choices = [Choice::Agree, Choice::Disagree, Choice::Unsure];
    let mut tasks = Vec::new();
    for member in 0..MEMBERS {
        let store = if member % 2 == 0 { store.clone() } else { other.clone() };
        tasks.push(tokio::spawn(async move {
            let mut last = None;
            for change in 0..CHANGES {
                // Each member walks its own sequence; consecutive choices always differ.
                let choice = choices[((member + change) % 3) as usize];
                store
                    .cast_vote(post.id, UserId(100 + member), choice, VoteSource::Button, Utc::now())
                    .await
                    .unwrap();
                last = Some(choice);
            }
            last.unwrap()
        }));
    }
    let mut expected = std::collections::BTreeMap::new();
    for task in tasks {
        *expected.entry(task.await.unwrap()).or_insert(0u32) += 1;
    }
    let tally = store.post_tally(post.id).await.unwrap();
    assert_eq!(tally.voters(), MEMBERS as u32, "{}", store.backend_name());
    assert_eq!(other.post_tally(post.id).await.unwrap(), tally);
    for choice in choices {
        assert_eq!(
            tally.count(choice),
            expected.get(&choice).copied().unwrap_or(0),
            "{choice}"
        );
    }
    for member in [0, MEMBERS / 2, MEMBERS - 1] {
        assert_eq!(
            store.vote_history_len(post.id, UserId(100 + member)).await.unwrap(),
            CHANGES as u32,
            "every change kept"
        );
    }
}
