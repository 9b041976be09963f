//! `--state FILE`: a nightly run of a whole export sends only the contacts that are new or
//! changed since the webhook last accepted them, and `fq-import state` looks into the file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    MockProcess, Running, count_lines, fq, numbered_rows, person, read_lines, read_report,
    sent_per_email, text, wait_until,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// One entry of `fq-import state export`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    fingerprint: String,
    last_sent: String,
    row_id: String,
}

/// A folder with an input, its mapping and a state file, run against fresh stand-ins.
struct Nightly {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
    state: PathBuf,
    runs: usize,
}

/// What one run against a fresh recording stand-in did.
struct Night {
    code: Option<i32>,
    stderr: String,
    report: Vec<common::ReportRow>,
    /// The raw bodies the stand-in accepted, one per line.
    record: PathBuf,
}

impl Night {
    /// How many times the stand-in accepted each address.
    fn sent(&self) -> BTreeMap<String, usize> {
        sent_per_email(&self.record)
    }

    fn outcomes(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for row in &self.report {
            *counts.entry(row.outcome.clone()).or_insert(0) += 1;
        }
        counts
    }
}

impl Nightly {
    fn new(rows: usize) -> Nightly {
        let dir = tempfile::tempdir().unwrap();
        let (input, mapping) = numbered_rows(dir.path(), rows);
        let state = dir.path().join("export.state");
        Nightly {
            dir,
            input,
            mapping,
            state,
            runs: 0,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Rewrite the input.
    fn set_input(&self, text: &str) {
        std::fs::write(&self.input, text).unwrap();
    }

    fn input_text(&self) -> String {
        std::fs::read_to_string(&self.input).unwrap()
    }

    /// Run an import with `--state` into a fresh recording stand-in started with
    /// `mock_flags`.
    fn run_with(&mut self, mock_flags: &[&str], flags: &[&str]) -> Night {
        self.runs += 1;
        let record = self.path(&format!("record-{}.jsonl", self.runs));
        let report = self.path(&format!("report-{}.csv", self.runs));
        let mut all = vec!["--record", record.to_str().unwrap()];
        all.extend_from_slice(mock_flags);
        let mock = MockProcess::start(&all);
        let output = fq()
            .arg("import")
            .arg(&self.input)
            .arg("-m")
            .arg(&self.mapping)
            .args(["--url", &mock.url(), "--state"])
            .arg(&self.state)
            .arg("--report")
            .arg(&report)
            .args(flags)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        Night {
            code: output.status.code(),
            stderr,
            report: match report.exists() {
                true => read_report(&report),
                false => Vec::new(),
            },
            record,
        }
    }

    /// The arguments of an import of this input, with this state, into `url`, writing the
    /// report `report` (a name in the folder), followed by `flags`.
    fn import_args(&self, url: &str, report: &str, flags: &[&str]) -> Vec<String> {
        let mut args = vec![
            "import".to_owned(),
            self.input.display().to_string(),
            "-m".to_owned(),
            self.mapping.display().to_string(),
            "--url".to_owned(),
            url.to_owned(),
            "--state".to_owned(),
            self.state.display().to_string(),
            "--report".to_owned(),
            self.path(report).display().to_string(),
        ];
        args.extend(flags.iter().map(|f| f.to_string()));
        args
    }

    /// Import into the sandbox with `state` as the state file and `report` as the report,
    /// and check that the run is refused for giving one file two roles.
    fn assert_refused_as_one_file(&self, state: &Path, report: &Path, what: &str) {
        let output = fq()
            .arg("import")
            .arg(&self.input)
            .arg("-m")
            .arg(&self.mapping)
            .args(["--sandbox", "--report"])
            .arg(report)
            .arg("--state")
            .arg(state)
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "--state on the {what}: {stderr}"
        );
        assert!(stderr.contains("a file of its own"), "{stderr}");
    }

    fn run(&mut self, flags: &[&str]) -> Night {
        self.run_with(&[], flags)
    }

    /// The state file's entries, from `fq-import state export`.
    fn exported(&self) -> BTreeMap<String, Entry> {
        export(&self.state)
    }
}

fn export(state: &Path) -> BTreeMap<String, Entry> {
    let output = fq().args(["state", "export"]).arg(state).output().unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut reader = csv::Reader::from_reader(output.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, ["key", "fingerprint", "last_sent", "row_id"]);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let entry = Entry {
                fingerprint: r[1].to_owned(),
                last_sent: r[2].to_owned(),
                row_id: r[3].to_owned(),
            };
            (r[0].to_owned(), entry)
        })
        .collect()
}

/// Each accepted body's address and the SHA-256 of its bytes, from a record file.
fn accepted(record: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut found: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let text = std::fs::read_to_string(record).unwrap_or_default();
    for line in text.lines() {
        let body: serde_json::Value = serde_json::from_str(line).unwrap();
        let email = body["contact"]["email"].as_str().unwrap().to_lowercase();
        found
            .entry(email)
            .or_default()
            .insert(hex(&Sha256::digest(line.as_bytes())));
    }
    found
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_same_file_again_sends_nothing_and_every_row_is_unchanged() {
    let mut nightly = Nightly::new(50);
    let first = nightly.run(&[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(first.sent().len(), 50);
    let ids: BTreeMap<String, String> = first
        .report
        .iter()
        .map(|r| (r.key.clone(), r.row_id.clone()))
        .collect();

    let summary = nightly.path("summary.json");
    let second = nightly.run(&["--summary-json", summary.to_str().unwrap()]);
    assert_eq!(
        second.code,
        Some(0),
        "unchanged rows are no failure: {}",
        second.stderr
    );
    assert!(
        second.sent().is_empty(),
        "nothing is sent: {:?}",
        second.sent()
    );
    assert_eq!(
        second.outcomes(),
        BTreeMap::from([("unchanged".to_owned(), 50)])
    );
    for row in &second.report {
        assert_eq!(row.attempts, 0);
        assert_eq!(
            Some(&row.row_id),
            ids.get(&row.key),
            "an unchanged row shows the row id the webhook gave it"
        );
    }
    assert!(second.stderr.contains("50 unchanged"), "{}", second.stderr);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    assert_eq!(summary["rows"]["unchanged"], 50);
    assert_eq!(summary["rows"]["imported"], 0);
}

#[test]
fn an_edited_row_and_an_added_row_are_the_only_ones_sent() {
    let mut nightly = Nightly::new(20);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let before = nightly.exported();
    let edited = nightly.input_text().replace("Person 7\n", "Person Seven\n")
        + &format!("{},Person 21\n", person(21));
    nightly.set_input(&edited);

    let night = nightly.run(&[]);
    assert_eq!(night.code, Some(0), "{}", night.stderr);
    assert_eq!(
        night.sent(),
        BTreeMap::from([(person(7), 1), (person(21), 1)]),
        "only the edited row and the new one go out"
    );
    let bodies = read_lines(&night.record);
    let seven = bodies
        .iter()
        .find(|b| b["contact"]["email"] == person(7).as_str());
    assert_eq!(seven.unwrap()["contact"]["name"], "Person Seven");
    assert_eq!(
        night.outcomes(),
        BTreeMap::from([("imported".to_owned(), 2), ("unchanged".to_owned(), 19)])
    );
    let after = nightly.exported();
    assert_eq!(after.len(), 21);
    assert_ne!(
        after[&person(7)].fingerprint,
        before[&person(7)].fingerprint
    );
    assert_eq!(
        after[&person(8)],
        before[&person(8)],
        "an unchanged row is left as it was"
    );
    // What the state holds is the fingerprint of exactly the bytes the webhook accepted.
    let sent = accepted(&night.record);
    assert!(sent[&person(7)].contains(&after[&person(7)].fingerprint));
}

#[test]
fn stopped_midway_the_state_holds_exactly_the_rows_the_webhook_accepted() {
    const ROWS: usize = 3000;
    let nightly = Nightly::new(ROWS);
    let record = nightly.path("record.jsonl");
    let report = nightly.path("report.csv");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "2"]);
    let args = nightly.import_args(&mock.url(), "report.csv", &[]);
    let mut running = Running::start(args, &nightly.path("stderr"));
    wait_until("300 rows accepted", Duration::from_secs(20), || {
        count_lines(&record) >= 300
    });
    running.signal("TERM");
    let (code, stderr) = running.wait(Duration::from_secs(20));
    assert_eq!(code, Some(130), "{stderr}");

    let sent = accepted(&record);
    assert!(sent.len() < ROWS, "the run stopped before the end");
    let state = nightly.exported();
    let in_state: BTreeSet<&String> = state.keys().collect();
    assert_eq!(
        in_state,
        sent.keys().collect::<BTreeSet<_>>(),
        "the state holds the rows the webhook accepted, and only those"
    );
    for (key, entry) in &state {
        assert!(
            sent[key].contains(&entry.fingerprint),
            "{key}: another body"
        );
    }
    let imported = read_report(&report)
        .into_iter()
        .filter(|r| r.outcome == "imported")
        .count();
    assert_eq!(imported, state.len(), "the report agrees with the state");
}

#[test]
fn killed_midway_then_run_again_every_row_goes_out_and_only_rows_in_flight_twice() {
    const ROWS: usize = 3000;
    const CONCURRENCY: usize = 8;
    let mut nightly = Nightly::new(ROWS);
    let record = nightly.path("record.jsonl");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "2"]);
    let concurrency = CONCURRENCY.to_string();
    let args = nightly.import_args(&mock.url(), "killed.csv", &["-c", &concurrency]);
    let mut running = Running::start(args, &nightly.path("stderr"));
    wait_until("500 rows accepted", Duration::from_secs(20), || {
        count_lines(&record) >= 500
    });
    running.signal("KILL");
    let (code, stderr) = running.wait(Duration::from_secs(10));
    assert_eq!(code, None, "killed: {stderr}");

    // Whatever the state holds, the webhook accepted; at most the rows in flight are
    // accepted but not yet recorded.
    let sent = accepted(&record);
    let state = nightly.exported();
    for (key, entry) in &state {
        assert!(
            sent.get(key)
                .is_some_and(|f| f.contains(&entry.fingerprint)),
            "{key} is in the state but the webhook never accepted that body"
        );
    }
    let unrecorded = sent.len() - state.len();
    assert!(
        unrecorded <= CONCURRENCY,
        "{unrecorded} accepted rows are missing from the state"
    );

    let again = nightly.run(&[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let mut total = sent_per_email(&record);
    for (email, n) in again.sent() {
        *total.entry(email).or_insert(0) += n;
    }
    assert_eq!(total.len(), ROWS, "every row went out");
    let twice = total.values().filter(|n| **n > 1).count();
    assert_eq!(
        twice, unrecorded,
        "only the rows the state missed went out twice"
    );
    assert!(total.values().all(|n| *n <= 2));
    assert_eq!(nightly.exported().len(), ROWS);
}

#[test]
fn a_failed_row_is_sent_again_next_run() {
    let mut nightly = Nightly::new(40);
    let first = nightly.run_with(
        &["--fail-rate", "0.5"],
        &["--max-retries", "0", "--retry-delay", "1ms"],
    );
    assert_eq!(first.code, Some(1), "{}", first.stderr);
    let failed: BTreeSet<String> = first
        .report
        .iter()
        .filter(|r| r.outcome == "failed")
        .map(|r| r.key.clone())
        .collect();
    let imported: BTreeSet<String> = first
        .report
        .iter()
        .filter(|r| r.outcome == "imported")
        .map(|r| r.key.clone())
        .collect();
    assert!(
        !failed.is_empty() && !imported.is_empty(),
        "{:?}",
        first.outcomes()
    );
    assert_eq!(
        nightly.exported().keys().cloned().collect::<BTreeSet<_>>(),
        imported,
        "a failed row is not recorded"
    );

    let second = nightly.run(&[]);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_eq!(
        second.sent().keys().cloned().collect::<BTreeSet<_>>(),
        failed,
        "exactly the rows that failed go out again"
    );
}

#[test]
fn two_shards_share_one_state_file() {
    const ROWS: usize = 2000;
    let nightly = Nightly::new(ROWS);
    let record = nightly.path("record.jsonl");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "1"]);
    let shard = |k: &str, run: usize| {
        let report = format!("shard-{k}-{run}.csv");
        let flags = ["--shard", &format!("{k}/2"), "-c", "16"];
        let args = nightly.import_args(&mock.url(), &report, &flags);
        Running::start(args, &nightly.path(&format!("stderr-{k}-{run}")))
    };
    // Both start on a state file that does not exist yet.
    let (mut one, mut two) = (shard("1", 1), shard("2", 1));
    for running in [&mut one, &mut two] {
        let (code, stderr) = running.wait(Duration::from_secs(60));
        assert_eq!(code, Some(0), "{stderr}");
    }
    assert_eq!(sent_per_email(&record).len(), ROWS);
    let state = nightly.exported();
    assert_eq!(state.len(), ROWS, "both shards recorded their rows");

    let (mut one, mut two) = (shard("1", 2), shard("2", 2));
    for running in [&mut one, &mut two] {
        let (code, stderr) = running.wait(Duration::from_secs(60));
        assert_eq!(code, Some(0), "{stderr}");
        assert!(stderr.contains("1000 unchanged"), "{stderr}");
    }
    assert_eq!(count_lines(&record), ROWS, "the second night sent nothing");
}

#[test]
fn state_forget_makes_a_row_go_out_again() {
    let mut nightly = Nightly::new(10);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let output = fq()
        .args(["state", "forget"])
        .arg(&nightly.state)
        .args([
            &format!("  {}", person(3).to_uppercase()),
            "nobody@rows.example",
        ])
        .output()
        .unwrap();
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("forgot 1 contact"), "{stderr}");
    assert!(stderr.contains("nobody@rows.example is not in"), "{stderr}");
    assert_eq!(nightly.exported().len(), 9);

    let night = nightly.run(&[]);
    assert_eq!(night.sent(), BTreeMap::from([(person(3), 1)]));

    // Keys may come on stdin, one per line.
    fq().args(["state", "forget"])
        .arg(&nightly.state)
        .arg("-")
        .write_stdin(format!("{}\n\n{}\n", person(4), person(5)))
        .assert()
        .success();
    let night = nightly.run(&[]);
    assert_eq!(
        night.sent(),
        BTreeMap::from([(person(4), 1), (person(5), 1)])
    );
}

#[test]
fn a_dry_run_shows_what_would_be_sent_and_changes_nothing() {
    let mut nightly = Nightly::new(10);
    let dry = |nightly: &Nightly| {
        fq().arg("import")
            .arg(&nightly.input)
            .arg("-m")
            .arg(&nightly.mapping)
            .args(["--dry-run", "--state"])
            .arg(&nightly.state)
            .arg("--report")
            .arg(nightly.path("dry.csv"))
            .output()
            .unwrap()
    };
    // With no state file yet, every row would be sent, and no file is made.
    let output = dry(&nightly);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(common::parse_lines(&text(&output.stdout)).len(), 10);
    assert!(!nightly.state.exists(), "a dry run creates no state file");

    assert_eq!(nightly.run(&[]).code, Some(0));
    let edited = nightly.input_text().replace("Person 2\n", "Person Two\n");
    nightly.set_input(&edited);
    let before = std::fs::read(&nightly.state).unwrap();
    let exported = nightly.exported();

    let output = dry(&nightly);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let bodies = common::parse_lines(&text(&output.stdout));
    assert_eq!(bodies.len(), 1, "only the edited row would be sent");
    assert_eq!(bodies[0]["contact"]["name"], "Person Two");
    let report = read_report(&nightly.path("dry.csv"));
    let ready: Vec<u64> = report
        .iter()
        .filter(|r| r.outcome == "ready")
        .map(|r| r.row)
        .collect();
    assert_eq!(ready, [2]);
    assert_eq!(
        report.iter().filter(|r| r.outcome == "unchanged").count(),
        9
    );
    assert_eq!(
        std::fs::read(&nightly.state).unwrap(),
        before,
        "the file is untouched"
    );
    assert_eq!(nightly.exported(), exported);
}

#[test]
fn state_works_with_dedupe_rejects_and_resume() {
    let mut nightly = Nightly::new(0);
    nightly.set_input(
        "Email,Name\n\
         ann@state.example,Ann\n\
         bob@state.example,Bob\n\
         ANN@state.example,Ann again\n\
         not an address,Nobody\n\
         cat@state.example,Cat\n",
    );
    let rejects = nightly.path("rejects.csv");
    let flags = ["--dedupe", "--rejects", rejects.to_str().unwrap()];
    let first = nightly.run(&flags);
    assert_eq!(first.code, Some(1), "{}", first.stderr);
    assert_eq!(first.sent().len(), 3);
    let second = nightly.run(&flags);
    let outcomes: Vec<&str> = second.report.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "unchanged",
            "unchanged",
            "duplicate",
            "invalid",
            "unchanged"
        ]
    );
    assert!(second.sent().is_empty());
    let rejected = std::fs::read_to_string(&rejects).unwrap();
    assert_eq!(
        rejected, "Email,Name\nnot an address,Nobody\n",
        "only the invalid row is a reject"
    );

    // A trial of two rows, then --resume: the rows imported by the trial are left alone,
    // the rest are checked against the state.
    let mut trial = Nightly::new(6);
    let report = trial.path("report.csv");
    let run = |flags: &[&str], mock: &MockProcess, trial: &Nightly| {
        fq().arg("import")
            .arg(&trial.input)
            .arg("-m")
            .arg(&trial.mapping)
            .args(["--url", &mock.url(), "--state"])
            .arg(&trial.state)
            .arg("--report")
            .arg(&report)
            .args(flags)
            .output()
            .unwrap()
    };
    let record = trial.path("trial.jsonl");
    let mock = MockProcess::recording(&record);
    assert!(run(&["--limit", "2"], &mock, &trial).status.success());
    assert!(run(&["--resume"], &mock, &trial).status.success());
    assert_eq!(sent_per_email(&record).len(), 6);
    assert!(sent_per_email(&record).values().all(|n| *n == 1));
    let again = trial.run(&[]);
    assert!(again.sent().is_empty());
    assert_eq!(
        again.outcomes(),
        BTreeMap::from([("unchanged".to_owned(), 6)])
    );
}

#[test]
fn a_key_other_than_the_email_tells_contacts_apart() {
    let mut nightly = Nightly::new(0);
    nightly.set_input(
        "Email,Name,Apollo\n\
         ann@key.example,Ann,AP-1\n\
         bob@key.example,Bob,ap-1\n\
         cat@key.example,Cat,\n",
    );
    std::fs::write(
        &nightly.mapping,
        "[contact]\nemail = \"Email\"\nname = \"Name\"\nexternalIdApollo = \"Apollo\"\n",
    )
    .unwrap();
    let first = nightly.run(&["--key", "contact.externalIdApollo"]);
    assert_eq!(first.code, Some(1), "{}", first.stderr);
    let keys: Vec<(&str, &str)> = first
        .report
        .iter()
        .map(|r| (r.key.as_str(), r.outcome.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("AP-1", "imported"),
            ("ap-1", "imported"),
            ("cat@key.example", "invalid")
        ],
        "an id keeps its case; a row without one cannot be told apart"
    );
    assert!(
        first.report[2].error.contains("--key"),
        "{:?}",
        first.report[2]
    );
    let state = nightly.exported();
    assert_eq!(state.keys().collect::<Vec<_>>(), ["AP-1", "ap-1"]);

    // The same contact under a new address: the body changed, so it goes out again.
    nightly.set_input(
        "Email,Name,Apollo\n\
         ann@new.example,Ann,AP-1\n\
         bob@key.example,Bob,ap-1\n",
    );
    let second = nightly.run(&["--key", "contact.externalIdApollo"]);
    assert_eq!(
        second.sent(),
        BTreeMap::from([("ann@new.example".to_owned(), 1)])
    );
    assert_eq!(nightly.exported().len(), 2);

    // The file remembers its key.
    let third = nightly.run(&[]);
    assert_eq!(third.code, Some(2));
    assert!(
        third
            .stderr
            .contains("tracks contacts by contact.externalIdApollo"),
        "{}",
        third.stderr
    );
    assert!(third.sent().is_empty());
}

#[test]
fn a_state_file_is_kept_to_one_import() {
    let mut nightly = Nightly::new(3);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let mock = MockProcess::start(&[]);
    let other = mock.url().replace("/imp_test/", "/imp_other/");
    let output = fq()
        .arg("import")
        .arg(&nightly.input)
        .arg("-m")
        .arg(&nightly.mapping)
        .args(["--url", &other, "--state"])
        .arg(&nightly.state)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("sent to import imp_test") && stderr.contains("imp_other"),
        "{stderr}"
    );
    assert_eq!(mock.received(), 0);
}

#[test]
fn state_show_and_export_describe_the_file() {
    let mut nightly = Nightly::new(3);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let output = fq()
        .args(["state", "show"])
        .arg(&nightly.state)
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = text(&output.stdout);
    for part in [
        "contacts:  3",
        "key:       contact.email",
        "import:    imp_test",
        "oldest:",
        "newest:",
    ] {
        assert!(shown.contains(part), "no `{part}` in:\n{shown}");
    }
    let exported = nightly.exported();
    assert_eq!(
        exported.keys().cloned().collect::<Vec<_>>(),
        [person(1), person(2), person(3)]
    );
    for entry in exported.values() {
        assert_eq!(entry.fingerprint.len(), 64);
        assert!(entry.row_id.starts_with("row_"), "{entry:?}");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&entry.last_sent).is_ok(),
            "{entry:?}"
        );
    }

    // A missing file or a file of another kind is named, and nothing is created.
    let missing = nightly.path("missing.state");
    for command in ["show", "export", "forget"] {
        let mut cmd = fq();
        cmd.args(["state", command]).arg(&missing);
        if command == "forget" {
            cmd.arg("a@b.example");
        }
        let output = cmd.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "state {command}");
        assert!(text(&output.stderr).contains("no such state file"));
        assert!(!missing.exists(), "state {command} created the file");
    }
    let output = fq()
        .args(["state", "show"])
        .arg(&nightly.input)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("not a state file"));
}

#[test]
fn the_state_file_cannot_be_another_file_of_the_run() {
    let nightly = Nightly::new(3);
    let report = nightly.path("report.csv");
    let (input, mapping) = (
        nightly.input_text(),
        std::fs::read(&nightly.mapping).unwrap(),
    );
    for (state, what) in [
        (nightly.input.clone(), "input"),
        (nightly.mapping.clone(), "mapping"),
        (report.clone(), "report"),
    ] {
        nightly.assert_refused_as_one_file(&state, &report, what);
    }
    assert_eq!(nightly.input_text(), input);
    assert_eq!(std::fs::read(&nightly.mapping).unwrap(), mapping);
}

#[test]
fn a_contact_sent_twice_in_one_run_with_different_bodies_is_warned_of() {
    let mut nightly = Nightly::new(0);
    nightly.set_input(
        "Email,Name\n\
         ann@twice.example,Ann\n\
         bob@twice.example,Bob\n\
         ANN@twice.example,Ann Again\n\
         bob@twice.example,Bob\n",
    );
    let night = nightly.run(&[]);
    assert_eq!(night.code, Some(0), "{}", night.stderr);
    let warnings: Vec<&str> = night
        .stderr
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    assert_eq!(
        warnings.len(),
        1,
        "only Ann's two rows differ: {}",
        night.stderr
    );
    assert!(
        // Rows 1 and 3 are in flight together: either may be accepted last.
        warnings[0].contains("sent ann@twice.example again") && warnings[0].contains("--dedupe"),
        "{}",
        warnings[0]
    );

    // Each run takes a number of its own: the same rows sent by a later run are no repeat.
    nightly.set_input("Email,Name\nann@twice.example,Ann Once More\n");
    let later = nightly.run(&[]);
    assert_eq!(later.sent().len(), 1);
    assert!(!later.stderr.contains("warning:"), "{}", later.stderr);
}

#[cfg(unix)]
#[test]
fn a_new_state_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let mut nightly = Nightly::new(3);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let mode = std::fs::metadata(&nightly.state)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the state lists contacts: {mode:o}");
}

#[test]
fn a_second_run_of_the_whole_file_waits_for_none_and_is_refused() {
    let nightly = Nightly::new(400);
    let record = nightly.path("record.jsonl");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "20"]);
    let run = |report: &str| nightly.import_args(&mock.url(), report, &["-c", "2"]);
    let mut first = Running::start(run("first.csv"), &nightly.path("first.stderr"));
    wait_until("the first run sends", Duration::from_secs(20), || {
        count_lines(&record) >= 5
    });

    let second = fq().args(run("second.csv")).output().unwrap();
    let stderr = text(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another fq-import is sending with the state file"),
        "{stderr}"
    );
    first.signal("TERM");
    assert_eq!(first.wait(Duration::from_secs(20)).0, Some(130));
    let sent = sent_per_email(&record);
    assert!(
        sent.values().all(|n| *n == 1),
        "no row went out twice: {sent:?}"
    );

    // Once the first run is over, the file is free again.
    let third = fq().args(run("third.csv")).output().unwrap();
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
}

#[test]
fn a_run_that_sent_nothing_leaves_the_state_free_for_another_import() {
    let mut nightly = Nightly::new(3);
    let mock = MockProcess::start(&["--hash", "right-hash-000"]);
    let wrong = fq()
        .arg("import")
        .arg(&nightly.input)
        .arg("-m")
        .arg(&nightly.mapping)
        .args(["--url", &mock.url(), "--state"])
        .arg(&nightly.state)
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3), "{}", text(&wrong.stderr));
    assert!(text(&wrong.stderr).contains("404"));

    let night = nightly.run(&[]);
    assert_eq!(night.code, Some(0), "{}", night.stderr);
    assert_eq!(night.sent().len(), 3);
}

#[cfg(unix)]
#[test]
fn a_state_file_that_is_a_hard_link_to_the_report_is_refused() {
    let mut nightly = Nightly::new(3);
    assert_eq!(nightly.run(&[]).code, Some(0));
    let before = std::fs::read(&nightly.state).unwrap();
    let link = nightly.path("link.csv");
    std::fs::hard_link(&nightly.state, &link).unwrap();
    nightly.assert_refused_as_one_file(&nightly.state, &link, "report's hard link");
    assert_eq!(std::fs::read(&nightly.state).unwrap(), before);
}

#[test]
fn a_state_that_fails_midway_stops_the_sending_and_every_row_is_reported() {
    const ROWS: usize = 400;
    let nightly = Nightly::new(ROWS);
    let record = nightly.path("record.jsonl");
    let report = nightly.path("report.csv");
    let summary = nightly.path("summary.json");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "10"]);
    let flags = ["--summary-json", summary.to_str().unwrap(), "-c", "2"];
    let args = nightly.import_args(&mock.url(), "report.csv", &flags);
    let mut running = Running::start(args, &nightly.path("stderr"));
    wait_until("20 rows accepted", Duration::from_secs(20), || {
        count_lines(&record) >= 20
    });
    let conn = rusqlite::Connection::open(&nightly.state).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    conn.execute_batch("DROP TABLE contacts").unwrap();
    drop(conn);

    let (code, stderr) = running.wait(Duration::from_secs(20));
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("state file") && stderr.contains("stopped sending"),
        "{stderr}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let read = summary["rows"]["read"].as_u64().unwrap();
    let rows: Vec<u64> = read_report(&report).iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        (1..=read).collect::<Vec<_>>(),
        "every row read has one line, in order"
    );
    let outcomes = |outcome: &str| {
        read_report(&report)
            .iter()
            .filter(|r| r.outcome == outcome)
            .count()
    };
    assert!(outcomes("pending") > 0, "the run stopped before the end");
    let imported = outcomes("imported");
    assert_eq!(
        imported,
        count_lines(&record),
        "the report agrees with the webhook"
    );
}

#[test]
fn a_key_shown_with_a_quote_against_spreadsheets_can_be_forgotten() {
    let mut nightly = Nightly::new(0);
    nightly.set_input("Email,Name\n-dash@quote.example,Dash\n=eq@quote.example,Eq\n");
    let night = nightly.run(&[]);
    let keys: Vec<&str> = night.report.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(keys, ["'-dash@quote.example", "'=eq@quote.example"]);
    fq().args(["state", "forget"])
        .arg(&nightly.state)
        .args(keys)
        .assert()
        .success();
    assert!(nightly.exported().is_empty());

    let night = nightly.run(&[]);
    assert_eq!(night.sent().len(), 2);
    fq().args(["state", "forget"])
        .arg(&nightly.state)
        .args(["-dash@quote.example", "=eq@quote.example"])
        .assert()
        .success();
    assert!(nightly.exported().is_empty(), "the bare keys work too");
}

#[test]
fn a_second_copy_of_one_shard_is_refused_and_another_shard_is_not() {
    let nightly = Nightly::new(200);
    let record = nightly.path("record.jsonl");
    let mock = MockProcess::start(&["--record", record.to_str().unwrap(), "--latency", "20"]);
    let run = |shard: &str, report: &str| {
        nightly.import_args(&mock.url(), report, &["--shard", shard, "-c", "2"])
    };
    let mut first = Running::start(run("1/2", "one.csv"), &nightly.path("one.stderr"));
    wait_until("shard 1/2 sends", Duration::from_secs(20), || {
        count_lines(&record) >= 5
    });

    let again = fq().args(run("1/2", "again.csv")).output().unwrap();
    let stderr = text(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another fq-import is sending"), "{stderr}");
    let other = fq().args(run("2/2", "two.csv")).output().unwrap();
    assert_eq!(other.status.code(), Some(0), "{}", text(&other.stderr));

    assert_eq!(first.wait(Duration::from_secs(30)).0, Some(0));
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), 200);
    assert!(sent.values().all(|n| *n == 1), "no row went out twice");
}

#[cfg(unix)]
#[test]
fn a_state_that_is_a_link_to_the_report_not_made_yet_is_refused() {
    let nightly = Nightly::new(3);
    let report = nightly.path("report.csv");
    let state = nightly.path("link.state");
    std::os::unix::fs::symlink("report.csv", &state).unwrap();
    nightly.assert_refused_as_one_file(&state, &report, "report, through a link");
    assert!(!report.exists(), "nothing was written");
}
