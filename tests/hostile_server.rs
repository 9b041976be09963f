//! A webhook that misbehaves: answers cut short, garbage, answers too late or too large,
//! redirects, plain http, a certificate nobody signed, a proxy in the way. Each test starts
//! a raw server on 127.0.0.1 that misbehaves for some rows and accepts the others, then
//! checks every row's outcome and that no row is `imported` that the server did not accept.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::{HASH, ReportRow, fq, read_report, text, webhook_url, write};
use scripted::{Cert, ConnectProxy, Reply, Request, Server};
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
    row % 2 == 0
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

/// A name with a 64-character label. glibc refuses to build a query for it, so with hosts
/// looked up in files and DNS only, it fails without a packet sent (checked with strace in
/// secret_never_leaks.rs). `None` where that is not known to hold.
fn local_only_unresolvable_host() -> Option<String> {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return None;
    }
    let nsswitch = std::fs::read_to_string("/etc/nsswitch.conf").ok()?;
    let hosts = nsswitch
        .lines()
        .find_map(|line| line.trim().strip_prefix("hosts:"))?;
    let only_files_and_dns = hosts
        .split_whitespace()
        .all(|source| source == "files" || source == "dns");
    only_files_and_dns.then(|| format!("{}.example", "a".repeat(64)))
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

/// A raw HTTP/1.1 server on 127.0.0.1:0 that answers each request as a script says,
/// however badly, over plain TCP or TLS; and a CONNECT proxy that tunnels to loopback only.
mod scripted {
    use std::collections::BTreeSet;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    use tokio::runtime::Runtime;
    use tokio_rustls::TlsAcceptor;
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    /// One request, as the script sees it.
    pub struct Request {
        pub path: String,
        /// The body's contact.email; empty when the body has none.
        pub email: String,
        /// The server's own address, for answers that point back at it.
        pub local: SocketAddr,
    }

    /// What the server does with one request.
    pub enum Reply {
        /// A whole answer, then the connection is closed.
        Answer {
            status: u16,
            headers: Vec<(String, String)>,
            body: Vec<u8>,
        },
        /// A head that promises `promised` body bytes, then `body`, then a wait of `then`,
        /// then the connection is closed.
        Partial {
            status: u16,
            promised: usize,
            body: Vec<u8>,
            then: Duration,
        },
        /// A 200 whose body is a JSON object `len` bytes long, with a row id in it, sent as
        /// fast as the client takes it.
        Huge(usize),
        /// Wait, then reply.
        Late(Duration, Box<Reply>),
    }

    impl Reply {
        pub fn json(status: u16, body: serde_json::Value) -> Reply {
            Reply::Answer {
                status,
                headers: vec![("content-type".into(), "application/json".into())],
                body: body.to_string().into_bytes(),
            }
        }
    }

    type Script = dyn Fn(&Request) -> Reply + Send + Sync;

    #[derive(Default)]
    struct Seen {
        /// Each request's path and contact.email.
        requests: Vec<(String, String)>,
        /// The contact.email of each request answered 200.
        accepted: Vec<String>,
        tls_failures: usize,
    }

    /// The scripted server; stopped on drop.
    pub struct Server {
        runtime: Option<Runtime>,
        base: String,
        seen: Arc<Mutex<Seen>>,
    }

    impl Server {
        pub fn plain(script: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> Server {
            Server::start(Arc::new(script), None)
        }

        pub fn tls(
            script: impl Fn(&Request) -> Reply + Send + Sync + 'static,
            cert: &Cert,
        ) -> Server {
            Server::start(Arc::new(script), Some(cert.acceptor()))
        }

        fn start(script: Arc<Script>, tls: Option<TlsAcceptor>) -> Server {
            let runtime = runtime();
            let listener = runtime
                .block_on(TcpListener::bind("127.0.0.1:0"))
                .expect("bind a loopback port");
            let addr = listener.local_addr().unwrap();
            let scheme = if tls.is_some() { "https" } else { "http" };
            let seen = Arc::new(Mutex::new(Seen::default()));
            runtime.spawn(accept_loop(listener, tls, script, Arc::clone(&seen)));
            Server {
                runtime: Some(runtime),
                base: format!("{scheme}://{addr}"),
                seen,
            }
        }

        /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`.
        pub fn base(&self) -> String {
            self.base.clone()
        }

        /// The contact.email of every request answered 200 so far.
        pub fn accepted(&self) -> BTreeSet<String> {
            self.seen.lock().unwrap().accepted.iter().cloned().collect()
        }

        /// Each request's path and contact.email, in the order they came.
        pub fn requests(&self) -> Vec<(String, String)> {
            self.seen.lock().unwrap().requests.clone()
        }

        /// How many TLS handshakes failed.
        pub fn tls_failures(&self) -> usize {
            self.seen.lock().unwrap().tls_failures
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            if let Some(runtime) = self.runtime.take() {
                runtime.shutdown_background();
            }
        }
    }

    fn runtime() -> Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    }

    async fn accept_loop(
        listener: TcpListener,
        tls: Option<TlsAcceptor>,
        script: Arc<Script>,
        seen: Arc<Mutex<Seen>>,
    ) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let local = stream.local_addr().expect("a local address");
            let (tls, script, seen) = (tls.clone(), Arc::clone(&script), Arc::clone(&seen));
            tokio::spawn(async move {
                match tls {
                    None => serve(stream, local, &*script, &seen).await,
                    Some(acceptor) => match acceptor.accept(stream).await {
                        Ok(stream) => serve(stream, local, &*script, &seen).await,
                        Err(_) => seen.lock().unwrap().tls_failures += 1,
                    },
                }
            });
        }
    }

    /// Read one request and answer it as the script says.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        mut stream: S,
        local: SocketAddr,
        script: &Script,
        seen: &Mutex<Seen>,
    ) {
        let Some((path, body)) = read_request(&mut stream).await else {
            return;
        };
        let email = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["contact"]["email"].as_str().map(str::to_owned))
            .unwrap_or_default();
        seen.lock()
            .unwrap()
            .requests
            .push((path.clone(), email.clone()));
        let request = Request { path, email, local };
        let mut reply = script(&request);
        while let Reply::Late(wait, inner) = reply {
            tokio::time::sleep(wait).await;
            reply = *inner;
        }
        let _ = answer(&mut stream, reply, &request.email, seen).await;
    }

    async fn answer<S: AsyncWrite + Unpin>(
        stream: &mut S,
        reply: Reply,
        email: &str,
        seen: &Mutex<Seen>,
    ) -> std::io::Result<()> {
        let accepted = |status: u16| {
            if status == 200 {
                seen.lock().unwrap().accepted.push(email.to_owned());
            }
        };
        match reply {
            Reply::Answer {
                status,
                headers,
                body,
            } => {
                write_head(stream, status, body.len(), &headers).await?;
                accepted(status);
                stream.write_all(&body).await?;
                stream.flush().await?;
                stream.shutdown().await
            }
            Reply::Partial {
                status,
                promised,
                body,
                then,
            } => {
                write_head(stream, status, promised, &[]).await?;
                accepted(status);
                stream.write_all(&body).await?;
                stream.flush().await?;
                tokio::time::sleep(then).await;
                Ok(())
            }
            Reply::Huge(len) => {
                write_head(stream, 200, len, &[]).await?;
                accepted(200);
                let head = br#"{"id":"row_huge","status":"PENDING","pad":""#;
                let tail = br#""}"#;
                stream.write_all(head).await?;
                let chunk = vec![b'x'; 64 * 1024];
                let mut left = len - head.len() - tail.len();
                while left > 0 {
                    let n = left.min(chunk.len());
                    stream.write_all(&chunk[..n]).await?;
                    left -= n;
                }
                stream.write_all(tail).await?;
                stream.shutdown().await
            }
            Reply::Late(..) => unreachable!("waited for before answering"),
        }
    }

    async fn write_head<S: AsyncWrite + Unpin>(
        stream: &mut S,
        status: u16,
        len: usize,
        headers: &[(String, String)],
    ) -> std::io::Result<()> {
        let mut head = format!(
            "HTTP/1.1 {status} {}\r\nconnection: close\r\n",
            reason(status)
        );
        head.push_str(&format!("content-length: {len}\r\n"));
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.flush().await
    }

    fn reason(status: u16) -> &'static str {
        match status {
            200 => "OK",
            302 => "Found",
            307 => "Temporary Redirect",
            400 => "Bad Request",
            404 => "Not Found",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            _ => "Whatever",
        }
    }

    /// The path and body of one request; `None` when the client hung up first.
    async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(String, Vec<u8>)> {
        let (head, mut body) = read_head(stream).await?;
        let mut lines = head.split("\r\n");
        let path = lines.next()?.split(' ').nth(1)?.to_owned();
        let length = lines
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while body.len() < length {
            let mut buf = [0; 8192];
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            body.extend_from_slice(&buf[..n]);
        }
        Some((path, body))
    }

    /// A request's head, and the bytes read past it.
    async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> Option<(String, Vec<u8>)> {
        let mut buf = Vec::new();
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let rest = buf.split_off(end + 4);
                return Some((String::from_utf8_lossy(&buf).into_owned(), rest));
            }
            if buf.len() > 64 * 1024 {
                return None;
            }
            let mut chunk = [0; 4096];
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// A self-signed certificate for `localhost` and 127.0.0.1, and its key.
    pub struct Cert {
        /// The certificate, PEM: what `--ca-cert` is given.
        pub pem: String,
        der: CertificateDer<'static>,
        key: Vec<u8>,
    }

    impl Cert {
        pub fn self_signed() -> Cert {
            let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
            let made = rcgen::generate_simple_self_signed(names).expect("a certificate");
            Cert {
                pem: made.cert.pem(),
                der: made.cert.der().clone(),
                key: made.signing_key.serialize_der(),
            }
        }

        fn acceptor(&self) -> TlsAcceptor {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key.clone()));
            let config = rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .expect("TLS versions")
                .with_no_client_auth()
                .with_single_cert(vec![self.der.clone()], key)
                .expect("a server certificate");
            TlsAcceptor::from(Arc::new(config))
        }
    }

    /// A CONNECT proxy on 127.0.0.1:0 that records each target and tunnels to it, when it is
    /// on loopback; or refuses every tunnel. Stopped on drop.
    pub struct ConnectProxy {
        runtime: Option<Runtime>,
        url: String,
        targets: Arc<Mutex<Vec<String>>>,
    }

    impl ConnectProxy {
        pub fn start(refuse: bool) -> ConnectProxy {
            let runtime = runtime();
            let listener = runtime
                .block_on(TcpListener::bind("127.0.0.1:0"))
                .expect("bind a loopback port");
            let url = format!("http://{}", listener.local_addr().unwrap());
            let targets = Arc::new(Mutex::new(Vec::new()));
            let seen = Arc::clone(&targets);
            runtime.spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    tokio::spawn(tunnel(stream, refuse, Arc::clone(&seen)));
                }
            });
            ConnectProxy {
                runtime: Some(runtime),
                url,
                targets,
            }
        }

        /// `http://127.0.0.1:PORT`, for HTTPS_PROXY.
        pub fn url(&self) -> String {
            self.url.clone()
        }

        /// The target of every CONNECT so far, as `host:port`.
        pub fn targets(&self) -> Vec<String> {
            self.targets.lock().unwrap().clone()
        }
    }

    impl Drop for ConnectProxy {
        fn drop(&mut self) {
            if let Some(runtime) = self.runtime.take() {
                runtime.shutdown_background();
            }
        }
    }

    async fn tunnel(mut client: TcpStream, refuse: bool, targets: Arc<Mutex<Vec<String>>>) {
        let Some((head, rest)) = read_head(&mut client).await else {
            return;
        };
        let mut words = head.split_whitespace();
        let (Some(method), Some(target)) = (words.next(), words.next()) else {
            return;
        };
        if method != "CONNECT" {
            let _ = client
                .write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        }
        targets.lock().unwrap().push(target.to_owned());
        // Never open a connection off loopback, whatever the client asked for.
        let port = target
            .rsplit_once(':')
            .filter(|(host, _)| matches!(*host, "127.0.0.1" | "localhost"))
            .and_then(|(_, port)| port.parse::<u16>().ok());
        let upstream = match port {
            Some(port) if !refuse => TcpStream::connect(("127.0.0.1", port)).await.ok(),
            _ => None,
        };
        let Some(mut upstream) = upstream else {
            let _ = client
                .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                .await;
            return;
        };
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await
            .is_err()
            || upstream.write_all(&rest).await.is_err()
        {
            return;
        }
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    }
}
