//! `claim-digest check`: is this configuration ready to run? Each check gives one finding;
//! nothing connects to Discord's gateway and nothing is written (the database is read, never
//! migrated).

use std::net::SocketAddr;
use std::path::PathBuf;

use base64::Engine as _;

use crate::config::{Config, Secret};
use crate::domain::claims::ClaimSet;
use crate::feeds::FeedCatalog;
use crate::store::SchemaStatus;

/// What one check found. `render::operations::check_line` words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The configuration itself could not be read (a bad value of some key).
    ConfigInvalid(String),
    TokenMissing,
    /// Present but not three dot-separated base64url parts whose first is the bot's id.
    TokenMalformed,
    TokenShaped,
    DatabaseUnreachable(String),
    Database(SchemaStatus),
    ClaimsValid {
        path: PathBuf,
        claims: usize,
    },
    ClaimsInvalid {
        path: PathBuf,
        problems: Vec<String>,
    },
    FeedsValid {
        path: PathBuf,
        feeds: usize,
    },
    FeedsInvalid {
        path: PathBuf,
        error: String,
    },
    AddressUnset {
        key: &'static str,
    },
    AddressBindable {
        key: &'static str,
        addr: SocketAddr,
    },
    AddressUnbindable {
        key: &'static str,
        addr: SocketAddr,
        error: String,
    },
    BackupsOff,
    BackupsWritable {
        dir: PathBuf,
    },
    BackupsUnwritable {
        dir: PathBuf,
        error: String,
    },
    /// BACKUP_DIR set with PostgreSQL: nothing would be written there.
    BackupsNeedPgDump,
    /// No EMBEDDINGS_URL: news is ranked by words alone.
    EmbeddingsOff,
    /// The endpoint embedded a probe text: how many numbers a vector has, and how long it took.
    EmbeddingsAnswer {
        model: String,
        dims: usize,
        millis: u64,
    },
    EmbeddingsFailing {
        model: String,
        error: String,
    },
}

impl Finding {
    pub fn passed(&self) -> bool {
        match self {
            Finding::Database(status) => status.is_appliable(),
            Finding::ConfigInvalid(_)
            | Finding::TokenMissing
            | Finding::TokenMalformed
            | Finding::DatabaseUnreachable(_)
            | Finding::ClaimsInvalid { .. }
            | Finding::FeedsInvalid { .. }
            | Finding::AddressUnbindable { .. }
            | Finding::BackupsUnwritable { .. }
            | Finding::BackupsNeedPgDump => false,
            Finding::TokenShaped
            | Finding::ClaimsValid { .. }
            | Finding::FeedsValid { .. }
            | Finding::AddressUnset { .. }
            | Finding::AddressBindable { .. }
            | Finding::BackupsOff
            | Finding::BackupsWritable { .. }
            | Finding::EmbeddingsOff
            | Finding::EmbeddingsAnswer { .. }
            | Finding::EmbeddingsFailing { .. } => true,
        }
    }

    /// Passed, but worth a look: the bot runs without it (an embeddings server down ranks by words
    /// alone), so a service that runs `check` before it starts is not kept from starting.
    pub fn warns(&self) -> bool {
        matches!(self, Finding::EmbeddingsFailing { .. })
    }
}

/// A Discord bot token is three base64url parts joined by dots: the bot's user id (digits,
/// encoded), a timestamp and an HMAC. Only the shape is checked; Discord alone knows if it is
/// valid, and the token is never printed.
pub fn looks_like_discord_token(token: &Secret) -> bool {
    let parts: Vec<&str> = token.expose().split('.').collect();
    let [id, stamp, mac] = parts[..] else { return false };
    let base64url = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !(base64url(id) && base64url(stamp) && base64url(mac)) || stamp.len() < 4 || mac.len() < 20 {
        return false;
    }
    let engine = base64::engine::general_purpose::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine
        .decode(id)
        .is_ok_and(|digits| (15..=20).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit))
}

/// Every check, in the order they are printed.
pub async fn check_configuration(config: &Config) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.push(match &config.discord_token {
        None => Finding::TokenMissing,
        Some(token) if looks_like_discord_token(token) => Finding::TokenShaped,
        Some(_) => Finding::TokenMalformed,
    });
    findings.push(match crate::store::schema_status(config.database_url.expose()).await {
        Ok(status) => Finding::Database(status),
        Err(e) => Finding::DatabaseUnreachable(format!("{e:#}")),
    });
    let claims = config.claims_file.clone();
    findings.push(match ClaimSet::load(&claims) {
        Ok(set) => Finding::ClaimsValid {
            path: claims,
            claims: set.claims().len(),
        },
        Err(e) => Finding::ClaimsInvalid {
            path: claims,
            problems: e.problems.iter().map(ToString::to_string).collect(),
        },
    });
    let feeds = config.feeds_file.clone();
    findings.push(match FeedCatalog::load(&feeds) {
        Ok(catalog) => Finding::FeedsValid {
            path: feeds,
            feeds: catalog.feeds.len(),
        },
        Err(e) => Finding::FeedsInvalid {
            path: feeds,
            error: format!("{e:#}"),
        },
    });
    // Each address the bot would listen on: metrics and health, and the public tally page.
    findings.push(listen_finding("METRICS_ADDR", config.metrics_addr));
    findings.push(listen_finding("WEB_ADDR", config.web_addr));
    findings.push(match &config.backup_dir {
        None => Finding::BackupsOff,
        Some(_) if crate::store::is_postgres_url(config.database_url.expose()) => Finding::BackupsNeedPgDump,
        Some(dir) => match probe_writable(dir) {
            Ok(()) => Finding::BackupsWritable { dir: dir.clone() },
            Err(e) => Finding::BackupsUnwritable {
                dir: dir.clone(),
                error: e.to_string(),
            },
        },
    });
    findings.push(embeddings_finding(config).await);
    findings
}

/// Whether the embeddings endpoint answers one short text (prefixed as a claim's would be) with a
/// vector. Nothing is stored.
async fn embeddings_finding(config: &Config) -> Finding {
    let Some(embeddings) = &config.embeddings else {
        return Finding::EmbeddingsOff;
    };
    let model = embeddings.model.clone();
    let started = std::time::Instant::now();
    let probe = async {
        let client = crate::services::embeddings::Embeddings::new(embeddings.clone())?;
        client.probe().await
    };
    match probe.await {
        Ok(dims) => Finding::EmbeddingsAnswer {
            model,
            dims,
            millis: started.elapsed().as_millis() as u64,
        },
        Err(e) => Finding::EmbeddingsFailing {
            model,
            error: format!("{e:#}"),
        },
    }
}

/// Whether a file can be created in `dir` (or, when it does not exist yet, in the nearest folder
/// above it, where the bot would create it). The probe file is removed at once.
fn probe_writable(dir: &std::path::Path) -> std::io::Result<()> {
    let existing = dir
        .ancestors()
        .find(|a| a.as_os_str().is_empty() || a.is_dir())
        .map(|a| {
            if a.as_os_str().is_empty() {
                std::path::Path::new(".")
            } else {
                a
            }
        })
        .unwrap_or(std::path::Path::new("."));
    if existing.exists() && !existing.is_dir() {
        return Err(std::io::Error::other("not a folder"));
    }
    let probe = existing.join(format!(".claim-digest-check-{}", std::process::id()));
    std::fs::File::create(&probe)?;
    std::fs::remove_file(&probe)
}

/// Whether the bot could listen on `addr` now (bound and released at once).
fn listen_finding(key: &'static str, addr: Option<std::net::SocketAddr>) -> Finding {
    match addr {
        None => Finding::AddressUnset { key },
        Some(addr) => match std::net::TcpListener::bind(addr) {
            Ok(_) => Finding::AddressBindable { key, addr },
            Err(e) => Finding::AddressUnbindable {
                key,
                addr,
                error: e.to_string(),
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shape() {
        // base64url("123456789012345678") . timestamp . hmac
        let good = Secret::new("MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB");
        assert!(looks_like_discord_token(&good));
        for bad in [
            "",
            "not-a-token",
            "fake-token.for-tests",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abc",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB.extra",
            // First part is base64 of letters, not of an id.
            "aGVsbG8gd29ybGQgaGVsbG8.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB",
            "MTIzNDU2Nzg5MDEyMzQ1Njc4.Gh Ij.abcdefghijklmnopqrstuvwxyz0123456789AB",
            "Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB",
        ] {
            assert!(!looks_like_discord_token(&Secret::new(bad)), "{bad}");
        }
    }
}
