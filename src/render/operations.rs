//! What the operator's commands print (`check`, `backup`), in both languages.

use crate::domain::lang::Lang;
use crate::services::check::Finding;

/// One line per check: a fixed-width status, the thing checked, what was found.
pub fn check_line(finding: &Finding, lang: Lang) -> String {
    let status = if finding.passed() { "ok  " } else { "FAIL" };
    let zh = lang == Lang::Zh;
    let (what, found) = match finding {
        Finding::ConfigInvalid(error) => (
            if zh { "配置" } else { "configuration" },
            if zh {
                format!("无法读取：{error}（各项见 .env.example）")
            } else {
                format!("cannot be read: {error} (see .env.example for every key)")
            },
        ),
        Finding::TokenMissing => (
            "DISCORD_TOKEN",
            if zh {
                "未设置：运行机器人需要它".into()
            } else {
                "not set: the bot needs it to run".into()
            },
        ),
        Finding::TokenMalformed => (
            "DISCORD_TOKEN",
            if zh {
                "格式不像 Discord 机器人令牌（应为以点分隔的三段 base64url）；请从开发者门户重新复制".into()
            } else {
                "is not shaped like a Discord bot token (three base64url parts joined by dots); copy it again from the developer portal".into()
            },
        ),
        Finding::TokenShaped => (
            "DISCORD_TOKEN",
            if zh {
                "已设置，格式正确（是否有效只有 Discord 知道）".into()
            } else {
                "set and shaped like a bot token (only Discord can say it is valid)".into()
            },
        ),
        Finding::DatabaseUnreachable(error) => (
            "DATABASE_URL",
            if zh {
                format!("无法连接：{error}")
            } else {
                format!("unreachable: {error}")
            },
        ),
        Finding::Database(status) => ("DATABASE_URL", schema_words(status, lang)),
        Finding::ClaimsValid { path, claims } => (
            "CLAIMS_FILE",
            if zh {
                format!("{}：有效，{claims} 条论断", path.display())
            } else {
                format!("{}: valid, {claims} claims", path.display())
            },
        ),
        Finding::ClaimsInvalid { path, problems } => (
            "CLAIMS_FILE",
            if zh {
                format!("{}：{} 个问题：{}", path.display(), problems.len(), problems.join("；"))
            } else {
                format!(
                    "{}: {} problem(s): {}",
                    path.display(),
                    problems.len(),
                    problems.join("; ")
                )
            },
        ),
        Finding::FeedsValid { path, feeds } => (
            "FEEDS_FILE",
            if zh {
                format!("{}：有效，{feeds} 个订阅源", path.display())
            } else {
                format!("{}: valid, {feeds} feeds", path.display())
            },
        ),
        Finding::FeedsInvalid { path, error } => (
            "FEEDS_FILE",
            if zh {
                format!("{}：无效：{error}", path.display())
            } else {
                format!("{}: invalid: {error}", path.display())
            },
        ),
        Finding::AddressUnset { key } => (
            *key,
            if zh {
                "未设置：不提供服务".into()
            } else {
                "not set: not served".into()
            },
        ),
        Finding::AddressBindable { key, addr } => (
            *key,
            if zh {
                format!("{addr} 可以监听")
            } else {
                format!("{addr} can be bound")
            },
        ),
        Finding::AddressUnbindable { key, addr, error } => (
            *key,
            if zh {
                format!("无法监听 {addr}：{error}（机器人是否已在运行？）")
            } else {
                format!("cannot bind {addr}: {error} (is the bot already running?)")
            },
        ),
        Finding::BackupsOff => (
            "BACKUP_DIR",
            if zh {
                "未设置：不自动备份".into()
            } else {
                "not set: no automatic backups".into()
            },
        ),
        Finding::BackupsWritable { dir } => (
            "BACKUP_DIR",
            if zh {
                format!("{}：可写，每天备份一次", dir.display())
            } else {
                format!("{}: writable, one backup a day", dir.display())
            },
        ),
        Finding::BackupsUnwritable { dir, error } => (
            "BACKUP_DIR",
            if zh {
                format!("{}：不可写：{error}", dir.display())
            } else {
                format!("{}: not writable: {error}", dir.display())
            },
        ),
        Finding::BackupsNeedPgDump => (
            "BACKUP_DIR",
            if zh {
                "自动备份只适用于 SQLite；PostgreSQL 请用 pg_dump（见 `claim-digest backup`），并取消 BACKUP_DIR".into()
            } else {
                "automatic backups are for SQLite only; back PostgreSQL up with pg_dump (see `claim-digest backup`) and unset BACKUP_DIR".into()
            },
        ),
    };
    format!("{status}  {what:<14} {found}")
}

fn schema_words(status: &crate::store::SchemaStatus, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let list = |versions: &[i64]| versions.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    if !status.failed.is_empty() {
        return if zh {
            format!(
                "{}：迁移 {} 曾经失败，需要人工处理",
                status.backend,
                list(&status.failed)
            )
        } else {
            format!(
                "{}: migration {} failed part-way; it needs a person",
                status.backend,
                list(&status.failed)
            )
        };
    }
    if !status.changed.is_empty() {
        return if zh {
            format!("{}：迁移 {} 在应用之后被改动过", status.backend, list(&status.changed))
        } else {
            format!(
                "{}: migration {} was changed after it was applied",
                status.backend,
                list(&status.changed)
            )
        };
    }
    if !status.unknown.is_empty() {
        return if zh {
            format!(
                "{}：数据库含有本版本不认识的迁移 {}（来自更新的版本）",
                status.backend,
                list(&status.unknown)
            )
        } else {
            format!(
                "{}: the database has migrations this build does not know ({}): it belongs to a newer build",
                status.backend,
                list(&status.unknown)
            )
        };
    }
    match (status.will_be_created, status.pending.len()) {
        (true, n) => {
            if zh {
                format!("{}：数据库尚不存在，首次启动时创建并应用 {n} 个迁移", status.backend)
            } else {
                format!(
                    "{}: does not exist yet; the first start creates it and applies {n} migrations",
                    status.backend
                )
            }
        }
        (false, 0) => {
            if zh {
                format!("{}：可以连接，{} 个迁移均已应用", status.backend, status.applied)
            } else {
                format!(
                    "{}: reachable, all {} migrations applied",
                    status.backend, status.applied
                )
            }
        }
        (false, n) => {
            if zh {
                format!(
                    "{}：可以连接，已应用 {} 个，下次启动时应用 {n} 个（{}）",
                    status.backend,
                    status.applied,
                    list(&status.pending)
                )
            } else {
                format!(
                    "{}: reachable, {} applied, {n} to apply at the next start ({})",
                    status.backend,
                    status.applied,
                    list(&status.pending)
                )
            }
        }
    }
}

/// The summary after the lines.
pub fn check_summary(failed: usize, lang: Lang) -> String {
    match (failed, lang) {
        (0, Lang::Zh) => "配置可以运行。".into(),
        (0, Lang::En) => "The configuration is ready to run.".into(),
        (n, Lang::Zh) => format!("{n} 项检查未通过。"),
        (1, Lang::En) => "1 check failed.".into(),
        (n, Lang::En) => format!("{n} checks failed."),
    }
}

/// After `backup FILE` wrote a SQLite copy.
pub fn backup_written(path: &std::path::Path, bytes: u64, lang: Lang) -> String {
    let mib = bytes as f64 / (1024.0 * 1024.0);
    match lang {
        Lang::Zh => format!("已备份到 {}（{mib:.1} MiB，完整性检查通过）。恢复方法见 README 的“备份与恢复”。", path.display()),
        Lang::En => format!(
            "Backed up to {} ({mib:.1} MiB, integrity check ok). README, \"Backups and restoring\", says how to restore.",
            path.display()
        ),
    }
}

/// `backup FILE` on PostgreSQL: the pg_dump command to run instead (its password left out).
pub fn backup_use_pg_dump(command: &str, restore: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "PostgreSQL 数据库请用 pg_dump 备份（它在数据库运行时也能得到一致的副本）：\n\n  {command}\n\n\
             密码不在命令里：由 PGPASSWORD 或 ~/.pgpass 提供。恢复到一个空数据库：\n\n  {restore}\n"
        ),
        Lang::En => format!(
            "A PostgreSQL database is backed up with pg_dump (it takes a consistent copy while the bot runs):\n\n  {command}\n\n\
             The password is left out of the command: give it through PGPASSWORD or ~/.pgpass. To restore into an empty database:\n\n  {restore}\n"
        ),
    }
}
