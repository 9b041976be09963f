//! Sending at the webhook's pace: the pause every worker keeps after a 429, the cap on
//! Retry-After, `--rate`, `--concurrency auto`, each row's retry budget, the breaker for an
//! endpoint that is down, `--max-errors`, the answers never retried, and the summary's counts.
//!
//! Every server here listens on a free loopback port and notes when each request arrived,
//! so that pacing is measured where it matters: at the server.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use common::{ReportRow, fq, numbered_rows, person, read_report, text, webhook_url};
use serde_json::json;
use tempfile::TempDir;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// When each request reached a test server, in order of arrival.
type Arrivals = Arc<Mutex<Vec<Instant>>>;

/// A responder that notes when each request arrives, then answers as its script says,
/// given every arrival so far (this request's last).
struct Scripted<F> {
    arrivals: Arrivals,
    answer: F,
}

impl<F> Respond for Scripted<F>
where
    F: Fn(&[Instant]) -> ResponseTemplate + Send + Sync,
{
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = lock(&self.arrivals);
        arrivals.push(Instant::now());
        (self.answer)(&arrivals)
    }
}

/// A webhook on a free loopback port that answers every request by `answer`.
async fn scripted<F>(answer: F) -> (MockServer, Arrivals)
where
    F: Fn(&[Instant]) -> ResponseTemplate + Send + Sync + 'static,
{
    let server = MockServer::start().await;
    let arrivals = Arrivals::default();
    Mock::given(method("POST"))
        .respond_with(Scripted {
            arrivals: Arc::clone(&arrivals),
            answer,
        })
        .mount(&server)
        .await;
    (server, arrivals)
}

/// A webhook that gives every request the same answer.
async fn answering(response: ResponseTemplate) -> (MockServer, Arrivals) {
    scripted(move |_| response.clone()).await
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "row_paced",
        "object": "row",
        "status": "PENDING"
    }))
}

fn too_many(retry_after: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("Retry-After", retry_after)
        .set_body_json(json!({"message": "Too many requests"}))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A copy of the arrivals so far.
fn arrivals(arrivals: &Arrivals) -> Vec<Instant> {
    lock(arrivals).clone()
}

/// For each arrival, how many requests the server was holding at that moment, itself
/// included, when every answer is held back by `latency` after its request arrives.
fn in_flight(arrivals: &[Instant], latency: Duration) -> Vec<usize> {
    arrivals
        .iter()
        .enumerate()
        .map(|(i, &at)| arrivals[..=i].iter().filter(|&&t| at - t < latency).count())
        .collect()
}

/// How many arrivals fall in `[from, from + span)`.
fn arrived_within(arrivals: &[Instant], from: Instant, span: Duration) -> usize {
    arrivals
        .iter()
        .filter(|&&t| t >= from && t - from < span)
        .count()
}

/// A CSV of `n` numbered rows and its mapping, in a temporary folder.
struct Rows {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
}

/// How one `fq-import import` ended.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stderr: String,
    report: Vec<ReportRow>,
    took: Duration,
}

impl Run {
    fn outcomes(&self, outcome: &str) -> usize {
        self.report.iter().filter(|r| r.outcome == outcome).count()
    }
}

impl Rows {
    fn new(n: usize) -> Rows {
        let dir = tempfile::tempdir().expect("a temp folder");
        let (input, mapping) = numbered_rows(dir.path(), n);
        Rows {
            dir,
            input,
            mapping,
        }
    }

    /// Import these rows into the webhook at `url` with `flags`; retries are quick unless
    /// the flags set `--retry-delay`.
    fn import(&self, url: &str, flags: &[&str]) -> Run {
        let report = self.dir.path().join("report.csv");
        let mut cmd = fq();
        cmd.arg("import")
            .arg(&self.input)
            .arg("--mapping")
            .arg(&self.mapping)
            .args(["--url", url])
            .arg("--report")
            .arg(&report)
            .args(flags);
        if !flags.contains(&"--retry-delay") {
            cmd.args(["--retry-delay", "10ms"]);
        }
        let started = Instant::now();
        let output = cmd
            .timeout(Duration::from_secs(60))
            .output()
            .expect("run fq-import import");
        let took = started.elapsed();
        let stderr = text(&output.stderr);
        assert!(
            !stderr.contains("panicked"),
            "fq-import panicked:\n{stderr}"
        );
        Run {
            code: output.status.code(),
            stderr,
            report: if report.exists() {
                read_report(&report)
            } else {
                Vec::new()
            },
            took,
        }
    }

    /// Import these rows into `server`.
    fn import_into(&self, server: &MockServer, flags: &[&str]) -> Run {
        self.import(&webhook_url(&server.uri()), flags)
    }
}

/// Check that every row of the report was imported.
fn assert_all_imported(run: &Run, rows: usize) {
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.report.len(), rows, "{}", run.stderr);
    assert_eq!(run.outcomes("imported"), rows, "{:?}", run.report);
}

#[tokio::test]
async fn a_429_pauses_every_worker_until_its_retry_after() {
    // The accepted answers are held back a little, so that the 429 is surely in hand before
    // any worker could take a new row: every request the server sees before the pause ends
    // was already on its way when the 429 was sent.
    let (server, seen) = scripted(|arrivals| match arrivals.len() {
        1 => too_many("1"),
        _ => accepted().set_delay(Duration::from_millis(50)),
    })
    .await;
    let rows = Rows::new(20);

    let run = rows.import_into(&server, &["--concurrency", "8"]);

    assert_all_imported(&run, 20);
    let seen = arrivals(&seen);
    assert_eq!(seen.len(), 21, "20 rows and one retry");
    let refused = seen[0];
    let early: Vec<Duration> = seen[1..]
        .iter()
        .map(|&t| t - refused)
        .filter(|&d| d < Duration::from_secs(1))
        .collect();
    assert!(
        early.len() <= 7,
        "only the 7 other requests in flight may arrive within a second of the 429, \
         but these arrived: {early:?}"
    );
    assert!(
        early.iter().all(|&d| d < Duration::from_millis(250)),
        "requests in flight when the 429 was sent arrive at once, not {early:?}"
    );
    let retried: Vec<&ReportRow> = run.report.iter().filter(|r| r.attempts > 1).collect();
    assert!(
        matches!(retried.as_slice(), [row] if row.attempts == 2),
        "one row was retried, once: {retried:?}"
    );
}

#[tokio::test]
async fn a_429_also_holds_workers_waiting_for_a_rate_slot() {
    let (server, seen) = scripted(|arrivals| match arrivals.len() {
        1 => too_many("1"),
        _ => accepted(),
    })
    .await;
    let rows = Rows::new(12);

    let run = rows.import_into(&server, &["--rate", "10", "--concurrency", "8"]);

    assert_all_imported(&run, 12);
    let seen = arrivals(&seen);
    let refused = seen[0];
    // At 10 a second the next request is due 100ms after the first, so nothing else can be
    // on its way when the 429 is sent; 50ms leaves room for a slow first connection.
    let during: Vec<Duration> = seen[1..]
        .iter()
        .map(|&t| t - refused)
        .filter(|&d| (Duration::from_millis(50)..Duration::from_secs(1)).contains(&d))
        .collect();
    assert!(
        during.is_empty(),
        "nothing should be sent during the second a 429 asked for, but requests arrived \
         this long after it: {during:?}"
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_max_retry_wait_is_capped_with_a_warning() {
    let (server, seen) = scripted(|arrivals| match arrivals.len() {
        1 => too_many("3600"),
        _ => accepted(),
    })
    .await;
    let rows = Rows::new(1);

    let run = rows.import_into(&server, &["--max-retry-wait", "1s"]);

    assert_all_imported(&run, 1);
    let seen = arrivals(&seen);
    assert_eq!(seen.len(), 2, "one 429, then the retry");
    let waited = seen[1] - seen[0];
    assert!(
        (Duration::from_secs(1)..Duration::from_secs(5)).contains(&waited),
        "the retry should come about 1s after the 429, came after {waited:?}"
    );
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("--max-retry-wait"),
        "stderr should warn that the wait was capped:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains("1h"), "{}", run.stderr);
}

#[tokio::test]
async fn rate_holds_across_workers() {
    let (server, seen) = answering(accepted()).await;
    let rows = Rows::new(60);

    let run = rows.import_into(&server, &["--rate", "20", "--concurrency", "8"]);

    assert_all_imported(&run, 60);
    let seen = arrivals(&seen);
    assert_eq!(seen.len(), 60);
    for &from in &seen {
        let within = arrived_within(&seen, from, Duration::from_secs(1));
        assert!(
            within <= 21,
            "{within} requests arrived within one second; --rate 20 allows 20"
        );
    }
    let spread = seen[59] - seen[0];
    assert!(
        spread >= Duration::from_millis(2500),
        "60 requests at 20 a second take about 3s, not {spread:?}"
    );
    assert!(run.took >= Duration::from_millis(2500), "{:?}", run.took);
}

/// How long the servers behind the `--concurrency auto` tests hold each answer.
const LATENCY: Duration = Duration::from_millis(20);

/// The limits of the server behind the adaptive test: more requests at once than this, or
/// more in one second, are answered 429.
const MOST_AT_ONCE: usize = 4;
const MOST_A_SECOND: usize = 100;

/// Whether the last of `arrivals` is over the limits of the adaptive test's server.
fn over_limits(arrivals: &[Instant]) -> bool {
    let now = *arrivals.last().expect("this request's arrival");
    let within = |span: Duration| arrivals.iter().filter(|&&t| now - t < span).count();
    within(LATENCY) > MOST_AT_ONCE || within(Duration::from_secs(1)) > MOST_A_SECOND
}

#[tokio::test]
async fn auto_backs_off_when_refused_then_regains_its_pace() {
    let (server, seen) = scripted(|arrivals| {
        let answer = if over_limits(arrivals) {
            too_many("1")
        } else {
            accepted()
        };
        answer.set_delay(LATENCY)
    })
    .await;
    let rows = Rows::new(100);

    let run = rows.import_into(&server, &["--concurrency", "auto"]);

    assert_all_imported(&run, 100);
    let seen = arrivals(&seen);
    let held = in_flight(&seen, LATENCY);
    let refused: Vec<usize> = (0..seen.len())
        .filter(|&i| over_limits(&seen[..=i]))
        .collect();
    // Auto starts at 2 in flight, so reaching the server's limit shows it grew.
    let &[first, ..] = refused.as_slice() else {
        panic!("auto should grow until the server refuses");
    };
    let at_refusal = held[first];

    // Backing off means few refusals, and fewer requests in flight once the pause is over
    // than when the server refused; the median allows for a moment's burst.
    assert!(
        refused.len() <= seen.len() / 10,
        "auto should learn the limit, yet the server refused {} of {} requests",
        refused.len(),
        seen.len()
    );
    let resumed = seen[first] + Duration::from_secs(1);
    let mut after: Vec<usize> = (0..seen.len())
        .filter(|&i| seen[i] >= resumed)
        .map(|i| held[i])
        .collect();
    after.sort_unstable();
    let typical = after.get(after.len() / 2).copied().unwrap_or(0);
    assert!(
        typical < at_refusal,
        "after the 429, auto should hold fewer than the {at_refusal} requests in flight \
         that were refused, but held a median of {typical}"
    );

    // The server takes up to 100 requests a second; auto should come back to a fair share
    // of that, not crawl for the rest of the run.
    let later = seen.iter().filter(|&&t| t >= resumed).count();
    let span = seen[seen.len() - 1] - resumed;
    let pace = later as f64 / span.as_secs_f64();
    assert!(
        pace >= 25.0,
        "after the pause, auto sent {later} requests in {span:?} ({pace:.1}/s) to a server \
         that takes {MOST_A_SECOND}/s and {MOST_AT_ONCE} at once; the first 429 came after \
         {first} requests in {:?}",
        seen[first] - seen[0]
    );
}

#[tokio::test]
async fn auto_grows_past_eight_in_flight_when_nothing_is_refused() {
    let (server, seen) = answering(accepted().set_delay(LATENCY)).await;
    let rows = Rows::new(400);

    let run = rows.import_into(
        &server,
        &["--concurrency", "auto", "--max-concurrency", "12"],
    );

    assert_all_imported(&run, 400);
    let held = in_flight(&arrivals(&seen), LATENCY);
    let most = held.iter().copied().max().unwrap_or(0);
    assert!(
        most > 8,
        "auto should grow past 8 requests in flight, the server held at most {most}"
    );
    assert!(
        most <= 12,
        "--max-concurrency 12, yet the server held {most} at once"
    );
}

/// How many requests carried each row's address.
async fn requests_per_row(server: &MockServer) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for request in server.received_requests().await.expect("recording is on") {
        let body: serde_json::Value = request.body_json().expect("a JSON body");
        let email = common::email(&body).to_owned();
        *counts.entry(email).or_insert(0) += 1;
    }
    counts
}

#[tokio::test]
async fn max_retries_bounds_the_attempts_of_each_row() {
    let (server, _) = answering(
        ResponseTemplate::new(500).set_body_json(json!({"message": "Internal server error"})),
    )
    .await;
    let rows = Rows::new(2);

    let run = rows.import_into(
        &server,
        &["--max-retries", "2", "--give-up-after", "1h", "-c", "1"],
    );

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let per_row = requests_per_row(&server).await;
    assert_eq!(
        per_row.into_iter().collect::<Vec<_>>(),
        [(person(1), 3), (person(2), 3)],
        "each row is sent once and retried twice"
    );
    for row in &run.report {
        assert_eq!(row.outcome, "failed", "{row:?}");
        assert_eq!(row.http_status, Some(500), "{row:?}");
        assert_eq!(row.attempts, 3, "{row:?}");
        assert!(row.error.contains("after 3 attempts"), "{row:?}");
        assert!(row.error.contains("Internal server error"), "{row:?}");
    }
}

#[tokio::test]
async fn retry_for_bounds_the_time_a_row_spends_retrying() {
    let (server, seen) = answering(ResponseTemplate::new(503)).await;
    let rows = Rows::new(1);

    let run = rows.import_into(
        &server,
        &[
            "--retry-for",
            "300ms",
            "--retry-delay",
            "100ms",
            "--max-retries",
            "100",
            "--give-up-after",
            "1h",
        ],
    );

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let seen = arrivals(&seen);
    let spent = seen[seen.len() - 1] - seen[0];
    assert!(
        spent < Duration::from_secs(1),
        "the row should stop retrying soon after 300ms, retried for {spent:?}"
    );
    let [row] = run.report.as_slice() else {
        panic!("one row in the report: {:?}", run.report);
    };
    assert_eq!(row.outcome, "failed", "{row:?}");
    assert_eq!(row.http_status, Some(503), "{row:?}");
    assert!(
        (2..=5).contains(&row.attempts),
        "a few attempts within 300ms, not {}: {row:?}",
        row.attempts
    );
    assert_eq!(row.attempts as usize, seen.len());
    assert!(
        row.error
            .contains(&format!("after {} attempts", row.attempts)),
        "{row:?}"
    );
}

/// The URL of a webhook on a loopback port nobody listens on.
fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let addr = listener.local_addr().expect("the bound address");
    drop(listener);
    webhook_url(&format!("http://{addr}"))
}

/// Check how a run against an endpoint that is down for good ended: exit 3 with a message
/// saying so and how to carry on, not before `--give-up-after 2s`, and every row pending,
/// since rows never sent were never tried and retries made while the endpoint is down are
/// free.
fn assert_gave_up(run: &Run) {
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("looks down"), "{}", run.stderr);
    assert!(run.stderr.contains("--resume"), "{}", run.stderr);
    assert!(
        run.took >= Duration::from_secs(2),
        "gave up after {:?}, before --give-up-after 2s",
        run.took
    );
    assert!(!run.report.is_empty(), "{}", run.stderr);
    for row in &run.report {
        assert_eq!(row.outcome, "pending", "{row:?}");
    }
    let mut numbers: Vec<u64> = run.report.iter().map(|r| r.row).collect();
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), run.report.len(), "each row reported once");
}

/// The report lines of the rows that were sent at least once.
fn tried(run: &Run) -> Vec<&ReportRow> {
    run.report.iter().filter(|r| r.attempts > 0).collect()
}

#[tokio::test]
async fn the_breaker_gives_up_on_a_closed_port() {
    let rows = Rows::new(50);

    let run = rows.import(&closed_port_url(), &["--give-up-after", "2s"]);

    assert_gave_up(&run);
    let tried = tried(&run);
    assert!(!tried.is_empty(), "{:?}", run.report);
    for row in tried {
        assert!(row.error.contains("cannot connect"), "{row:?}");
    }
}

#[tokio::test]
async fn the_breaker_probes_a_503_slowly_then_gives_up() {
    let (server, seen) = answering(ResponseTemplate::new(503)).await;
    let rows = Rows::new(50);

    let run = rows.import_into(&server, &["--give-up-after", "2s"]);

    assert_gave_up(&run);
    for row in tried(&run) {
        assert_eq!(row.http_status, Some(503), "{row:?}");
    }
    // Without the breaker, 50 rows with 5 quick retries each would send 300 requests.
    let sent = arrivals(&seen).len();
    assert!(
        sent < 50,
        "no new row is sent while the endpoint is down, and rows in flight probe slowly; \
         yet the server got {sent} requests in {:?}",
        run.took
    );
}

#[tokio::test]
async fn the_breaker_stops_probing_once_it_gives_up() {
    let (server, seen) = answering(ResponseTemplate::new(503)).await;
    let rows = Rows::new(50);

    let run = rows.import_into(&server, &["--give-up-after", "2s", "--concurrency", "32"]);

    assert_gave_up(&run);
    let seen = arrivals(&seen);
    let late = seen
        .iter()
        .filter(|&&t| t - seen[0] > Duration::from_millis(2500))
        .count();
    assert!(
        run.took < Duration::from_millis(3500),
        "the run should end soon after giving up at 2s, yet took {:?}, and the server got \
         {late} requests after 2.5s",
        run.took
    );
}

#[tokio::test]
async fn max_errors_as_a_count_aborts_after_a_few_rows() {
    let (server, seen) =
        answering(ResponseTemplate::new(400).set_body_json(json!({"message": "Invalid data"})))
            .await;
    let rows = Rows::new(50);

    let run = rows.import_into(&server, &["--max-errors", "3"]);

    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("--max-errors"), "{}", run.stderr);
    let sent = arrivals(&seen).len();
    assert!(
        (4..=16).contains(&sent),
        "the run should stop after the 4th failed row, with at most 8 more in flight; \
         {sent} requests were sent"
    );
    assert_eq!(run.outcomes("failed"), sent, "{:?}", run.report);
    assert_eq!(run.outcomes("imported"), 0);
}

#[tokio::test]
async fn max_errors_as_a_share_aborts_after_the_first_hundred_rows() {
    let (server, seen) = answering(ResponseTemplate::new(400)).await;
    let rows = Rows::new(300);

    let run = rows.import_into(&server, &["--max-errors", "10%"]);

    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("--max-errors"), "{}", run.stderr);
    let sent = arrivals(&seen).len();
    assert!(
        (100..=150).contains(&sent),
        "a share is judged after the first 100 rows, so the run should stop soon after \
         them; {sent} requests were sent"
    );
}

#[tokio::test]
async fn answers_that_will_not_change_are_sent_once() {
    for status in [400, 404, 301, 422] {
        let elsewhere = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(accepted())
            .mount(&elsewhere)
            .await;
        let answer = ResponseTemplate::new(status)
            .insert_header("Location", webhook_url(&elsewhere.uri()).as_str())
            .set_body_json(json!({"message": "Not this time"}));
        let (server, seen) = answering(answer).await;
        let rows = Rows::new(1);

        let run = rows.import_into(&server, &["--max-retries", "3"]);

        let expected_code = if status == 404 { 3 } else { 1 };
        assert_eq!(run.code, Some(expected_code), "{status}: {}", run.stderr);
        assert_eq!(arrivals(&seen).len(), 1, "a {status} is sent once");
        let redirected = elsewhere
            .received_requests()
            .await
            .expect("recording is on");
        assert!(
            redirected.is_empty(),
            "a {status} with a Location is not followed"
        );
        let [row] = run.report.as_slice() else {
            panic!("one row in the report: {:?}", run.report);
        };
        assert_eq!(row.outcome, "failed", "{status}: {row:?}");
        assert_eq!(row.http_status, Some(status), "{row:?}");
        assert_eq!(row.attempts, 1, "{row:?}");
        if status == 301 {
            assert!(row.error.contains("not followed"), "{row:?}");
        }
    }
}

#[tokio::test]
async fn the_summary_counts_retries_and_429s() {
    let (server, _) = scripted(|arrivals| match arrivals.len() {
        1..=3 => ResponseTemplate::new(429),
        _ => accepted(),
    })
    .await;
    let rows = Rows::new(5);

    let run = rows.import_into(&server, &["--concurrency", "1"]);

    assert_all_imported(&run, 5);
    let summary = run
        .stderr
        .lines()
        .find(|line| line.contains(" rows read: "))
        .unwrap_or_else(|| panic!("no summary on stderr:\n{}", run.stderr));
    assert!(summary.contains("5 imported"), "{summary}");
    assert!(summary.contains("3 retries"), "{summary}");
    assert!(summary.contains("3 answered 429"), "{summary}");
}
