//! Items' vectors for semantic matching, kept with the items (`item_vectors`). An item is found by
//! the moment it happened and its identity: both are in every item the store hands out, and the
//! items' index by time finds the few rows of one moment.

use std::collections::HashMap;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use claim_digest_domain::news::NewsItem;

use super::items::{item_from_row, ItemRow};
use super::{ts, with_db, with_tx, Backend, Store};

const VECTORS_OF_SQLITE: &str = "SELECT i.identity, v.vector FROM json_each($2) k \
     CROSS JOIN items i ON i.happened_at = k.value ->> 0 AND i.identity = k.value ->> 1 \
     JOIN item_vectors v ON v.item_id = i.id WHERE v.model = $1";

const VECTORS_OF_POSTGRES: &str = "SELECT i.identity, v.vector FROM json_array_elements($2::json) k \
     JOIN items i ON i.happened_at = k ->> 0 AND i.identity = k ->> 1 \
     JOIN item_vectors v ON v.item_id = i.id WHERE v.model = $1";

impl Store {
    /// The vectors `model` made for those of `items` that have one, by identity. A vector made by
    /// another model is not returned: to this model the item is not embedded yet.
    pub async fn item_vectors(&self, model: &str, items: &[NewsItem]) -> anyhow::Result<HashMap<String, Vec<f32>>> {
        if items.is_empty() {
            return Ok(HashMap::new());
        }
        let keys: Vec<(String, &str)> = items.iter().map(|i| (ts(i.when()), i.identity.as_str())).collect();
        let keys = serde_json::to_string(&keys)?;
        let sql = match self.backend {
            Backend::Sqlite(_) => VECTORS_OF_SQLITE,
            Backend::Postgres(_) => VECTORS_OF_POSTGRES,
        };
        let rows: Vec<(String, Vec<u8>)> = with_db!(self, db => sqlx::query_as(sql)
            .bind(model)
            .bind(&keys)
            .fetch_all(db)
            .await)
        .context("reading the items' vectors")?;
        Ok(rows
            .into_iter()
            .map(|(identity, bytes)| (identity, from_bytes(&bytes)))
            .collect())
    }

    /// Keeps each item's vector as made by `model`, beside those other models made, replacing
    /// this model's earlier one. An item no longer stored (pruned meanwhile, or never stored) is
    /// passed over. One transaction.
    pub async fn put_item_vectors(&self, model: &str, vectors: &[(&NewsItem, &[f32])]) -> anyhow::Result<()> {
        if vectors.is_empty() {
            return Ok(());
        }
        // Rows are written in one order whoever writes them (the embedder newest first, a ranking
        // in window order): two PostgreSQL processes storing overlapping items then wait for each
        // other instead of deadlocking.
        let mut vectors = vectors.to_vec();
        vectors.sort_by(|a, b| (a.0.when(), &a.0.identity).cmp(&(b.0.when(), &b.0.identity)));
        let mut tx = self.write_tx().await?;
        for (item, vector) in vectors {
            with_tx!(tx, conn => sqlx::query(
                "INSERT INTO item_vectors (item_id, model, vector) \
                 SELECT id, $1, $2 FROM items WHERE happened_at = $3 AND identity = $4 \
                 ON CONFLICT (item_id, model) DO UPDATE SET vector = excluded.vector",
            )
            .bind(model)
            .bind(to_bytes(vector))
            .bind(ts(item.when()))
            .bind(&item.identity)
            .execute(&mut *conn)
            .await
            .map(|_| ()))
            .context("storing the items' vectors")?;
        }
        tx.commit().await
    }

    /// Deletes the vectors, of every model, of items that happened before `before`, the items
    /// themselves staying: a vector serves rankings of the news window only, while items are kept
    /// far longer (ITEM_RETENTION_DAYS). The items are found by a read over the vectors (kept to
    /// about a window's worth by these passes, so far fewer rows than the old items), and their
    /// rows deleted `batch` items at a time: the write lock is held for the deletes alone. Says
    /// how many rows went.
    pub async fn prune_item_vectors(&self, before: DateTime<Utc>, batch: u32) -> anyhow::Result<u64> {
        let delete = match self.backend {
            Backend::Sqlite(_) => "DELETE FROM item_vectors WHERE item_id IN (SELECT value FROM json_each($1))",
            Backend::Postgres(_) => {
                "DELETE FROM item_vectors WHERE item_id IN (SELECT value::bigint FROM json_array_elements_text($1::json))"
            }
        };
        let mut deleted = 0;
        loop {
            let ids: Vec<i64> = with_db!(self, db => sqlx::query_scalar(
                "SELECT DISTINCT v.item_id FROM item_vectors v JOIN items i ON i.id = v.item_id \
                 WHERE i.happened_at < $1 LIMIT $2",
            )
            .bind(ts(before))
            .bind(i64::from(batch))
            .fetch_all(db)
            .await)
            .context("finding old items' vectors")?;
            if ids.is_empty() {
                return Ok(deleted);
            }
            let ids = serde_json::to_string(&ids)?;
            let _writer = self.write_slot().await;
            deleted += with_db!(self, db => sqlx::query(delete)
                .bind(&ids)
                .execute(db)
                .await
                .map(|done| done.rows_affected()))
            .context("pruning old items' vectors")?;
        }
    }

    /// What `model` answered for the fixed probe text when it was last recorded.
    pub async fn model_probe(&self, model: &str) -> anyhow::Result<Option<Vec<f32>>> {
        let probe: Option<Vec<u8>> = with_db!(self, db => sqlx::query_scalar(
            "SELECT probe FROM embedding_models WHERE name = $1",
        )
        .bind(model)
        .fetch_optional(db)
        .await)
        .context("reading the model's probe")?;
        Ok(probe.map(|bytes| from_bytes(&bytes)))
    }

    /// Records what `model` answers for the probe text now, replacing what it answered before.
    pub async fn set_model_probe(&self, model: &str, probe: &[f32]) -> anyhow::Result<()> {
        let _writer = self.write_slot().await;
        with_db!(self, db => sqlx::query(
            "INSERT INTO embedding_models (name, probe) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET probe = excluded.probe",
        )
        .bind(model)
        .bind(to_bytes(probe))
        .execute(db)
        .await
        .map(|_| ()))
        .context("recording the model's probe")
    }

    /// Deletes every vector stored under `model`, `batch` items at a time (short write locks), and
    /// says how many went: the name's model changed, and they are another model's now.
    pub async fn forget_model_vectors(&self, model: &str, batch: u32) -> anyhow::Result<u64> {
        let mut deleted = 0;
        loop {
            let _writer = self.write_slot().await;
            let done = with_db!(self, db => sqlx::query(
                "DELETE FROM item_vectors WHERE model = $1 AND item_id IN \
                   (SELECT item_id FROM item_vectors WHERE model = $1 LIMIT $2)",
            )
            .bind(model)
            .bind(i64::from(batch))
            .execute(db)
            .await
            .map(|done| done.rows_affected()))
            .context("deleting the model's vectors")?;
            if done == 0 {
                return Ok(deleted);
            }
            deleted += done;
        }
    }

    /// Up to `limit` items that happened since `since` and have no vector by `model`, newest
    /// first: what the embedder does next.
    pub async fn items_without_vector(
        &self,
        model: &str,
        since: DateTime<Utc>,
        limit: u32,
    ) -> anyhow::Result<Vec<NewsItem>> {
        let rows: Vec<ItemRow> = with_db!(self, db => sqlx::query_as(
            "SELECT identity, story_key, source, title, url, summary, published_at, seen_at FROM items i \
             WHERE happened_at >= $2 \
               AND NOT EXISTS (SELECT 1 FROM item_vectors v WHERE v.item_id = i.id AND v.model = $1) \
             ORDER BY happened_at DESC, id DESC LIMIT $3",
        )
        .bind(model)
        .bind(ts(since))
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)
        .context("listing the items to embed")?;
        rows.into_iter().map(item_from_row).collect()
    }
}

fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(bytes: &[u8]) -> Vec<f32> {
    // The schema keeps the length a multiple of four.
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone, Utc};
    use claim_digest_domain::news::NewsItem;

    use super::with_db;
    use crate::Store;

    #[tokio::test]
    async fn vectors_are_kept_per_model_and_go_with_their_items() {
        for store in crate::testing::stores().await {
            per_model(store).await;
        }
    }

    fn items(at: chrono::DateTime<Utc>) -> Vec<NewsItem> {
        (0..3)
            .map(|n| NewsItem {
                identity: format!("id-{n}"),
                story_key: Some(format!("example.com/{n}")),
                title: format!("Title {n}"),
                url: Some(format!("https://example.com/{n}")),
                summary: String::new(),
                source: "Test".into(),
                // Two items of the same moment: found by identity within it.
                published: Some(at - Duration::hours(n.min(1))),
                seen_at: at,
            })
            .collect()
    }

    async fn per_model(store: Store) {
        let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let items = items(at);
        store.insert_items(feed, &items).await.unwrap();
        let since = at - Duration::days(1);
        let missing = store.items_without_vector("m1", since, 10).await.unwrap();
        assert_eq!(missing.len(), 3);
        assert_eq!(missing[0].identity, "id-0", "newest first");
        assert_eq!(missing[0].title, "Title 0");
        assert_eq!(missing[0].published, items[0].published);

        let (a, b) = ([0.5f32, -1.25, 3.0], [1.0f32, 0.0, f32::MIN_POSITIVE]);
        store
            .put_item_vectors("m1", &[(&items[0], &a), (&items[2], &b)])
            .await
            .unwrap();
        let known = store.item_vectors("m1", &items).await.unwrap();
        assert_eq!(known.len(), 2);
        assert_eq!(known["id-0"], a);
        assert_eq!(known["id-2"], b);
        let missing = store.items_without_vector("m1", since, 10).await.unwrap();
        assert_eq!(
            missing.iter().map(|i| i.identity.as_str()).collect::<Vec<_>>(),
            ["id-1"]
        );
        // An item happened before `since` is not the embedder's business.
        assert!(store
            .items_without_vector("m1", at + Duration::minutes(1), 10)
            .await
            .unwrap()
            .is_empty());

        // Another model: nothing is known to it, and its vector is kept beside the first model's,
        // so two processes configured differently do not undo each other's work.
        assert!(store.item_vectors("m2", &items).await.unwrap().is_empty());
        assert_eq!(store.items_without_vector("m2", since, 10).await.unwrap().len(), 3);
        store.put_item_vectors("m2", &[(&items[0], &b)]).await.unwrap();
        assert_eq!(store.item_vectors("m2", &items).await.unwrap()["id-0"], b);
        assert_eq!(store.item_vectors("m1", &items).await.unwrap()["id-0"], a);
        // The same model again replaces its own.
        store.put_item_vectors("m1", &[(&items[0], &b)]).await.unwrap();
        assert_eq!(store.item_vectors("m1", &items).await.unwrap()["id-0"], b);
        assert_eq!(store.vector_rows_for_test().await, 3);

        // An item not stored is passed over; pruning an item takes its vector.
        let mut stranger = items[1].clone();
        stranger.identity = "not-stored".into();
        store.put_item_vectors("m2", &[(&stranger, &a)]).await.unwrap();
        assert!(store.item_vectors("m2", &[stranger]).await.unwrap().is_empty());
        store.prune_items(at + Duration::days(1), 100).await.unwrap();
        assert!(store.item_vectors("m1", &items).await.unwrap().is_empty());
        assert!(store.item_vectors("m2", &items).await.unwrap().is_empty());
        assert_eq!(
            store.vector_rows_for_test().await,
            0,
            "every model's rows go with the item"
        );
    }

    /// Three items stored, each with a vector by "m1", and the first `by_m2` with one by "m2".
    async fn stored_with_vectors(store: &Store, by_m2: usize) -> (chrono::DateTime<Utc>, Vec<NewsItem>) {
        let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
        let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let items = items(at);
        store.insert_items(feed, &items).await.unwrap();
        let v = [1.0f32, 2.0];
        let all: Vec<(&NewsItem, &[f32])> = items.iter().map(|i| (i, &v[..])).collect();
        store.put_item_vectors("m1", &all).await.unwrap();
        store.put_item_vectors("m2", &all[..by_m2]).await.unwrap();
        (at, items)
    }

    #[tokio::test]
    async fn old_items_lose_their_vectors_of_every_model_and_stay() {
        for store in crate::testing::stores().await {
            let (at, items) = stored_with_vectors(&store, 1).await;
            assert_eq!(store.vector_rows_for_test().await, 4);

            // id-0 happened at `at`, id-1 and id-2 an hour before: those two lose theirs, one
            // item per delete.
            assert_eq!(
                store.prune_item_vectors(at - Duration::minutes(30), 1).await.unwrap(),
                2
            );
            let kept = store.item_vectors("m1", &items).await.unwrap();
            assert_eq!(kept.keys().collect::<Vec<_>>(), ["id-0"]);
            assert_eq!(store.item_vectors("m2", &items).await.unwrap().len(), 1);
            assert_eq!(store.count_all_items().await.unwrap(), 3, "the items stay");
            // Nothing older is left: a second pass deletes nothing.
            assert_eq!(
                store.prune_item_vectors(at - Duration::minutes(30), 1).await.unwrap(),
                0
            );
            // Every model's rows of an item go together.
            assert_eq!(
                store.prune_item_vectors(at + Duration::minutes(1), 100).await.unwrap(),
                2
            );
            assert_eq!(store.vector_rows_for_test().await, 0);
        }
    }

    #[tokio::test]
    async fn a_models_probe_is_kept_and_its_vectors_forgotten_alone() {
        for store in crate::testing::stores().await {
            assert_eq!(store.model_probe("m1").await.unwrap(), None);
            store.set_model_probe("m1", &[1.0, 0.5]).await.unwrap();
            store.set_model_probe("m2", &[0.25]).await.unwrap();
            assert_eq!(store.model_probe("m1").await.unwrap(), Some(vec![1.0, 0.5]));
            store.set_model_probe("m1", &[0.0, 2.0]).await.unwrap();
            assert_eq!(store.model_probe("m1").await.unwrap(), Some(vec![0.0, 2.0]));
            assert_eq!(store.model_probe("m2").await.unwrap(), Some(vec![0.25]));

            let (_, items) = stored_with_vectors(&store, 3).await;
            assert_eq!(store.forget_model_vectors("m1", 2).await.unwrap(), 3);
            assert!(store.item_vectors("m1", &items).await.unwrap().is_empty());
            assert_eq!(store.item_vectors("m2", &items).await.unwrap().len(), 3);
        }
    }

    #[tokio::test]
    async fn the_schema_refuses_a_vector_that_is_not_whole_floats() {
        for store in crate::testing::stores().await {
            let feed = store.upsert_feed("https://a.example/feed").await.unwrap().id;
            let at = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
            store.insert_items(feed, &items(at)).await.unwrap();
            for (model, bytes) in [("m", vec![0u8; 6]), ("m", Vec::new()), ("", vec![0u8; 4])] {
                let refused = store.raw_vector_for_test(model, "id-0", bytes.clone()).await;
                assert!(refused.is_err(), "{model:?} {} bytes", bytes.len());
            }
            store.raw_vector_for_test("m", "id-0", vec![0u8; 8]).await.unwrap();
        }
    }

    impl Store {
        /// Rows in `item_vectors`, whatever their items.
        async fn vector_rows_for_test(&self) -> i64 {
            with_db!(self, db => sqlx::query_scalar("SELECT COUNT(*) FROM item_vectors").fetch_one(db).await).unwrap()
        }

        /// Writes `bytes` as an item's vector directly, past the encoding, to test the schema's checks.
        async fn raw_vector_for_test(&self, model: &str, identity: &str, bytes: Vec<u8>) -> anyhow::Result<()> {
            with_db!(self, db => sqlx::query(
                "INSERT INTO item_vectors (item_id, model, vector) SELECT id, $1, $2 FROM items WHERE identity = $3",
            )
            .bind(model)
            .bind(bytes)
            .bind(identity)
            .execute(db)
            .await
            .map(|_| ()))?;
            Ok(())
        }
    }
}
