//! `claim-digest check`: one line per check, exit 1 when any fails.

use std::process::ExitCode;

use crate::config::Config;
use crate::domain::lang::Lang;
use crate::render::operations;
use crate::services::check::{check_configuration, Finding};

pub async fn run(config: Config, lang: Lang) -> anyhow::Result<ExitCode> {
    Ok(print(&check_configuration(&config).await, lang))
}

/// Prints the findings and the summary; the exit code says whether all passed.
pub fn print(findings: &[Finding], lang: Lang) -> ExitCode {
    for finding in findings {
        println!("{}", operations::check_line(finding, lang.into()));
    }
    let failed = findings.iter().filter(|f| !f.passed()).count();
    println!("{}", operations::check_summary(failed, lang.into()));
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
