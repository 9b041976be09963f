//! The hash at the end of the webhook URL is a credential: it must appear in no output and
//! no report, whatever happens, even when the server repeats it back.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{HASH, MockProcess, fixture, fq, text, webhook_url};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// Check that the hash is nowhere in the process's output or in `files`.
fn assert_no_hash(output: &Output, files: &[&Path]) {
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert!(
        !stdout.contains(HASH),
        "the hash leaked to stdout:\n{stdout}"
    );
    assert!(
        !stderr.contains(HASH),
        "the hash leaked to stderr:\n{stderr}"
    );
    for file in files {
        let written = std::fs::read_to_string(file)
            .unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        assert!(
            !written.contains(HASH),
            "the hash leaked to {}:\n{written}",
            file.display()
        );
    }
}

/// Import the contacts fixture into `url` without -q, so that every message is printed.
fn import(url: &str, report: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .args(["--url", url, "--retry-delay", "10ms", "--max-retries", "1"])
        .args(extra)
        .arg("--report")
        .arg(report)
        .assert()
}

/// A server that answers every request with `status` and an error that repeats the path it
/// was asked for, hash included, in its message, its description and its details.
async fn echoing_server(status: u16) -> MockServer {
    let server = MockServer::start().await;
    let responder = move |request: &Request| {
        let asked = request.url.path().to_owned();
        ResponseTemplate::new(status).set_body_json(json!({
            "message": format!("nothing to do at {asked}"),
            "description": format!("the hash {HASH} is not known"),
            "details": [{"field": asked, "message": "was not found"}]
        }))
    };
    Mock::given(method("POST"))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

fn report_in(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn a_successful_run_does_not_print_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");
    let mock = MockProcess::start(&[]);

    let run = import(&mock.url(), &report, &[]).success();

    assert_no_hash(run.get_output(), &[&report]);
}

#[tokio::test]
async fn a_404_that_repeats_the_url_does_not_leak_the_hash() {
    let server = echoing_server(404).await;
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");

    let run = import(&webhook_url(&server.uri()), &report, &[]).code(3);

    assert_no_hash(run.get_output(), &[&report]);
}

#[tokio::test]
async fn a_400_that_repeats_the_url_does_not_leak_the_hash() {
    let server = echoing_server(400).await;
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.jsonl");

    let run = import(&webhook_url(&server.uri()), &report, &[]).code(1);

    let written = std::fs::read_to_string(&report).unwrap();
    assert!(
        written.contains("nothing to do at"),
        "the server's message is kept: {written}"
    );
    assert_no_hash(run.get_output(), &[&report]);
}

#[tokio::test]
async fn a_500_that_repeats_the_url_does_not_leak_the_hash() {
    let server = echoing_server(500).await;
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");

    // A server that answers nothing but 500 is taken for down: give up quickly.
    let run = import(
        &webhook_url(&server.uri()),
        &report,
        &["--give-up-after", "1s"],
    )
    .code(3);

    assert_no_hash(run.get_output(), &[&report]);
}

#[test]
fn a_refused_connection_does_not_leak_the_hash() {
    // Bind a free loopback port and close it again, so that nothing listens there.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");

    let args = ["--give-up-after", "1s"];
    let run = import(&webhook_url(&format!("http://{closed}")), &report, &args).code(3);

    let rows = common::read_report(&report);
    assert!(
        rows.iter()
            .all(|r| r.outcome == "failed" || r.outcome == "pending"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r.error.is_empty() || r.error.contains("127.0.0.1")),
        "the error names the host: {rows:?}"
    );
    assert_no_hash(run.get_output(), &[&report]);
}

#[test]
fn a_rejected_url_does_not_repeat_the_hash() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");
    let urls = [
        format!("ftp://127.0.0.1/v5/imports/imp_test/trigger/{HASH}"),
        format!("http://127.0.0.1/v5/imports/imp_test/trigger/{HASH}?page=2"),
        format!("http://127.0.0.1/v5/imports/imp_test/{HASH}"),
        format!("not a url {HASH}"),
    ];
    for url in urls {
        let run = import(&url, &report, &[]).code(2);
        assert_no_hash(run.get_output(), &[]);
    }
}

#[test]
fn help_does_not_show_the_url_from_the_environment() {
    let mock = MockProcess::start(&[]);

    let run = fq()
        .env("FQ_WEBHOOK_URL", mock.url())
        .args(["import", "--help"])
        .assert()
        .success();

    assert_no_hash(run.get_output(), &[]);
}

#[test]
fn the_mock_rejecting_the_hash_does_not_leak_it() {
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.jsonl");
    let mock = MockProcess::start(&["--hash", "the-right-hash"]);

    let run = import(&mock.url(), &report, &[]).code(3);

    assert_no_hash(run.get_output(), &[&report]);
}

#[tokio::test]
async fn a_request_id_that_repeats_the_hash_does_not_leak_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("X-Request-Id", format!("req-for-{HASH}"))
                .set_body_json(json!({"message": "Invalid data"})),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let report = report_in(&dir, "report.csv");

    let run = import(&webhook_url(&server.uri()), &report, &[]).code(1);

    assert_no_hash(run.get_output(), &[&report]);
}
