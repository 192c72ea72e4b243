//! `claims eval` on a tiny labeled set written by the test: the real binary, its JSON.

mod support;

use support::{run_cli, sqlite_url};

const CLAIMS: &str = r#"
[essay]
title = { zh = "测试", en = "Test" }
author = "A"
url = "https://example.com/essay"
published = "2024-12-25"

[[claims]]
id = "math"
section = { zh = "一", en = "One" }
text = { zh = "数学家会被 AI 超越：机器将证明新的定理。", en = "Mathematicians will be overtaken by AI: machines will prove new theorems." }
kind = "opinion"

[[claims]]
id = "robots"
section = { zh = "一", en = "One" }
text = { zh = "机器人的瓶颈在硬件。", en = "The bottleneck for robots is hardware." }
kind = "opinion"

[[claims]]
id = "unlabeled"
section = { zh = "一", en = "One" }
text = { zh = "火山爆发。", en = "Volcanoes erupt." }
kind = "opinion"
"#;

fn line(id: &str, title: &str, summary: &str, lang: &str, relevant: &[&str]) -> String {
    serde_json::json!({
        "id": id, "title": title, "url": format!("https://example.com/{id}"), "published": "2025-03-01",
        "lang": lang, "summary": summary, "relevant_to": relevant,
    })
    .to_string()
}

#[tokio::test]
async fn eval_reports_precision_per_claim_and_the_mean() {
    let dir = tempfile::tempdir().unwrap();
    let claims_file = dir.path().join("claims.toml");
    std::fs::write(&claims_file, CLAIMS).unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir(&set).unwrap();
    let items = [
        line(
            "m1",
            "AI proves a new theorem, mathematicians stunned",
            "The proof was checked.",
            "en",
            &["math"],
        ),
        line(
            "m2",
            "Mathematicians say machines now prove theorems",
            "",
            "en",
            &["math"],
        ),
        line("m3", "数学家：AI 证明了新的定理", "", "zh", &["math"]),
        line(
            "r1",
            "Robot makers say hardware is the bottleneck",
            "Actuators limit robots.",
            "en",
            &["robots"],
        ),
        line("x1", "Stock markets rally", "Investors cheered.", "en", &[]),
        line("x2", "今日天气晴朗", "气温回升。", "zh", &[]),
    ];
    std::fs::write(set.join("items.jsonl"), items.join("\n")).unwrap();
    let db = dir.path().join("unused.db");
    let args = ["claims", "eval", set.to_str().unwrap(), "--json"];
    let out = run_cli(
        &sqlite_url(&db),
        &args,
        &[("CLAIMS_FILE", claims_file.to_str().unwrap())],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "claims eval failed: {stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["items"], 6);
    let claims = report["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 2, "only labeled claims are scored: {report}");
    let math = claims.iter().find(|c| c["id"] == "math").unwrap();
    assert_eq!(math["precision_at_3"], 1.0, "{math}");
    assert_eq!(math["relevant_in_set"], 3);
    let robots = claims.iter().find(|c| c["id"] == "robots").unwrap();
    // One relevant item of three places: at best 1/3.
    assert!(
        (robots["precision_at_3"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9,
        "{robots}"
    );
    assert_eq!(
        robots["shown"].as_array().unwrap().len(),
        1,
        "unrelated items stay out: {robots}"
    );
    let mean = report["mean_precision_at_3"].as_f64().unwrap();
    assert!((mean - (1.0 + 1.0 / 3.0) / 2.0).abs() < 1e-9, "{mean}");
    assert_eq!(report["empty"].as_array().unwrap().len(), 0);
    assert!(report["unlabeled_shown"].as_array().unwrap().is_empty(), "{report}");

    // The text form names the mean; a missing set is a clear error.
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "eval", set.to_str().unwrap()],
        &[("CLAIMS_FILE", claims_file.to_str().unwrap())],
    )
    .await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("mean precision@3: 0.67"));
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "eval", dir.path().join("nowhere").to_str().unwrap()],
        &[("CLAIMS_FILE", claims_file.to_str().unwrap())],
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("items.jsonl"));
}

#[tokio::test]
async fn claims_check_and_show_speak_the_language_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("unused.db");
    let good = dir.path().join("claims.toml");
    std::fs::write(&good, CLAIMS).unwrap();
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "check", good.to_str().unwrap(), "--lang", "en"],
        &[],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("ok, 3 claims in 1 sections") && stdout.contains("    3  One"),
        "{stdout}"
    );
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "check", good.to_str().unwrap(), "--lang", "zh"],
        &[],
    )
    .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("有效，3 条论断") && stdout.contains("    3  一"),
        "{stdout}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        CLAIMS.replace(
            "kind = \"opinion\"\n\n[[claims]]\nid = \"robots\"",
            "kind = \"rumour\"\n\n[[claims]]\nid = \"robots\"",
        ),
    )
    .unwrap();
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "check", bad.to_str().unwrap(), "--lang", "en"],
        &[],
    )
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("one problem") || stderr.contains("problems"),
        "{stderr}"
    );

    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "show", "mat", "--lang", "en"],
        &[("CLAIMS_FILE", good.to_str().unwrap())],
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no claim `mat`; did you mean: math"));
}
