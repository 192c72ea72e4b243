//! Many members voting and changing their votes at once, on a file database with several
//! connections: the tally equals each member's last choice, nothing lost or doubled.

use std::sync::Arc;

use chrono::Utc;

use claim_digest::domain::ids::{ChannelId, GuildId, MessageId, UserId};
use claim_digest::domain::lang::Lang;
use claim_digest::domain::votes::{Choice, Question};
use claim_digest::store::{NewPost, Reservation, Store, VoteSource};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_votes_end_with_each_members_last_choice() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        Store::open(&format!("sqlite://{}", dir.path().join("votes.db").display()))
            .await
            .unwrap(),
    );
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
        let store = store.clone();
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
    assert_eq!(tally.voters(), MEMBERS as u32);
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
