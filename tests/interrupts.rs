//! Runs that end early: killed with SIGKILL at unpredictable moments, stopped with SIGINT or
//! SIGTERM, stopped at once by a second SIGINT. Each is then resumed, and what the webhook
//! received is checked: every row at least once, and a row twice only if it was in flight.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{
    MockProcess, Running, count_lines, fq, numbered_rows, person, read_report, rows_read,
    sent_per_email, text, wait_until, webhook_url,
};
use serde_json::json;
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A generated input in a temporary folder, with the report and record files beside it.
struct Run {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
    rows: usize,
}

impl Run {
    fn new(rows: usize) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let (input, mapping) = numbered_rows(dir.path(), rows);
        Run {
            dir,
            input,
            mapping,
            rows,
        }
    }

    fn report(&self) -> PathBuf {
        self.dir.path().join("report.csv")
    }

    fn record(&self) -> PathBuf {
        self.dir.path().join("record.jsonl")
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The arguments of `fq-import import` into `url`, with quick retries.
    fn args(&self, url: &str, extra: &[&str]) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["import".into(), self.input.clone().into()];
        args.extend(["--mapping".into(), self.mapping.clone().into()]);
        args.extend(["--url".into(), url.into()]);
        args.extend(["--report".into(), self.report().into()]);
        args.extend(["--retry-delay".into(), "10ms".into()]);
        args.extend(extra.iter().map(OsString::from));
        args
    }

    /// Start the import in the background, its stderr going to `stderr-{name}.txt`.
    fn start(&self, url: &str, extra: &[&str], name: &str) -> Running {
        let stderr = self.file(&format!("stderr-{name}.txt"));
        Running::start(self.args(url, extra), &stderr)
    }

    /// `--resume` into `url`, which must finish with exit 0.
    fn resume(&self, url: &str) {
        let output = fq()
            .args(self.args(url, &["--resume"]))
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "the resume:\n{stderr}");
    }

    /// The report holds every row once, in order, each imported.
    fn check_complete_report(&self) {
        let report = read_report(&self.report());
        let rows: Vec<u64> = report.iter().map(|r| r.row).collect();
        assert_eq!(rows, (1..=self.rows as u64).collect::<Vec<_>>());
        for line in &report {
            assert_eq!(line.outcome, "imported", "{line:?}");
            assert_eq!(line.key, person(line.row as usize), "{line:?}");
        }
        assert!(
            !part_of(&self.report()).exists(),
            "the part file is merged and removed when a run ends"
        );
    }
}

fn part_of(report: &Path) -> PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

#[test]
fn kill_9_at_random_moments_then_resume_sends_every_row_and_repeats_only_rows_in_flight() {
    const ROWS: usize = 4000;
    const CONCURRENCY: usize = 8;
    const KILLS: usize = 4;
    let run = Run::new(ROWS);
    let record = run.record();
    let record_arg = record.to_str().unwrap();
    let mock = MockProcess::start(&["--record", record_arg, "--latency", "1"]);
    let concurrency = CONCURRENCY.to_string();
    // A fixed seed: each kill waits for another number of rows to be accepted, and the
    // numbers are the same on every test run.
    let mut rng = fastrand::Rng::with_seed(0x0005_eed5);

    let mut kills = 0;
    for attempt in 0..KILLS {
        let mut flags = vec!["-q", "--concurrency", &concurrency];
        if attempt > 0 {
            flags.push("--resume");
        }
        let target = count_lines(&record) + rng.usize(1..=700);
        let mut running = run.start(&mock.url(), &flags, &format!("killed-{attempt}"));
        wait_until(
            "the stand-in to accept more rows",
            Duration::from_secs(15),
            || count_lines(&record) >= target || running.has_exited(),
        );
        assert!(
            !running.has_exited(),
            "run {attempt} ended before its kill:\n{}",
            running.stderr()
        );
        running.signal("KILL");
        let (code, stderr) = running.wait(Duration::from_secs(10));
        assert_eq!(code, None, "the run should have died of SIGKILL:\n{stderr}");
        kills += 1;
    }
    assert_eq!(kills, KILLS);
    assert!(
        count_lines(&record) < ROWS,
        "the kills came before the end of the input"
    );

    run.resume(&mock.url());

    let sent = sent_per_email(&record);
    let missing: Vec<String> = (1..=ROWS)
        .map(person)
        .filter(|email| !sent.contains_key(email))
        .collect();
    assert!(missing.is_empty(), "rows never accepted: {missing:?}");
    assert_eq!(sent.len(), ROWS, "only the input's rows were sent");
    let repeats: Vec<(&String, &usize)> = sent.iter().filter(|(_, n)| **n > 1).collect();
    let extra: usize = repeats.iter().map(|(_, n)| **n - 1).sum();
    assert!(
        extra <= kills * CONCURRENCY,
        "{extra} extra sends after {kills} kills with {CONCURRENCY} in flight: {repeats:?}"
    );
    assert!(
        repeats.iter().all(|(_, n)| **n <= 1 + kills),
        "a row is sent again at most once per kill: {repeats:?}"
    );
    run.check_complete_report();
}

/// Stop a run with `signal` once a few hundred rows are in the report, then resume it.
fn stopped_by_signal_then_resumed(signal: &str) {
    const ROWS: usize = 3000;
    let run = Run::new(ROWS);
    let record = run.record();
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "2"]);
    let report = run.report();

    let mut running = run.start(&mock.url(), &[], signal);
    wait_until("200 rows in the report", Duration::from_secs(15), || {
        count_lines(&report) > 200
    });
    running.signal(signal);
    let (code, stderr) = running.wait(Duration::from_secs(15));

    assert_eq!(code, Some(130), "an interrupted run exits 130:\n{stderr}");
    assert!(
        stderr.contains("--resume"),
        "the run says how to carry on:\n{stderr}"
    );
    let lines = read_report(&report);
    let rows: Vec<u64> = lines.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        (1..=lines.len() as u64).collect::<Vec<_>>(),
        "every row read is in the report once, in order"
    );
    // Rows read ahead of the requests are reported pending.
    assert!(
        lines.iter().any(|r| r.outcome == "pending"),
        "the run stopped before the end"
    );
    assert_eq!(
        rows_read(&stderr),
        Some(lines.len() as u64),
        "as many report lines as rows read:\n{stderr}"
    );
    let sent = sent_per_email(&record);
    for line in &lines {
        match line.outcome.as_str() {
            "imported" => assert_eq!(sent.get(&line.key), Some(&1), "{line:?}"),
            "pending" => assert!(!sent.contains_key(&line.key), "{line:?}"),
            _ => panic!("a row is imported or pending after a clean stop: {line:?}"),
        }
    }
    assert_eq!(
        sent.len(),
        lines.iter().filter(|r| r.outcome == "imported").count(),
        "every row the stand-in accepted is reported imported"
    );

    run.resume(&mock.url());

    run.check_complete_report();
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), ROWS);
    let repeated: Vec<_> = sent.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        repeated.is_empty(),
        "after a clean stop no row is sent twice: {repeated:?}"
    );
}

#[test]
fn sigint_exits_130_with_one_report_line_per_row_read_and_resume_finishes() {
    stopped_by_signal_then_resumed("INT");
}

#[test]
fn sigterm_stops_like_sigint() {
    stopped_by_signal_then_resumed("TERM");
}

/// A webhook whose every answer takes half a minute; counts the requests that arrive.
async fn hanging_webhook() -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let arrived = Arc::new(AtomicUsize::new(0));
    let responder = {
        let arrived = Arc::clone(&arrived);
        move |_: &Request| {
            arrived.fetch_add(1, Ordering::SeqCst);
            ResponseTemplate::new(200)
                .set_delay(Duration::from_secs(30))
                .set_body_json(json!({"id": "row_late", "object": "row", "status": "PENDING"}))
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    (server, arrived)
}

/// Interrupt an import of `rows` rows into a webhook that never answers in time, once
/// `concurrency` requests are in flight: after the grace period the requests are cancelled,
/// every row is `pending`, and a resume sends them all.
async fn interrupted_with_requests_hanging(rows: usize, concurrency: usize) {
    let run = Run::new(rows);
    let (server, arrived) = hanging_webhook().await;
    let url = webhook_url(&server.uri());
    let concurrency_arg = concurrency.to_string();
    let in_flight = rows.min(concurrency);
    // Shorter than the webhook's delay, but well past the grace period: a run that ignores
    // the grace ends on this timeout instead.
    let flags = ["-q", "--concurrency", &concurrency_arg, "--timeout", "10s"];

    let mut running = run.start(&url, &flags, "grace");
    wait_until("the requests in flight", Duration::from_secs(10), || {
        arrived.load(Ordering::SeqCst) == in_flight
    });
    let interrupted = Instant::now();
    running.signal("INT");
    let (code, stderr) = running.wait(Duration::from_secs(20));
    let took = interrupted.elapsed();

    assert_eq!(code, Some(130), "{stderr}");
    assert!(
        took >= Duration::from_millis(4500),
        "requests in flight get 5 s of grace, not {took:?}"
    );
    assert!(
        took < Duration::from_secs(8),
        "requests still in flight should be cancelled when the 5 s grace ends, \
         but the run went on for {took:?}"
    );
    assert_eq!(
        arrived.load(Ordering::SeqCst),
        in_flight,
        "nothing more was sent"
    );
    let lines = read_report(&run.report());
    let outcomes: Vec<(u64, &str)> = lines.iter().map(|r| (r.row, r.outcome.as_str())).collect();
    let expected: Vec<(u64, &str)> = (1..=rows as u64).map(|row| (row, "pending")).collect();
    assert_eq!(outcomes, expected);
    for line in &lines[..in_flight] {
        assert!(line.error.contains("cancelled"), "{line:?}");
    }

    let record = run.record();
    let mock = MockProcess::recording(&record);
    run.resume(&mock.url());
    run.check_complete_report();
    assert_eq!(sent_per_email(&record).len(), rows);
}

#[tokio::test]
async fn requests_in_flight_after_the_grace_period_are_cancelled_while_rows_wait() {
    interrupted_with_requests_hanging(20, 4).await;
}

#[tokio::test]
async fn requests_in_flight_after_the_grace_period_are_cancelled_at_the_end_of_the_input() {
    interrupted_with_requests_hanging(3, 8).await;
}

#[tokio::test]
async fn a_second_sigint_exits_at_once_and_the_report_still_serves_resume() {
    let run = Run::new(20);
    let (server, arrived) = hanging_webhook().await;
    let url = webhook_url(&server.uri());

    let mut running = run.start(&url, &["-q", "--concurrency", "4"], "twice");
    wait_until("4 requests in flight", Duration::from_secs(10), || {
        arrived.load(Ordering::SeqCst) == 4
    });
    let interrupted = Instant::now();
    running.signal("INT");
    // The second SIGINT must come after the first was taken in: keep pressing, as a user
    // would, until the process is gone.
    while !running.has_exited() {
        assert!(
            interrupted.elapsed() < Duration::from_secs(4),
            "a second SIGINT should stop the run before the 5 s grace ends:\n{}",
            running.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
        if !running.has_exited() {
            running.signal("INT");
        }
    }
    let (code, stderr) = running.wait(Duration::from_secs(1));

    assert_eq!(code, Some(130), "{stderr}");
    assert!(stderr.contains("stopped at once"), "{stderr}");
    assert!(stderr.contains("--resume"), "{stderr}");
    assert_eq!(arrived.load(Ordering::SeqCst), 4, "nothing more was sent");

    let record = run.record();
    let mock = MockProcess::recording(&record);
    run.resume(&mock.url());
    run.check_complete_report();
    assert_eq!(sent_per_email(&record).len(), 20);
}

#[test]
fn sigint_during_a_resume_merges_its_lines_and_keeps_one_line_per_row_read() {
    const ROWS: usize = 3000;
    const TRIAL: usize = 500;
    let run = Run::new(ROWS);
    let record = run.record();
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "2"]);
    fq().args(run.args(&mock.url(), &["-q", "--limit", &TRIAL.to_string()]))
        .assert()
        .success();
    let part = part_of(&run.report());

    let mut running = run.start(&mock.url(), &["--resume"], "resume");
    wait_until(
        "200 lines in the part file",
        Duration::from_secs(15),
        || count_lines(&part) >= 200,
    );
    running.signal("INT");
    let (code, stderr) = running.wait(Duration::from_secs(15));

    assert_eq!(code, Some(130), "{stderr}");
    assert!(!part.exists(), "the part file is merged when the run stops");
    let lines = read_report(&run.report());
    let rows: Vec<u64> = lines.iter().map(|r| r.row).collect();
    assert_eq!(rows, (1..=lines.len() as u64).collect::<Vec<_>>());
    // Rows read ahead of the requests are reported pending.
    assert!(
        lines.iter().any(|r| r.outcome == "pending"),
        "the run stopped before the end"
    );
    assert_eq!(rows_read(&stderr), Some(lines.len() as u64), "{stderr}");
    for line in &lines {
        let expected: &[&str] = if line.row as usize <= TRIAL {
            &["imported"]
        } else {
            &["imported", "pending"]
        };
        assert!(expected.contains(&line.outcome.as_str()), "{line:?}");
    }

    run.resume(&mock.url());
    run.check_complete_report();
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), ROWS);
    let repeated: Vec<_> = sent.iter().filter(|(_, n)| **n != 1).collect();
    assert!(repeated.is_empty(), "{repeated:?}");
}

#[tokio::test]
async fn kill_9_while_one_row_is_slow_repeats_only_the_rows_in_flight() {
    const ROWS: usize = 2000;
    const CONCURRENCY: usize = 8;
    let run = Run::new(ROWS);
    // Row 5 takes ten seconds to be answered; every other row is answered at once.
    let server = MockServer::start().await;
    let answered = Arc::new(AtomicUsize::new(0));
    let responder = {
        let answered = Arc::clone(&answered);
        move |request: &Request| {
            let body: serde_json::Value = request.body_json().unwrap();
            let accepted = ResponseTemplate::new(200)
                .set_body_json(json!({"id": "row_first", "object": "row", "status": "PENDING"}));
            if body["contact"]["email"] == person(5) {
                accepted.set_delay(Duration::from_secs(10))
            } else {
                answered.fetch_add(1, Ordering::SeqCst);
                accepted
            }
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    let concurrency = CONCURRENCY.to_string();

    let url = webhook_url(&server.uri());
    let mut running = run.start(&url, &["-q", "--concurrency", &concurrency], "slow-row");
    wait_until("300 rows answered", Duration::from_secs(15), || {
        answered.load(Ordering::SeqCst) >= 300
    });
    running.signal("KILL");
    running.wait(Duration::from_secs(10));
    let first: BTreeSet<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let body: serde_json::Value = r.body_json().unwrap();
            body["contact"]["email"].as_str().unwrap().to_owned()
        })
        .collect();

    let record = run.record();
    let mock = MockProcess::recording(&record);
    run.resume(&mock.url());

    let again: Vec<String> = sent_per_email(&record)
        .into_keys()
        .filter(|email| first.contains(email))
        .collect();
    assert!(
        again.len() <= CONCURRENCY,
        "{} rows the webhook had accepted before the kill were sent again, though at most \
         {CONCURRENCY} were in flight; the report on disk said nothing of them",
        again.len()
    );
    run.check_complete_report();
}
