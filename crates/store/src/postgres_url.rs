//! Reading a PostgreSQL DATABASE_URL. sqlx logs every query parameter it does not know, value
//! and all, as a warning: `sslpassword=...` would land in the journal. Such a URL is refused
//! here instead, naming the parameter and never its value.

use std::str::FromStr;

use anyhow::Context;
use sqlx::postgres::PgConnectOptions;

/// The query parameters sqlx 0.8 reads from a PostgreSQL URL (`options[name]` besides).
const KNOWN: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

/// The connection options of `url`, or why it cannot be used; neither answer repeats the URL,
/// which holds the password.
pub(crate) fn postgres_options(url: &str) -> anyhow::Result<PgConnectOptions> {
    if let Ok(parsed) = url::Url::parse(url) {
        let unknown: Vec<String> = parsed
            .query_pairs()
            .map(|(key, _)| key.into_owned())
            .filter(|key| {
                let named_option = key.starts_with("options[") && key.ends_with(']');
                !(KNOWN.contains(&key.as_str()) || named_option)
            })
            .collect();
        if !unknown.is_empty() {
            anyhow::bail!(
                "DATABASE_URL has parameters this bot cannot use: {} (remove them; sqlx would ignore them)",
                unknown.join(", ")
            );
        }
    }
    PgConnectOptions::from_str(url).context("DATABASE_URL is not a valid PostgreSQL URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_parameter_is_refused_by_name_and_its_value_never_shown() {
        let error = postgres_options("postgres://bot:hunter2@db/claims?sslmode=require&sslpassword=k3y")
            .unwrap_err()
            .to_string();
        assert!(error.contains("sslpassword"), "{error}");
        assert!(!error.contains("k3y") && !error.contains("hunter2"), "{error}");
    }

    #[test]
    fn the_parameters_sqlx_reads_are_accepted() {
        let options = postgres_options(
            "postgres://bot@db:5433/claims?sslmode=disable&application_name=cd&options[search_path]=x",
        )
        .unwrap();
        assert_eq!((options.get_host(), options.get_port()), ("db", 5433));
        assert_eq!(options.get_database(), Some("claims"));
    }
}
