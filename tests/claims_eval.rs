//! `claims eval` on a tiny labeled set written by the test: the real binary, its JSON.

use crate::support::{run_cli, sqlite_url};

/// A claims file of opinions under one section: (id, Chinese text, English text) each.
fn essay_of(claims: &[(&str, &str, &str)]) -> String {
    let mut file = String::from(
        "[essay]\ntitle = { zh = \"测试\", en = \"Test\" }\nauthor = \"A\"\nurl = \"https://example.com/essay\"\npublished = \"2024-12-25\"\n",
    );
    for (id, zh, en) in claims {
        file.push_str(&format!(
            "\n[[claims]]\nid = \"{id}\"\nsection = {{ zh = \"一\", en = \"One\" }}\ntext = {{ zh = \"{zh}\", en = \"{en}\" }}\nkind = \"opinion\"\n"
        ));
    }
    file
}

const MATH: (&str, &str, &str) = (
    "math",
    "数学家会被 AI 超越：机器将证明新的定理。",
    "Mathematicians will be overtaken by AI: machines will prove new theorems.",
);

/// Three claims: two with labeled items in the set, one without.
fn three_claims() -> String {
    essay_of(&[
        MATH,
        (
            "robots",
            "机器人的瓶颈在硬件。",
            "The bottleneck for robots is hardware.",
        ),
        ("unlabeled", "火山爆发。", "Volcanoes erupt."),
    ])
}

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
    std::fs::write(&claims_file, three_claims()).unwrap();
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
    std::fs::write(&good, three_claims()).unwrap();
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
        three_claims().replace(
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

/// A fake OpenAI-compatible embeddings server on 127.0.0.1, as the bot's own tests use
/// (services/embeddings.rs): texts about teaching point one way, about markets another, the rest
/// a third way, whatever their language. It counts the texts it was sent.
async fn fake_embeddings(texts_seen: std::sync::Arc<std::sync::atomic::AtomicUsize>) -> String {
    use axum::http::{header, HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    async fn answer(
        axum::extract::State(seen): axum::extract::State<std::sync::Arc<std::sync::atomic::AtomicUsize>>,
        headers: HeaderMap,
        body: String,
    ) -> axum::response::Response {
        if headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) != Some("Bearer test-key") {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let request: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(request["model"], "fake-model");
        let inputs = request["input"].as_array().unwrap();
        seen.fetch_add(inputs.len(), std::sync::atomic::Ordering::SeqCst);
        let data: Vec<serde_json::Value> = inputs
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let t = t.as_str().unwrap();
                let v = if ["导师", "teacher", "tutor"].iter().any(|w| t.contains(w)) {
                    [1.0, 0.05, 0.0]
                } else if t.contains("market") {
                    [0.0, 1.0, 0.1]
                } else {
                    [0.1, 0.2, 1.0]
                };
                serde_json::json!({ "index": i, "embedding": v })
            })
            .collect();
        (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "data": data, "model": "fake-model" }).to_string(),
        )
            .into_response()
    }
    let app = axum::Router::new()
        .route("/v1/embeddings", axum::routing::post(answer))
        .with_state(texts_seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn eval_with_embeddings_fuses_meaning_and_reports_its_cost() {
    let dir = tempfile::tempdir().unwrap();
    let claims_file = dir.path().join("claims.toml");
    let tutors = ("tutors", "虚拟导师几乎已经实现。", "Virtual tutors are almost here.");
    std::fs::write(&claims_file, essay_of(&[tutors, MATH])).unwrap();
    let set = dir.path().join("set");
    std::fs::create_dir(&set).unwrap();
    let items = [
        // No word of the tutors claim, but the closest in meaning.
        line(
            "t1",
            "Study mode turns the chatbot into a patient teacher",
            "",
            "en",
            &["tutors"],
        ),
        line(
            "m1",
            "AI proves a new theorem, mathematicians stunned",
            "",
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
        line("x1", "Stock markets rally", "Investors cheered.", "en", &[]),
        line("x2", "New phone comes in green", "", "en", &[]),
        line("x3", "今日天气晴朗", "气温回升。", "zh", &[]),
    ];
    std::fs::write(set.join("items.jsonl"), items.join("\n")).unwrap();
    let db = dir.path().join("unused.db");
    let claims_env = ("CLAIMS_FILE", claims_file.to_str().unwrap());
    let set_arg = set.to_str().unwrap();

    // Words alone: the tutors claim finds nothing, and the JSON says nothing of embeddings.
    let out = run_cli(&sqlite_url(&db), &["claims", "eval", set_arg, "--json"], &[claims_env]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lexical: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(lexical["empty"], serde_json::json!(["tutors"]), "{lexical}");
    assert!(lexical.get("embeddings").is_none(), "{lexical}");
    assert!(lexical["claims"][0].get("dense_used").is_none(), "{lexical}");

    // --embeddings without a server configured is an error, not a silent lexical run.
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "eval", set_arg, "--embeddings"],
        &[claims_env],
    )
    .await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("EMBEDDINGS_URL"));

    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let url = fake_embeddings(seen.clone()).await;
    let env = [
        claims_env,
        ("EMBEDDINGS_URL", url.as_str()),
        ("EMBEDDINGS_MODEL", "fake-model"),
        ("EMBEDDINGS_API_KEY", "test-key"),
    ];
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "eval", set_arg, "--embeddings", "--json"],
        &env,
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fused: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let claim = |id: &str| {
        fused["claims"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    let tutors = claim("tutors");
    assert_eq!(tutors["shown"][0]["id"], "t1", "meaning brings it in: {tutors}");
    assert_eq!(tutors["shown"][0]["dense_rank"], 1);
    assert_eq!(
        tutors["shown"].as_array().unwrap().len(),
        1,
        "nothing else comes close: {tutors}"
    );
    assert_eq!(tutors["dense_used"], true);
    // Every text the fake returns for math is the same vector: the scale says nothing, so math
    // is ranked by words alone, as before.
    let math = claim("math");
    assert_eq!(math["dense_used"], false, "{math}");
    assert_eq!(math["precision_at_3"], lexical["claims"][1]["precision_at_3"], "{math}");
    assert!(fused["empty"].as_array().unwrap().is_empty(), "{fused}");
    let mean = fused["mean_precision_at_3"].as_f64().unwrap();
    assert!(mean > lexical["mean_precision_at_3"].as_f64().unwrap(), "{mean}");
    let cost = &fused["embeddings"];
    assert_eq!(cost["model"], "fake-model");
    assert_eq!(cost["items"], 6, "each item embedded once: {cost}");
    assert_eq!(cost["claim_texts"], 4);
    assert!(cost["ms_per_item"].as_f64().unwrap() > 0.0);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 6 + 4);

    // The text form names the model, the dense rank and the cost.
    let out = run_cli(&sqlite_url(&db), &["claims", "eval", set_arg, "--embeddings"], &env).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("meaning fused in by fake-model") && text.contains("1 of 2 claims"),
        "{text}"
    );
    assert!(text.contains("(by meaning: 1)"), "{text}");
    assert!(text.contains("embedding: 6 items in"), "{text}");
    assert!(!text.contains("put before"), "no prefixes, no line: {text}");
    assert_eq!(
        (&cost["query_prefix"], &cost["document_prefix"]),
        (&"".into(), &"".into())
    );

    // Prefixes, as a search model wants them, are named in the report.
    let prefixed = [
        env[0],
        env[1],
        env[2],
        env[3],
        ("EMBEDDINGS_QUERY_PREFIX", "query: "),
        ("EMBEDDINGS_DOCUMENT_PREFIX", "passage: "),
    ];
    let out = run_cli(
        &sqlite_url(&db),
        &["claims", "eval", set_arg, "--embeddings"],
        &prefixed,
    )
    .await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(r#"put before each claim text: "query: "; before each item: "passage: ""#),
        "{text}"
    );
}
