//! How answers from the webhook are handled: what is retried, how often, how long the wait
//! is, what stops the run, and what lands in the report. A wiremock server plays the webhook.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ReportRow, fq, read_report, webhook_url, write};
use serde_json::json;
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A CSV of `n` rows and a mapping for it, in a temporary folder.
struct Rows {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
}

impl Rows {
    fn new(n: usize) -> Rows {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("Email,Name\n");
        for i in 1..=n {
            writeln!(csv, "person{i}@delivery.example,Person {i}").unwrap();
        }
        let input = write(dir.path(), "rows.csv", &csv);
        let mapping = write(
            dir.path(),
            "rows.toml",
            "[contact]\nemail = \"Email\"\nname = \"Name\"\n",
        );
        Rows {
            dir,
            input,
            mapping,
        }
    }

    fn report(&self) -> PathBuf {
        self.dir.path().join("report.csv")
    }

    /// `fq-import import` of these rows into `server`, with quick retries.
    fn import(&self, server: &MockServer) -> assert_cmd::Command {
        import_into(&self.input, &self.mapping, &self.report(), server)
    }
}

fn import_into(
    input: &Path,
    mapping: &Path,
    report: &Path,
    server: &MockServer,
) -> assert_cmd::Command {
    let mut cmd = fq();
    cmd.arg("import")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .args(["--url", &webhook_url(&server.uri())])
        .args(["--retry-delay", "10ms", "-q"])
        .arg("--report")
        .arg(report);
    cmd
}

/// Mount `response` for every webhook request.
async fn answer_always(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server
        .received_requests()
        .await
        .expect("request recording is on")
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "row_accepted",
        "object": "row",
        "status": "PENDING"
    }))
}

#[tokio::test]
async fn a_400_is_not_retried_and_its_message_is_reported() {
    let server = MockServer::start().await;
    let refusal = json!({
        "code": "invalid_data",
        "status": 400,
        "message": "Invalid data",
        "details": [{"field": "contact.name", "message": "is too long"}]
    });
    answer_always(
        &server,
        ResponseTemplate::new(400)
            .insert_header("X-Request-Id", "req_refused_400")
            .set_body_json(refusal),
    )
    .await;
    let rows = Rows::new(1);

    rows.import(&server)
        .args(["--max-retries", "3"])
        .assert()
        .code(1);

    assert_eq!(requests(&server).await.len(), 1, "a 400 is sent once");
    let report = read_report(&rows.report());
    let [row] = report.as_slice() else {
        panic!("one row in the report: {report:?}");
    };
    assert_eq!(row.outcome, "failed");
    assert_eq!(row.http_status, Some(400));
    assert_eq!(row.attempts, 1);
    assert!(row.error.contains("Invalid data"), "{row:?}");
    assert!(row.error.contains("contact.name: is too long"), "{row:?}");
    assert_eq!(row.request_id, "req_refused_400");
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    let seen: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let responder = {
        let seen = Arc::clone(&seen);
        move |_: &Request| {
            let mut seen = seen.lock().unwrap();
            seen.push(Instant::now());
            if seen.len() == 1 {
                ResponseTemplate::new(429)
                    .insert_header("Retry-After", "1")
                    .set_body_json(json!({"message": "Too many requests"}))
            } else {
                accepted()
            }
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    let rows = Rows::new(1);

    rows.import(&server).assert().success();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one 429, then one accepted request");
    let waited = seen[1] - seen[0];
    assert!(
        waited >= Duration::from_millis(900),
        "Retry-After: 1 should hold the retry back about a second, not {waited:?}"
    );
    let report = read_report(&rows.report());
    assert_eq!(report[0].outcome, "imported");
    assert_eq!(report[0].attempts, 2);
    assert_eq!(report[0].row_id, "row_accepted");
}

#[tokio::test]
async fn a_500_is_retried_up_to_max_retries_then_fails() {
    let server = MockServer::start().await;
    answer_always(
        &server,
        ResponseTemplate::new(500)
            .insert_header("X-Request-Id", "req_broken_500")
            .set_body_json(json!({"message": "Internal server error"})),
    )
    .await;
    let rows = Rows::new(1);

    rows.import(&server)
        .args(["--max-retries", "2"])
        .assert()
        .code(1);

    assert_eq!(
        requests(&server).await.len(),
        3,
        "the first try and two retries"
    );
    let row = &read_report(&rows.report())[0];
    assert_eq!(row.outcome, "failed");
    assert_eq!(row.http_status, Some(500));
    assert_eq!(row.attempts, 3);
    assert!(row.error.contains("Internal server error"), "{row:?}");
    assert_eq!(row.request_id, "req_broken_500");
}

#[tokio::test]
async fn max_retries_zero_sends_once() {
    let server = MockServer::start().await;
    answer_always(&server, ResponseTemplate::new(503)).await;
    let rows = Rows::new(1);

    rows.import(&server)
        .args(["--max-retries", "0"])
        .assert()
        .code(1);

    assert_eq!(requests(&server).await.len(), 1);
    assert_eq!(read_report(&rows.report())[0].attempts, 1);
}

#[tokio::test]
async fn a_transient_500_is_retried_into_success() {
    let server = MockServer::start().await;
    let calls = Arc::new(AtomicUsize::new(0));
    let responder = {
        let calls = Arc::clone(&calls);
        move |_: &Request| {
            if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                ResponseTemplate::new(502)
            } else {
                accepted()
            }
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    let rows = Rows::new(1);

    rows.import(&server).assert().success();

    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let row = &read_report(&rows.report())[0];
    assert_eq!((row.outcome.as_str(), row.attempts), ("imported", 2));
}

/// Check that every row read is in the report once, in order, and that exactly the rows
/// that were sent failed with a 404 while the rest are pending.
fn check_stopped_report(report: &[ReportRow], sent: usize) {
    let numbers: Vec<u64> = report.iter().map(|r| r.row).collect();
    let expected: Vec<u64> = (1..=report.len() as u64).collect();
    assert_eq!(numbers, expected, "every row read appears once, in order");
    let unique: BTreeSet<u64> = numbers.iter().copied().collect();
    assert_eq!(unique.len(), report.len());
    assert!(report.len() >= sent, "{report:?}");

    let failed: Vec<&ReportRow> = report.iter().filter(|r| r.outcome == "failed").collect();
    assert_eq!(
        failed.len(),
        sent,
        "one failed row per request sent: {report:?}"
    );
    for row in &failed {
        assert_eq!(row.http_status, Some(404), "{row:?}");
        assert_eq!(row.attempts, 1, "a 404 is not retried: {row:?}");
    }
    for row in report.iter().filter(|r| r.outcome != "failed") {
        assert_eq!(row.outcome, "pending", "{row:?}");
        assert_eq!(row.attempts, 0, "{row:?}");
    }
}

#[tokio::test]
async fn a_404_stops_the_run_with_exit_3() {
    let server = MockServer::start().await;
    answer_always(
        &server,
        ResponseTemplate::new(404)
            .insert_header("X-Request-Id", "req_missing_404")
            .set_body_json(json!({"message": "No import webhook at this URL"})),
    )
    .await;
    let rows = Rows::new(20);

    rows.import(&server)
        .args(["--concurrency", "1"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("404"));

    let sent = requests(&server).await.len();
    assert_eq!(sent, 1, "nothing is sent after the first 404");
    let report = read_report(&rows.report());
    check_stopped_report(&report, sent);
    assert_eq!(report[0].request_id, "req_missing_404");
}

#[tokio::test]
async fn a_404_with_requests_in_flight_reports_every_row_once() {
    let server = MockServer::start().await;
    answer_always(&server, ResponseTemplate::new(404)).await;
    let rows = Rows::new(100);

    rows.import(&server)
        .args(["--concurrency", "4"])
        .assert()
        .code(3);

    let sent = requests(&server).await.len();
    assert!(
        (1..=4).contains(&sent),
        "no request starts after the first 404, but {sent} were sent with 4 in flight"
    );
    check_stopped_report(&read_report(&rows.report()), sent);
}

#[tokio::test]
async fn the_request_id_of_a_failed_answer_is_reported_and_not_of_a_good_one() {
    let server = MockServer::start().await;
    let responder = |request: &Request| {
        let body: serde_json::Value = request.body_json().unwrap();
        if body["contact"]["email"] == "person2@delivery.example" {
            ResponseTemplate::new(422)
                .insert_header("X-Request-Id", "req_for_row_2")
                .set_body_json(json!({"message": "Unprocessable"}))
        } else {
            accepted().insert_header("X-Request-Id", "req_for_a_good_row")
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    let rows = Rows::new(3);

    rows.import(&server).assert().code(1);

    let report = read_report(&rows.report());
    let outcomes: Vec<(&str, Option<u16>, &str)> = report
        .iter()
        .map(|r| (r.outcome.as_str(), r.http_status, r.request_id.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("imported", Some(200), ""),
            ("failed", Some(422), "req_for_row_2"),
            ("imported", Some(200), ""),
        ]
    );
}

#[tokio::test]
async fn requests_carry_the_body_as_json() {
    let server = MockServer::start().await;
    answer_always(&server, accepted()).await;
    let rows = Rows::new(2);

    rows.import(&server).assert().success();

    let mut bodies: Vec<serde_json::Value> = Vec::new();
    for request in requests(&server).await {
        assert_eq!(request.method.as_str(), "POST");
        let content_type = request
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some("application/json"));
        bodies.push(request.body_json().unwrap());
    }
    bodies.sort_by_key(|b| b["contact"]["email"].as_str().unwrap().to_owned());
    assert_eq!(
        bodies,
        [
            json!({"contact": {"email": "person1@delivery.example", "name": "Person 1"}}),
            json!({"contact": {"email": "person2@delivery.example", "name": "Person 2"}}),
        ]
    );
}
