//! Which gateway shards this process runs, and so which servers it posts for. Discord sends a
//! server's events to shard `(server_id >> 22) % shard_count`; the process holding that shard is
//! the one that hears the server, so it is also the one that posts there.

use std::fmt;
use std::ops::RangeInclusive;

use crate::ids::GuildId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPlan {
    /// Shards across all processes.
    pub count: u32,
    /// The contiguous block of shards this process runs.
    pub owned: RangeInclusive<u32>,
}

impl Default for ShardPlan {
    fn default() -> ShardPlan {
        ShardPlan { count: 1, owned: 0..=0 }
    }
}

impl ShardPlan {
    /// Reads SHARD_COUNT and SHARD_IDS (`3`, or a block such as `0-3`); without SHARD_IDS the
    /// process runs every shard.
    pub fn parse(count: Option<&str>, ids: Option<&str>) -> Result<ShardPlan, String> {
        let count: u32 = match count {
            None => 1,
            Some(raw) => match raw.parse() {
                Ok(n) if (1..=65_535).contains(&n) => n,
                _ => return Err(format!("SHARD_COUNT=`{raw}` is not a number from 1 to 65535")),
            },
        };
        let owned = match ids {
            None => 0..=count - 1,
            Some(raw) => {
                let bad = || format!("SHARD_IDS=`{raw}` is not a shard (`2`) or a block of shards (`0-3`)");
                let (first, last) = match raw.split_once('-') {
                    Some((a, b)) => (
                        a.trim().parse().map_err(|_| bad())?,
                        b.trim().parse().map_err(|_| bad())?,
                    ),
                    None => {
                        let n: u32 = raw.trim().parse().map_err(|_| bad())?;
                        (n, n)
                    }
                };
                if first > last {
                    return Err(format!("SHARD_IDS=`{raw}`: the block runs backwards"));
                }
                if last >= count {
                    return Err(format!(
                        "SHARD_IDS=`{raw}` names shard {last}, but SHARD_COUNT={count} has shards 0 to {}",
                        count - 1
                    ));
                }
                first..=last
            }
        };
        Ok(ShardPlan { count, owned })
    }

    /// The shard Discord sends this server's events to.
    pub fn shard_of(&self, guild: GuildId) -> u32 {
        ((guild.0 >> 22) % u64::from(self.count)) as u32
    }

    /// Whether this process runs the server's shard.
    pub fn owns(&self, guild: GuildId) -> bool {
        self.owned.contains(&self.shard_of(guild))
    }
}

impl fmt::Display for ShardPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "shards {}-{} of {}",
            self.owned.start(),
            self.owned.end(),
            self.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_one_process_with_every_shard() {
        let plan = ShardPlan::parse(None, None).unwrap();
        assert_eq!(plan, ShardPlan::default());
        assert!(plan.owns(GuildId(123 << 22)));
        assert_eq!(ShardPlan::parse(Some("4"), None).unwrap().owned, 0..=3);
    }

    #[test]
    fn a_block_of_shards_owns_exactly_its_servers() {
        let plan = ShardPlan::parse(Some("4"), Some("2-3")).unwrap();
        // Discord's rule: (id >> 22) % count.
        let on = |shard: u64| GuildId(((1000 * 4 + shard) << 22) | 0x3f_ffff);
        assert_eq!(plan.shard_of(on(2)), 2);
        assert!(!plan.owns(on(0)) && !plan.owns(on(1)));
        assert!(plan.owns(on(2)) && plan.owns(on(3)));
        assert_eq!(ShardPlan::parse(Some("4"), Some("1")).unwrap().owned, 1..=1);
        assert_eq!(plan.to_string(), "shards 2-3 of 4");
    }

    #[test]
    fn bad_plans_say_what_is_wrong() {
        let err = |count: Option<&str>, ids: Option<&str>| ShardPlan::parse(count, ids).unwrap_err();
        assert!(err(Some("0"), None).contains("SHARD_COUNT"));
        assert!(err(Some("x"), None).contains("SHARD_COUNT"));
        assert!(err(Some("4"), Some("2-5")).contains("shards 0 to 3"));
        assert!(err(Some("4"), Some("3-1")).contains("backwards"));
        assert!(err(Some("4"), Some("a-b")).contains("block of shards"));
    }
}
