//! A webhook that misbehaves: answers cut short, garbage, answers too late or too large,
//! redirects, plain http, a certificate nobody signed, a proxy in the way. Each test starts
//! a raw server on 127.0.0.1 that misbehaves for some rows and accepts the others, then
//! checks every row's outcome and that no row is `imported` that the server did not accept.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::scripted::{Cert, ConnectProxy, Reply, Request, Server, local_only_unresolvable_host};
use common::{HASH, ReportRow, fq, read_report, text, webhook_url, write};
use serde_json::json;
use tempfile::TempDir;

/// Four rows; rows 2 and 4 are the ones the server misbehaves for.
struct Rows {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
}

const ROWS: u64 = 4;

fn email_of(row: u64) -> String {
    format!("person{row}@hostile.example")
}

/// Whether the server should misbehave for this request: rows 2 and 4.
fn is_bad(request: &Request) -> bool {
    request.email == email_of(2) || request.email == email_of(4)
}

fn is_bad_row(row: u64) -> bool {
    row.is_multiple_of(2)
}

impl Rows {
    fn new() -> Rows {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("Email,Name\n");
        for i in 1..=ROWS {
            writeln!(csv, "{},Person {i}", email_of(i)).unwrap();
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

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// What one run of the tool left behind.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    report: Vec<ReportRow>,
}

impl Run {
    fn row(&self, row: u64) -> &ReportRow {
        self.report
            .iter()
            .find(|r| r.row == row)
            .unwrap_or_else(|| panic!("no report line for row {row}: {:#?}", self.report))
    }

    fn imported(&self) -> BTreeSet<String> {
        self.report
            .iter()
            .filter(|r| r.outcome == "imported")
            .map(|r| r.key.clone())
            .collect()
    }
}

/// `fq-import import` of `rows` into `url`, with quick retries and a clean proxy
/// environment, killed if it runs for a minute.
fn import(rows: &Rows, url: &str, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let run = import_within(rows, url, extra, env, Duration::from_secs(60));
    assert!(
        run.code.is_some(),
        "fq-import was killed after {:?} (a hang?):\n{}",
        run.elapsed,
        run.stderr
    );
    run
}

/// [`import`], killed after `limit`; the exit code is `None` when it was.
fn import_within(
    rows: &Rows,
    url: &str,
    extra: &[&str],
    env: &[(&str, &str)],
    limit: Duration,
) -> Run {
    let report = rows.path("report.csv");
    let mut cmd = fq();
    for name in PROXY_VARIABLES {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied())
        .arg("import")
        .arg(&rows.input)
        .arg("--mapping")
        .arg(&rows.mapping)
        .args(["--url", url])
        .args(["--retry-delay", "10ms", "--max-retries", "1"])
        .arg("--report")
        .arg(&report)
        .args(extra)
        .timeout(limit);
    let started = Instant::now();
    let output = cmd.output().expect("run fq-import import");
    let elapsed = started.elapsed();
    let stderr = text(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "fq-import panicked:\n{stderr}"
    );
    Run {
        code: output.status.code(),
        stderr,
        elapsed,
        report: if report.exists() {
            read_report(&report)
        } else {
            Vec::new()
        },
    }
}

const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The answer an honest webhook gives for `request`.
fn accept(request: &Request) -> Reply {
    Reply::json(
        200,
        json!({"id": row_id(&request.email), "object": "row", "status": "PENDING"}),
    )
}

fn row_id(email: &str) -> String {
    format!("row_{}", email.split('@').next().unwrap_or_default())
}

/// Check that every row is in the report once, that the good rows are imported with the
/// server's row id, and that nothing is imported the server did not accept.
fn assert_good_rows_imported(run: &Run, server: &Server) {
    let rows: Vec<u64> = run.report.iter().map(|r| r.row).collect();
    assert_eq!(rows, (1..=ROWS).collect::<Vec<_>>(), "{:#?}", run.report);
    for row in (1..=ROWS).filter(|&r| !is_bad_row(r)) {
        let line = run.row(row);
        assert_eq!(line.outcome, "imported", "{line:?}\n{}", run.stderr);
        assert_eq!(line.row_id, row_id(&email_of(row)), "{line:?}");
        assert_eq!(line.http_status, Some(200), "{line:?}");
    }
    assert_accepted_only(run, server);
}

/// No row is `imported` that the server did not answer 200 for.
fn assert_accepted_only(run: &Run, server: &Server) {
    let accepted = server.accepted();
    let imported = run.imported();
    let unaccepted: Vec<_> = imported.difference(&accepted).collect();
    assert!(
        unaccepted.is_empty(),
        "imported, but the server never accepted them: {unaccepted:?}\n\
         accepted: {accepted:?}\n{:#?}",
        run.report
    );
}

/// Check that the bad rows failed, each after `attempts` requests, with an error that says
/// `why` (compared without case).
fn assert_bad_rows_failed(run: &Run, attempts: u32, why: &str) {
    for row in (1..=ROWS).filter(|&r| is_bad_row(r)) {
        let line = run.row(row);
        assert_eq!(line.outcome, "failed", "{line:?}\n{}", run.stderr);
        assert_eq!(line.attempts, attempts, "{line:?}");
        assert!(
            line.error.to_lowercase().contains(&why.to_lowercase()),
            "the error should say {why:?}: {line:?}"
        );
    }
}

#[test]
fn an_answer_cut_short_fails_the_row() {
    let server = Server::plain(|request| {
        if is_bad(request) {
            // Promise 100 bytes of a 200, send 12, hang up.
            Reply::Partial {
                status: 200,
                promised: 100,
                body: br#"{"id":"row_"#.to_vec(),
                then: Duration::ZERO,
            }
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let run = import(&rows, &webhook_url(&server.base()), &[], &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    // A body that ends early is a transport error: retried, then failed.
    assert_bad_rows_failed(&run, 2, "");
    for row in [2, 4] {
        let line = run.row(row);
        assert!(line.row_id.is_empty(), "{line:?}");
        assert!(!line.error.is_empty(), "the error says something: {line:?}");
    }
}

#[test]
fn a_200_with_garbage_imports_the_row_without_an_id_and_warns() {
    let server = Server::plain(|request| {
        if is_bad(request) {
            Reply::Answer {
                status: 200,
                headers: vec![("content-type".into(), "application/json".into())],
                body: b"<html>\x00\xff not json at all {{{".to_vec(),
            }
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let run = import(&rows, &webhook_url(&server.base()), &[], &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    for row in [2, 4] {
        let line = run.row(row);
        assert_eq!(line.outcome, "imported", "{line:?}");
        assert_eq!(line.row_id, "", "{line:?}");
        assert_eq!(line.attempts, 1, "a 200 is not retried: {line:?}");
    }
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("empty row_id"),
        "a warning about the answer:\n{}",
        run.stderr
    );
}

#[test]
fn an_answer_after_the_timeout_does_not_import_the_row() {
    let server = Server::plain(|request| {
        let answer = accept(request);
        if is_bad(request) {
            Reply::Late(Duration::from_secs(3), Box::new(answer))
        } else {
            answer
        }
    });
    let rows = Rows::new();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--timeout", "300ms"],
        &[],
    );

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    assert_bad_rows_failed(&run, 2, "300ms");
    assert!(
        run.elapsed < Duration::from_secs(3),
        "the run should not wait for the late answers: {:?}",
        run.elapsed
    );
}

#[test]
fn a_body_that_stalls_after_the_head_is_bounded_by_the_timeout() {
    // The head comes at once; the body never ends. The timeout covers the answer too.
    let server = Server::plain(|request| {
        if is_bad(request) {
            Reply::Partial {
                status: 200,
                promised: 200,
                body: br#"{"id":"row_late","#.to_vec(),
                then: Duration::from_secs(30),
            }
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--timeout", "300ms"],
        &[],
    );

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    assert_bad_rows_failed(&run, 2, "300ms");
    assert!(
        run.elapsed < Duration::from_secs(5),
        "a stalled body should cost a timeout, not 30s: {:?}",
        run.elapsed
    );
}

/// Ten megabytes: a complete JSON object, so that a client that read it all would find a
/// row id in it.
const HUGE: usize = 10 * 1000 * 1000;

#[test]
fn a_10_mb_answer_imports_the_row_without_an_id_in_bounded_memory() {
    let honest = Server::plain(accept);
    let huge = Server::plain(|request| {
        if is_bad(request) {
            Reply::Huge(HUGE)
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let (baseline, _) = measured_import(&rows, &webhook_url(&honest.base()));
    let (peak, run) = measured_import(&rows, &webhook_url(&huge.base()));

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_good_rows_imported(&run, &huge);
    for row in [2, 4] {
        let line = run.row(row);
        assert_eq!(line.outcome, "imported", "{line:?}");
        assert_eq!(line.row_id, "", "only the first 64 KiB are read: {line:?}");
    }
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("KiB"),
        "a warning about the answer's size:\n{}",
        run.stderr
    );
    assert!(
        run.elapsed < Duration::from_secs(10),
        "took {:?}",
        run.elapsed
    );
    // Reading two 10 MB answers whole would add at least 10 MB to the peak.
    let grown = peak.saturating_sub(baseline);
    assert!(
        grown < 6 * 1024 * 1024,
        "peak memory grew by {} KiB over a run with small answers ({} KiB)",
        grown / 1024,
        baseline / 1024
    );
}

#[test]
fn a_huge_answer_is_not_read_to_its_end() {
    // Promise 10 MB, send 100 KB, then nothing for 30s: a client that stops at 64 KiB is done
    // at once; one that waits for the rest times out.
    let server = Server::plain(|request| {
        if is_bad(request) {
            let mut body = br#"{"id":"row_big","pad":""#.to_vec();
            body.resize(100_000, b'x');
            Reply::Partial {
                status: 200,
                promised: HUGE,
                body,
                then: Duration::from_secs(30),
            }
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--timeout", "10s"],
        &[],
    );

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    for row in [2, 4] {
        let line = run.row(row);
        assert_eq!(line.outcome, "imported", "{line:?}");
        assert_eq!(line.row_id, "", "{line:?}");
    }
    assert!(
        run.elapsed < Duration::from_secs(5),
        "the rest of the answer should not be waited for: {:?}",
        run.elapsed
    );
}

#[test]
fn a_redirect_is_not_followed_and_fails_the_row() {
    let server = Server::plain(|request| {
        if request.path != common::WEBHOOK_PATH {
            // A redirect followed: accept it, so that only the path can tell.
            accept(request)
        } else if request.email == email_of(2) {
            // Somewhere else entirely; nothing listens there, and nothing must go there.
            Reply::Answer {
                status: 302,
                headers: vec![(
                    "location".into(),
                    "http://127.0.0.2:1/v5/imports/imp_test/trigger/elsewhere".into(),
                )],
                body: Vec::new(),
            }
        } else if request.email == email_of(4) {
            // Back to this server, where following it would show.
            Reply::Answer {
                status: 307,
                headers: vec![(
                    "location".into(),
                    format!("http://{}/followed", request.local),
                )],
                body: Vec::new(),
            }
        } else {
            accept(request)
        }
    });
    let rows = Rows::new();

    let run = import(&rows, &webhook_url(&server.base()), &[], &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_good_rows_imported(&run, &server);
    for (row, status) in [(2, 302), (4, 307)] {
        let line = run.row(row);
        assert_eq!(line.outcome, "failed", "{line:?}");
        assert_eq!(line.http_status, Some(status), "{line:?}");
        assert_eq!(line.attempts, 1, "a redirect is not retried: {line:?}");
        assert!(
            line.error.contains(&status.to_string()),
            "the error names the status: {line:?}"
        );
    }
    let followed: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|(path, _)| path != common::WEBHOOK_PATH)
        .collect();
    assert!(followed.is_empty(), "a redirect was followed: {followed:?}");
}

/// A TEST-NET-1 address: nothing answers there, and nothing may be sent there.
const NOT_LOOPBACK: &str = "http://192.0.2.1/v5/imports/imp_test/trigger/h4sh-do-not-leak-123";

#[test]
fn plain_http_to_another_machine_is_refused_before_connecting() {
    let rows = Rows::new();
    let url_file = write(rows.dir.path(), "url.txt", &format!("{NOT_LOOPBACK}\n"));
    for channel in ["--url", "--url-file", "FQ_WEBHOOK_URL"] {
        let mut cmd = fq();
        for name in PROXY_VARIABLES {
            cmd.env_remove(name);
        }
        cmd.arg("import")
            .arg(&rows.input)
            .arg("--mapping")
            .arg(&rows.mapping)
            .arg("--report")
            .arg(rows.path("report.csv"))
            .timeout(Duration::from_secs(20));
        match channel {
            "--url" => cmd.args(["--url", NOT_LOOPBACK]),
            "--url-file" => cmd.arg("--url-file").arg(&url_file),
            _ => cmd.env("FQ_WEBHOOK_URL", NOT_LOOPBACK),
        };
        let started = Instant::now();
        let output = cmd.output().unwrap();
        let elapsed = started.elapsed();
        let stderr = text(&output.stderr);

        assert_eq!(output.status.code(), Some(2), "{channel}: {stderr}");
        assert!(
            stderr.contains("https"),
            "{channel}: say to use https: {stderr}"
        );
        assert!(
            elapsed < Duration::from_millis(900),
            "{channel}: refused in {elapsed:?}: that is long enough to have tried to connect"
        );
        assert!(
            !rows.path("report.csv").exists(),
            "{channel}: no report for a run that never started"
        );
    }
}

#[test]
fn plain_http_to_loopback_needs_no_flag_and_gets_no_warning() {
    let server = Server::plain(accept);
    let rows = Rows::new();

    for flags in [&[][..], &["--allow-http"][..]] {
        let run = import(&rows, &webhook_url(&server.base()), flags, &[]);

        assert_eq!(run.code, Some(0), "{flags:?}: {}", run.stderr);
        assert!(run.report.iter().all(|r| r.outcome == "imported"));
        assert_accepted_only(&run, &server);
        assert!(
            !run.stderr.contains("warning"),
            "{flags:?}: no warning for loopback:\n{}",
            run.stderr
        );
    }
}

#[test]
fn allow_http_to_another_machine_warns() {
    // A host name that fails to resolve inside this process: no packet leaves the machine.
    let Some(host) = local_only_unresolvable_host() else {
        eprintln!("skipped: this resolver might send a query for any name");
        return;
    };
    let rows = Rows::new();
    let url = format!("http://{host}/v5/imports/imp_test/trigger/{HASH}");

    let run = import(&rows, &url, &["--allow-http", "--give-up-after", "1s"], &[]);

    assert!(
        run.stderr.contains("warning") && run.stderr.contains("plain http"),
        "a warning about plain http:\n{}",
        run.stderr
    );
    assert!(
        run.report
            .iter()
            .all(|r| r.outcome == "failed" || r.outcome == "pending"),
        "{:#?}",
        run.report
    );
    assert!(
        run.report.iter().any(|r| r.error.contains("dns")),
        "the error says the name does not resolve: {:#?}",
        run.report
    );
}

#[test]
fn a_certificate_nobody_trusts_fails_the_rows_promptly() {
    let cert = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let rows = Rows::new();

    refused_by_tls(&rows, &server, &[]);

    assert!(server.tls_failures() > 0, "the handshakes failed");
}

/// Run an import that TLS must refuse, with the default --give-up-after, and check that it
/// fails every row it tried with a certificate error, quickly: a certificate nobody trusts
/// will not be trusted in ten minutes either, so it is no outage to wait out.
fn refused_by_tls(rows: &Rows, server: &Server, extra: &[&str]) {
    let run = import_within(
        rows,
        &webhook_url(&server.base()),
        extra,
        &[],
        Duration::from_secs(20),
    );

    assert!(
        run.code.is_some() && run.elapsed < Duration::from_secs(15),
        "a certificate error is not an outage to wait out for --give-up-after: still running \
         after {:?}, killed: {}\n{}",
        run.elapsed,
        run.code.is_none(),
        run.stderr
    );
    assert!(
        matches!(run.code, Some(1 | 3)),
        "exit 1, or 3 for a run stopped: {}",
        run.stderr
    );
    assert!(
        run.report
            .iter()
            .all(|r| r.outcome == "failed" || r.outcome == "pending"),
        "{:#?}",
        run.report
    );
    let failed: Vec<_> = run
        .report
        .iter()
        .filter(|r| r.outcome == "failed")
        .collect();
    assert!(!failed.is_empty(), "{:#?}", run.report);
    for line in failed {
        assert!(
            line.error.to_lowercase().contains("certificate"),
            "the error says it is the certificate: {line:?}"
        );
    }
    assert!(server.requests().is_empty(), "no request got through TLS");
}

#[test]
fn ca_cert_trusts_a_self_signed_certificate() {
    let cert = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let rows = Rows::new();
    let ca = write(rows.dir.path(), "the-ca.pem", &cert.pem);

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--ca-cert", ca.to_str().unwrap()],
        &[],
    );

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    for row in 1..=ROWS {
        let line = run.row(row);
        assert_eq!(line.outcome, "imported", "{line:?}");
        assert_eq!(line.row_id, row_id(&email_of(row)), "{line:?}");
    }
    assert_accepted_only(&run, &server);
}

#[test]
fn ca_cert_of_another_authority_does_not_help() {
    let cert = Cert::self_signed();
    let other = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let rows = Rows::new();
    let ca = write(rows.dir.path(), "other-ca.pem", &other.pem);

    refused_by_tls(&rows, &server, &["--ca-cert", ca.to_str().unwrap()]);
}

#[test]
fn https_proxy_carries_the_requests() {
    let cert = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let proxy = ConnectProxy::start(false);
    let rows = Rows::new();
    let ca = write(rows.dir.path(), "the-ca.pem", &cert.pem);
    let proxy_url = proxy.url();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--ca-cert", ca.to_str().unwrap()],
        &[("HTTPS_PROXY", &proxy_url)],
    );

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.report.iter().all(|r| r.outcome == "imported"),
        "{:#?}",
        run.report
    );
    assert_accepted_only(&run, &server);
    let targets = proxy.targets();
    let authority = server.base().trim_start_matches("https://").to_owned();
    assert!(
        !targets.is_empty() && targets.iter().all(|t| *t == authority),
        "every connection should be tunnelled through the proxy to {authority}: {targets:?}"
    );
}

#[test]
fn no_proxy_sends_around_the_proxy() {
    let cert = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let proxy = ConnectProxy::start(false);
    let rows = Rows::new();
    let ca = write(rows.dir.path(), "the-ca.pem", &cert.pem);
    let proxy_url = proxy.url();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--ca-cert", ca.to_str().unwrap()],
        &[("HTTPS_PROXY", &proxy_url), ("NO_PROXY", "127.0.0.1")],
    );

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.report.iter().all(|r| r.outcome == "imported"),
        "{:#?}",
        run.report
    );
    assert_accepted_only(&run, &server);
    assert_eq!(proxy.targets(), Vec::<String>::new(), "the proxy was used");
}

#[test]
fn a_proxy_that_refuses_fails_the_rows() {
    let cert = Cert::self_signed();
    let server = Server::tls(accept, &cert);
    let proxy = ConnectProxy::start(true);
    let rows = Rows::new();
    let ca = write(rows.dir.path(), "the-ca.pem", &cert.pem);
    let proxy_url = proxy.url();

    let run = import(
        &rows,
        &webhook_url(&server.base()),
        &["--ca-cert", ca.to_str().unwrap(), "--give-up-after", "1s"],
        &[("HTTPS_PROXY", &proxy_url)],
    );

    assert!(
        run.report
            .iter()
            .all(|r| r.outcome == "failed" || r.outcome == "pending"),
        "{:#?}",
        run.report
    );
    assert!(!proxy.targets().is_empty(), "the proxy was asked");
    assert!(server.requests().is_empty(), "nothing got past the proxy");
}

/// Run the import as a child process of its own and return its peak resident memory in
/// bytes, from `wait4`, with what it left behind.
fn measured_import(rows: &Rows, url: &str) -> (u64, Run) {
    let report = rows.path("report.csv");
    let stderr_path = rows.path("stderr.txt");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_fq-import"));
    for name in PROXY_VARIABLES {
        cmd.env_remove(name);
    }
    cmd.env_remove("FQ_WEBHOOK_URL")
        .env("NO_COLOR", "1")
        .arg("import")
        .arg(&rows.input)
        .arg("--mapping")
        .arg(&rows.mapping)
        .args(["--url", url, "--retry-delay", "10ms", "--max-retries", "1"])
        .arg("--report")
        .arg(&report)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let started = Instant::now();
    // wait4 reaps the child, so that its own peak memory comes back with its status.
    #[allow(clippy::zombie_processes)]
    let child = cmd.spawn().expect("start fq-import");
    let (code, peak) = wait_measured(child.id(), Duration::from_secs(60));
    let elapsed = started.elapsed();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    assert!(code.is_some(), "fq-import was killed (a hang?):\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(report.exists(), "no report (exit {code:?}):\n{stderr}");
    let run = Run {
        code,
        stderr,
        elapsed,
        report: read_report(&report),
    };
    (peak, run)
}

/// Wait for the child `pid`, killing it after `timeout`; its exit code (`None` when a
/// signal ended it) and peak resident memory in bytes.
fn wait_measured(pid: u32, timeout: Duration) -> (Option<i32>, u64) {
    let pid = pid as libc::pid_t;
    let watchdog = std::thread::spawn(move || {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            // Signal 0 only asks whether the process is still there.
            // SAFETY: kill has no memory-safety preconditions.
            if unsafe { libc::kill(pid, 0) } != 0 {
                return;
            }
        }
        // SAFETY: as above; the pid is our unreaped child, so it cannot have been reused.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    });
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals of the right types.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    let _ = watchdog.join();
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    // ru_maxrss is in KiB on Linux.
    (code, u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}
