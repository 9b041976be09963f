//! Helpers shared by the integration tests: the binary, the fixtures, a stand-in of the
//! webhook run as a child process, and readers for the report and the record file.
//!
//! Every test binary compiles this module but uses only some of it.
#![allow(dead_code)]

pub mod scripted;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};

use assert_cmd::Command;
use serde::Deserialize;
use serde_json::Value;

/// A hash distinctive enough that finding it anywhere in an output means it leaked.
pub const HASH: &str = "h4sh-do-not-leak-123";

/// The path of the webhook a URL built by these helpers points at.
pub const WEBHOOK_PATH: &str = "/v5/imports/imp_test/trigger/h4sh-do-not-leak-123";

/// `fq-import`, with the environment cleared of anything that could change its behaviour.
pub fn fq() -> Command {
    let mut cmd = Command::cargo_bin("fq-import").expect("the fq-import binary is built");
    cmd.env_remove("FQ_WEBHOOK_URL").env("NO_COLOR", "1");
    cmd
}

/// A file under `fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Write `text` to `name` inside `dir` and return its path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

/// The webhook URL under a server's base URL, with the test hash.
pub fn webhook_url(base: &str) -> String {
    format!("{}{WEBHOOK_PATH}", base.trim_end_matches('/'))
}

/// `fq-import mock` running as a child process on a free loopback port; killed on drop.
pub struct MockProcess {
    child: Child,
    base: String,
}

impl MockProcess {
    /// Start the stand-in with extra flags, such as `--record FILE`.
    pub fn start(extra: &[&str]) -> MockProcess {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_fq-import"))
            .args(["mock", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start fq-import mock");
        let stdout = child.stdout.take().expect("the mock's stdout is piped");
        // Own the child before anything can panic, so that the drop guard kills it.
        let mut mock = MockProcess {
            child,
            base: String::new(),
        };
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("read the mock's base URL");
        let base = first.trim().to_owned();
        assert!(
            base.starts_with("http://127.0.0.1:"),
            "the mock should print a loopback base URL first, printed {first:?}"
        );
        mock.base = base;
        mock
    }

    /// Start the stand-in recording every accepted body into `record`.
    pub fn recording(record: &Path) -> MockProcess {
        MockProcess::start(&["--record", record.to_str().expect("a UTF-8 temp path")])
    }

    /// The base URL, such as `http://127.0.0.1:41234`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A webhook URL this stand-in serves, with the test hash.
    pub fn url(&self) -> String {
        webhook_url(&self.base)
    }

    /// What the stand-in has seen, from `GET /_mock/stats`.
    pub fn stats(&self) -> Value {
        let addr: SocketAddr = self
            .base
            .trim_start_matches("http://")
            .parse()
            .expect("the base URL holds a socket address");
        let mut stream = TcpStream::connect(addr).expect("connect to the mock");
        write!(
            stream,
            "GET /_mock/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .expect("send the stats request");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .expect("read the stats answer");
        let (_, body) = answer
            .split_once("\r\n\r\n")
            .expect("an HTTP answer with a body");
        serde_json::from_str(body).expect("the stats are JSON")
    }

    /// How many webhook requests the stand-in has received, whatever it answered.
    pub fn received(&self) -> u64 {
        self.stats()["received"]
            .as_u64()
            .expect("stats.received is a number")
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One line of the report, as both formats write it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ReportRow {
    pub row: u64,
    pub line: u64,
    pub key: String,
    pub outcome: String,
    pub http_status: Option<u16>,
    pub row_id: String,
    pub row_status: String,
    pub attempts: u32,
    pub error: String,
    pub request_id: String,
}

/// The column names a CSV report must start with, in order.
pub const REPORT_COLUMNS: [&str; 10] = [
    "row",
    "line",
    "key",
    "outcome",
    "http_status",
    "row_id",
    "row_status",
    "attempts",
    "error",
    "request_id",
];

/// Read a CSV report, checking its header.
pub fn read_report(path: &Path) -> Vec<ReportRow> {
    let mut reader = csv::Reader::from_path(path)
        .unwrap_or_else(|e| panic!("open the report {}: {e}", path.display()));
    let header = reader.headers().expect("the report has a header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        REPORT_COLUMNS,
        "the report's columns"
    );
    reader
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("read the report {}: {e}", path.display()))
}

/// Read a JSON-lines report.
pub fn read_report_jsonl(path: &Path) -> Vec<ReportRow> {
    read_lines(path)
        .into_iter()
        .map(|value| serde_json::from_value(value).expect("a report line has every column"))
        .collect()
}

/// Read a file of JSON lines, such as the mock's record file or an expected-bodies fixture.
/// A file that does not exist holds no lines.
pub fn read_lines(path: &Path) -> Vec<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_lines(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// Parse text made of JSON lines.
pub fn parse_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line: {line:?}: {e}"))
        })
        .collect()
}

/// A body's contact.email.
pub fn email(body: &Value) -> &str {
    body["contact"]["email"]
        .as_str()
        .unwrap_or_else(|| panic!("a body without contact.email: {body}"))
}

/// Bodies sorted by contact.email, so that bodies sent concurrently compare with a file.
pub fn by_email(mut bodies: Vec<Value>) -> Vec<Value> {
    bodies.sort_by(|a, b| email(a).cmp(email(b)));
    bodies
}

/// A process's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Write `bytes` to `name` inside `dir` and return its path, for inputs that are not UTF-8.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a test file");
    path
}

/// A file under `fixtures/quirks/`, the small exports that each show one quirk of real files.
pub fn quirk(name: &str) -> PathBuf {
    fixture("quirks").join(name)
}

/// What one import into a fresh recording stand-in left behind.
#[derive(Debug)]
pub struct Imported {
    /// The exit code; `None` when a signal ended the process.
    pub code: Option<i32>,
    /// What the run told people: notes, the summary, errors.
    pub stderr: String,
    /// The report in row order; empty when the run stopped before writing one.
    pub report: Vec<ReportRow>,
    /// The bodies the stand-in accepted, sorted by contact.email.
    pub bodies: Vec<Value>,
}

impl Imported {
    /// Each report line's row, line and outcome, for comparing with a list.
    pub fn outcomes(&self) -> Vec<(u64, u64, &str)> {
        self.report
            .iter()
            .map(|r| (r.row, r.line, r.outcome.as_str()))
            .collect()
    }

    /// The report line of row `row` (from 1).
    pub fn row(&self, row: u64) -> &ReportRow {
        self.report
            .iter()
            .find(|r| r.row == row)
            .unwrap_or_else(|| panic!("no report line for row {row}: {:?}", self.report))
    }
}

/// Import `input` with `mapping` and the extra `flags` into a fresh recording stand-in, and
/// collect the exit code, stderr, the report and the bodies that arrived.
pub fn import_recorded(input: &Path, mapping: &Path, flags: &[&str]) -> Imported {
    let dir = tempfile::tempdir().expect("a temp folder");
    let record = dir.path().join("record.jsonl");
    let report = dir.path().join("report.csv");
    let mock = MockProcess::recording(&record);

    let output = fq()
        .arg("import")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .args(["--url", &mock.url()])
        .arg("--report")
        .arg(&report)
        .args(flags)
        .output()
        .expect("run fq-import import");

    let stderr = text(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "fq-import panicked:\n{stderr}"
    );
    Imported {
        code: output.status.code(),
        stderr,
        report: if report.exists() {
            read_report(&report)
        } else {
            Vec::new()
        },
        bodies: by_email(read_lines(&record)),
    }
}

/// The address every row of [`numbered_rows`] gets: `person{i}@rows.example`.
pub fn person(i: usize) -> String {
    format!("person{i}@rows.example")
}

/// A CSV of `n` rows, each with its own address from [`person`], and a mapping for it,
/// written into `dir` as `rows.csv` and `rows.toml`.
pub fn numbered_rows(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
    let mut csv = String::from("Email,Name\n");
    for i in 1..=n {
        csv.push_str(&format!("{},Person {i}\n", person(i)));
    }
    let input = write(dir, "rows.csv", &csv);
    let mapping = write(
        dir,
        "rows.toml",
        "[contact]\nemail = \"Email\"\nname = \"Name\"\n",
    );
    (input, mapping)
}

/// How many times the stand-in accepted each contact.email, from its record file.
pub fn sent_per_email(record: &Path) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for body in read_lines(record) {
        *counts.entry(email(&body).to_owned()).or_insert(0) += 1;
    }
    counts
}

/// How many line ends a file holds so far; a file not there yet holds none. Cheap enough to
/// poll while another process appends to the file.
pub fn count_lines(path: &Path) -> usize {
    match std::fs::read(path) {
        Ok(bytes) => bytes.iter().filter(|&&b| b == b'\n').count(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// Poll `check` every few milliseconds until it holds; fail the test after `timeout`.
pub fn wait_until(what: &str, timeout: std::time::Duration, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !check() {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The number of rows read, from the summary a run prints on stderr.
pub fn rows_read(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let rest = line.strip_prefix("fq-import: ")?;
        let rest = rest.strip_prefix("info: ").unwrap_or(rest);
        let (count, rest) = rest.split_once(' ')?;
        rest.starts_with("row").then_some(())?;
        rest.split_once(" read: ")?;
        count.parse().ok()
    })
}

/// `fq-import` started as a child process, for tests that signal or kill it. Its stderr
/// goes to a file, so that a chatty run can never block on a full pipe. Killed on drop.
pub struct Running {
    child: Child,
    stderr: PathBuf,
}

impl Running {
    /// Start `fq-import` with `args`, its stderr written to `stderr`.
    pub fn start<I, S>(args: I, stderr: &Path) -> Running
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let log = std::fs::File::create(stderr).expect("create a file for stderr");
        let child = StdCommand::new(env!("CARGO_BIN_EXE_fq-import"))
            .args(args)
            .env_remove("FQ_WEBHOOK_URL")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start fq-import");
        Running {
            child,
            stderr: stderr.to_owned(),
        }
    }

    /// Send a signal, by name (`INT`, `TERM`, `KILL`), with the `kill` command.
    pub fn signal(&self, name: &str) {
        let status = StdCommand::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} failed: {status}");
    }

    /// Whether the process has ended (and been reaped).
    pub fn has_exited(&mut self) -> bool {
        self.child.try_wait().expect("poll the child").is_some()
    }

    /// Wait at most `timeout` for the process to end; its exit code (`None` when a signal
    /// ended it) and what it wrote on stderr.
    pub fn wait(&mut self, timeout: std::time::Duration) -> (Option<i32>, String) {
        let deadline = std::time::Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "fq-import still running after {timeout:?}:\n{}",
                self.stderr()
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let stderr = self.stderr();
        assert!(
            !stderr.contains("panicked"),
            "fq-import panicked:\n{stderr}"
        );
        (status.code(), stderr)
    }

    /// What the process has written on stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
