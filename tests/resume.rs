//! `--resume`: which rows an earlier run's report lets a run skip, which it sends again,
//! when the report is refused as belonging to another input, mapping or shard, and what the
//! report holds afterwards.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    MockProcess, ReportRow, Running, count_lines, fq, numbered_rows, person, read_report,
    read_report_jsonl, sent_per_email, text, wait_until, webhook_url, write,
};
use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// An input and its mapping in a temporary folder, imported with one report.
struct Case {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
    report: PathBuf,
}

impl Case {
    /// `n` rows of [`person`] addresses.
    fn numbered(n: usize) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let (input, mapping) = numbered_rows(dir.path(), n);
        let report = dir.path().join("report.csv");
        Case {
            dir,
            input,
            mapping,
            report,
        }
    }

    fn with_report(mut self, name: &str) -> Case {
        self.report = self.dir.path().join(name);
        self
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `fq-import import` into `url`, quiet, with quick retries.
    fn import(&self, url: &str) -> assert_cmd::Command {
        let mut cmd = fq();
        cmd.arg("import")
            .arg(&self.input)
            .arg("--mapping")
            .arg(&self.mapping)
            .args(["--url", url, "--retry-delay", "10ms", "-q"])
            .arg("--report")
            .arg(&self.report)
            .timeout(Duration::from_secs(30));
        cmd
    }

    fn report(&self) -> Vec<ReportRow> {
        read_report(&self.report)
    }

    fn report_bytes(&self) -> Vec<u8> {
        std::fs::read(&self.report).unwrap()
    }
}

/// Each line's row and outcome.
fn outcomes(report: &[ReportRow]) -> Vec<(u64, &str)> {
    report.iter().map(|r| (r.row, r.outcome.as_str())).collect()
}

/// `(1, "imported")` … `(n, "imported")`.
fn all_imported(n: u64) -> Vec<(u64, &'static str)> {
    (1..=n).map(|row| (row, "imported")).collect()
}

fn part_of(report: &Path) -> PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// The contact.email of every request a wiremock server received, with how often.
async fn requests_per_email(server: &MockServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in server.received_requests().await.unwrap() {
        let body: Value = request.body_json().unwrap();
        let email = body["contact"]["email"].as_str().unwrap().to_owned();
        *counts.entry(email).or_insert(0) += 1;
    }
    counts
}

/// A webhook that answers `refuse(email)` when it gives a response, and accepts the rest
/// with the row id `row_id`.
async fn webhook_refusing(
    row_id: &'static str,
    refuse: impl Fn(&str) -> Option<ResponseTemplate> + Send + Sync + 'static,
) -> MockServer {
    let server = MockServer::start().await;
    let responder = move |request: &Request| {
        let body: Value = request.body_json().unwrap();
        let email = body["contact"]["email"].as_str().unwrap_or_default();
        refuse(email).unwrap_or_else(|| {
            ResponseTemplate::new(200).set_body_json(json!({
                "id": row_id, "object": "row", "status": "PENDING"
            }))
        })
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

/// The number in a [`person`] address.
fn number_of(email: &str) -> usize {
    email
        .trim_start_matches("person")
        .split('@')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn refusal(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"status": status, "message": message}))
}

#[test]
fn resume_with_no_report_yet_starts_from_the_first_row() {
    let case = Case::numbered(5);
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);

    let output = fq()
        .arg("import")
        .arg(&case.input)
        .arg("--mapping")
        .arg(&case.mapping)
        .args(["--url", &mock.url(), "--resume"])
        .arg("--report")
        .arg(&case.report)
        .output()
        .unwrap();

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("no report to resume from yet"), "{stderr}");
    assert_eq!(outcomes(&case.report()), all_imported(5));
    assert_eq!(sent_per_email(&record).len(), 5);
}

#[tokio::test]
async fn resume_sends_only_the_rows_not_imported_and_the_report_keeps_each_rows_latest_line() {
    let case = Case::numbered(12);
    // The first run: multiples of 3 are refused with a 400, multiples of 5 get 500s.
    let first = webhook_refusing("row_first_run", |email| match number_of(email) {
        n if n % 3 == 0 => Some(refusal(400, "Invalid data")),
        n if n % 5 == 0 => Some(refusal(500, "Internal server error")),
        _ => None,
    })
    .await;
    case.import(&webhook_url(&first.uri()))
        .args(["--max-retries", "1"])
        .assert()
        .code(1);
    let failed_first: [u64; 6] = [3, 5, 6, 9, 10, 12];
    let report = case.report();
    for line in &report {
        let expected = if failed_first.contains(&line.row) {
            "failed"
        } else {
            "imported"
        };
        assert_eq!(line.outcome, expected, "{line:?}");
    }

    // The second run: row 9 is still refused, with another message.
    let second = webhook_refusing("row_second_run", |email| {
        (number_of(email) == 9).then(|| refusal(400, "Still refused on the second run"))
    })
    .await;
    case.import(&webhook_url(&second.uri()))
        .arg("--resume")
        .assert()
        .code(1);
    let sent_second = requests_per_email(&second).await;
    let expected: BTreeMap<String, usize> = failed_first
        .iter()
        .map(|&i| (person(i as usize), 1))
        .collect();
    assert_eq!(
        sent_second, expected,
        "each failed row is sent once more, the imported ones are not"
    );
    let report = case.report();
    let rows: Vec<u64> = report.iter().map(|r| r.row).collect();
    assert_eq!(
        rows,
        (1..=12).collect::<Vec<_>>(),
        "one line per row, in order"
    );
    let row_9 = &report[8];
    assert_eq!(row_9.outcome, "failed");
    assert!(
        row_9.error.contains("Still refused on the second run"),
        "the latest outcome wins: {row_9:?}"
    );
    assert!(
        report
            .iter()
            .filter(|r| r.row != 9)
            .all(|r| r.outcome == "imported")
    );

    // The third run, against a healthy stand-in, sends row 9 alone.
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&mock.url()).arg("--resume").assert().success();
    assert_eq!(
        sent_per_email(&record),
        BTreeMap::from([(person(9), 1)]),
        "only the row that failed twice is sent"
    );
    let report = case.report();
    assert_eq!(outcomes(&report), all_imported(12));
    for line in &report {
        let expected = match line.row {
            9 => "the stand-in's",
            row if failed_first.contains(&row) => "row_second_run",
            _ => "row_first_run",
        };
        let row_id = match line.row_id.as_str() {
            "row_first_run" | "row_second_run" => line.row_id.as_str(),
            _ => "the stand-in's",
        };
        assert_eq!(
            row_id, expected,
            "each row keeps the line of the run that imported it: {line:?}"
        );
        assert_eq!(line.error, "", "{line:?}");
    }
    assert!(!part_of(&case.report).exists());
}

/// An input whose second row has a seniority the webhook does not know.
fn case_with_a_bad_seniority() -> Case {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "levels.csv",
        "Email,Level\n\
         one@levels.example,senior\n\
         two@levels.example,boss\n\
         three@levels.example,junior\n",
    );
    let mapping = write(
        dir.path(),
        "levels.toml",
        "[contact]\nemail = \"Email\"\n\n[employment]\nseniority = \"Level\"\n",
    );
    let report = dir.path().join("report.csv");
    Case {
        dir,
        input,
        mapping,
        report,
    }
}

#[test]
fn resume_maps_invalid_rows_again_and_still_does_not_send_them() {
    let case = case_with_a_bad_seniority();
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&mock.url()).assert().code(1);
    assert_eq!(
        outcomes(&case.report()),
        [(1, "imported"), (2, "invalid"), (3, "imported")]
    );

    case.import(&mock.url()).arg("--resume").assert().code(1);

    let report = case.report();
    assert_eq!(
        outcomes(&report),
        [(1, "imported"), (2, "invalid"), (3, "imported")]
    );
    assert!(report[1].error.contains("seniority"), "{:?}", report[1]);
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
}

#[test]
fn a_fixed_mapping_with_force_sends_the_rows_that_were_invalid() {
    let case = case_with_a_bad_seniority();
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&mock.url()).assert().code(1);
    write(
        case.dir.path(),
        "levels.toml",
        "[contact]\nemail = \"Email\"\n",
    );

    case.import(&mock.url())
        .args(["--resume", "--force"])
        .assert()
        .success();

    assert_eq!(outcomes(&case.report()), all_imported(3));
    let sent = sent_per_email(&record);
    let expected: BTreeMap<String, usize> = [
        ("one@levels.example", 1),
        ("two@levels.example", 1),
        ("three@levels.example", 1),
    ]
    .into_iter()
    .map(|(email, n)| (email.to_owned(), n))
    .collect();
    assert_eq!(
        sent, expected,
        "the row that was invalid is sent now; the rows imported before are not sent again"
    );
}

/// A first run into a fresh recording stand-in, with `flags`; returns the stand-in and its
/// record file.
fn first_run(case: &Case, flags: &[&str]) -> (MockProcess, PathBuf) {
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&mock.url()).args(flags).assert().success();
    (mock, record)
}

/// A resume that must be refused with exit 2, naming `difference`, sending nothing and
/// leaving the report as it was.
fn assert_refused(case: &Case, mock: &MockProcess, flags: &[&str], difference: &str) {
    let before = case.report_bytes();
    let received = mock.received();

    let output = case
        .import(&mock.url())
        .arg("--resume")
        .args(flags)
        .output()
        .unwrap();

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(difference),
        "the refusal should say {difference:?}:\n{stderr}"
    );
    assert!(stderr.contains("--force"), "and how to go on:\n{stderr}");
    assert_eq!(mock.received(), received, "nothing is sent");
    assert_eq!(case.report_bytes(), before, "the report is left alone");
}

#[test]
fn resume_is_refused_when_rows_were_appended_then_force_sends_only_the_new_row() {
    let case = Case::numbered(5);
    let (mock, record) = first_run(&case, &[]);
    let mut input = std::fs::read_to_string(&case.input).unwrap();
    input.push_str(&format!("{},Person 6\n", person(6)));
    std::fs::write(&case.input, input).unwrap();

    assert_refused(&case, &mock, &[], "the input's size was");

    case.import(&mock.url())
        .args(["--resume", "--force"])
        .assert()
        .success();
    assert_eq!(outcomes(&case.report()), all_imported(6));
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), 6);
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
}

#[test]
fn resume_is_refused_when_the_input_was_edited_in_place() {
    let case = Case::numbered(5);
    let (mock, _record) = first_run(&case, &[]);
    // The same size: only the content says the file is another one.
    let input = std::fs::read_to_string(&case.input).unwrap();
    std::fs::write(&case.input, input.replace("Person 1\n", "Person X\n")).unwrap();

    assert_refused(&case, &mock, &[], "the input's first MiB differs");
}

#[test]
fn resume_is_refused_when_only_the_inputs_modification_time_changed() {
    let case = Case::numbered(5);
    let (mock, _record) = first_run(&case, &[]);
    let status = std::process::Command::new("touch")
        .args(["-d", "2001-02-03 04:05:06"])
        .arg(&case.input)
        .status()
        .unwrap();
    assert!(status.success());

    assert_refused(&case, &mock, &[], "the input has been modified since");
}

#[test]
fn resume_is_refused_when_the_mapping_changed_then_force_uses_the_new_one() {
    let case = Case::numbered(5);
    let (mock, record) = first_run(&case, &["--limit", "3"]);
    write(
        case.dir.path(),
        "rows.toml",
        "[contact]\nemail = \"Email\"\nname = \"Name\"\nnote = { value = \"second run\" }\n",
    );

    assert_refused(&case, &mock, &[], "the mapping file has changed");

    case.import(&mock.url())
        .args(["--resume", "--force"])
        .assert()
        .success();
    assert_eq!(outcomes(&case.report()), all_imported(5));
    let notes: BTreeMap<String, Value> = common::read_lines(&record)
        .into_iter()
        .map(|body| {
            (
                common::email(&body).to_owned(),
                body["contact"]["note"].clone(),
            )
        })
        .collect();
    let expected: BTreeMap<String, Value> = (1..=5)
        .map(|i| {
            let note = if i > 3 {
                json!("second run")
            } else {
                Value::Null
            };
            (person(i), note)
        })
        .collect();
    assert_eq!(
        notes, expected,
        "rows 4 and 5 were mapped with the new mapping"
    );
}

#[test]
fn resume_is_refused_when_the_shard_differs() {
    let case = Case::numbered(6);
    let (mock, _record) = first_run(&case, &["--shard", "1/2"]);

    assert_refused(
        &case,
        &mock,
        &["--shard", "2/2"],
        "it was shard 1/2, now shard 2/2",
    );
}

#[test]
fn a_report_without_its_fingerprint_is_resumed_only_with_force() {
    let case = Case::numbered(5);
    let (mock, record) = first_run(&case, &["--limit", "2"]);
    let mut meta = case.report.as_os_str().to_owned();
    meta.push(".meta.json");
    std::fs::remove_file(meta).unwrap();

    assert_refused(&case, &mock, &[], "does not say which input it belongs to");

    case.import(&mock.url())
        .args(["--resume", "--force"])
        .assert()
        .success();
    assert_eq!(outcomes(&case.report()), all_imported(5));
    assert_eq!(sent_per_email(&record).len(), 5);
}

#[test]
fn a_jsonl_report_resumes_like_a_csv_one() {
    let case = Case::numbered(10).with_report("report.jsonl");
    let (mock, record) = first_run(&case, &["--limit", "4"]);
    assert_eq!(read_report_jsonl(&case.report).len(), 4);

    case.import(&mock.url()).arg("--resume").assert().success();

    let report = read_report_jsonl(&case.report);
    assert_eq!(outcomes(&report), all_imported(10));
    let sent = sent_per_email(&record);
    assert_eq!(sent.len(), 10);
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
}

/// Import `n` numbered rows, cut the report's text at `cut` bytes, as a crash can leave it,
/// and resume; the report afterwards, which must be whole again.
fn resumed_after_a_cut(n: usize, report: &str, cut: impl FnOnce(&str) -> usize) {
    let case = Case::numbered(n).with_report(report);
    let (mock, _record) = first_run(&case, &[]);
    let full = std::fs::read_to_string(&case.report).unwrap();
    let end = cut(&full);
    std::fs::write(&case.report, &full[..end]).unwrap();

    case.import(&mock.url()).arg("--resume").assert().success();

    let lines = std::fs::read_to_string(&case.report).unwrap();
    let report: Result<Vec<ReportRow>, String> = if report.ends_with(".jsonl") {
        lines
            .lines()
            .map(|line| serde_json::from_str(line).map_err(|e| format!("{line:?}: {e}")))
            .collect()
    } else {
        csv::Reader::from_reader(lines.as_bytes())
            .deserialize()
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())
    };
    let report = report.unwrap_or_else(|e| {
        panic!("after the resume the report should be whole again: {e}\n{lines}")
    });
    assert_eq!(outcomes(&report), all_imported(n as u64));
    for line in &report {
        assert_eq!(line.key, person(line.row as usize), "{line:?}");
        assert!(line.row_id.starts_with("row_"), "{line:?}");
    }
}

// A crash can leave the report's last line cut short: a burst of lines larger than the
// writer's buffer (many invalid rows at once, or the rows held back behind one slow row,
// released together) reaches the file in pieces, and a power cut can lose the end of a
// page not yet synced.

#[test]
fn a_report_line_cut_after_its_outcome_is_not_kept_as_it_is() {
    resumed_after_a_cut(4, "report.csv", |full| {
        full.rfind("imported").unwrap() + "imported,20".len()
    });
}

#[test]
fn a_report_line_cut_to_a_row_number_does_not_replace_an_earlier_rows_line() {
    // What is left of row 12's line, `1`, reads as a line for row 1.
    resumed_after_a_cut(12, "report.csv", |full| full.rfind("\n12,").unwrap() + 2);
}

#[test]
fn a_jsonl_report_line_cut_to_a_row_number_does_not_replace_an_earlier_rows_line() {
    resumed_after_a_cut(12, "report.jsonl", |full| {
        full.rfind("{\"row\":12,").unwrap() + "{\"row\":1".len()
    });
}

#[tokio::test]
async fn a_part_file_left_by_a_killed_resume_is_merged_by_the_next_run() {
    const ROWS: usize = 300;
    let case = Case::numbered(ROWS);
    let refuse_all = webhook_refusing("row_never", |_| Some(refusal(400, "Invalid data"))).await;
    case.import(&webhook_url(&refuse_all.uri()))
        .assert()
        .code(1);

    // A slow resume, one request at a time, killed once a few rows are in its part file.
    let slow_record = case.path("slow-record.jsonl");
    let slow = MockProcess::start(&["--record", slow_record.to_str().unwrap(), "--latency", "20"]);
    let part = part_of(&case.report);
    let mut args: Vec<std::ffi::OsString> = vec!["import".into(), case.input.clone().into()];
    args.extend(["--mapping".into(), case.mapping.clone().into()]);
    args.extend(["--url".into(), slow.url().into(), "--resume".into()]);
    args.extend(["--concurrency".into(), "1".into(), "-q".into()]);
    args.extend(["--report".into(), case.report.clone().into()]);
    let mut running = Running::start(args, &case.path("stderr.txt"));
    wait_until(
        "five lines in the part file",
        Duration::from_secs(15),
        || count_lines(&part) >= 5,
    );
    running.signal("KILL");
    running.wait(Duration::from_secs(10));
    assert!(part.exists(), "a killed resume leaves its part file");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&part).unwrap().permissions());
    assert_eq!(
        mode & 0o777,
        0o600,
        "the part file is readable by its owner only"
    );
    let in_part: BTreeSet<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(&part)
        .unwrap()
        .deserialize::<ReportRow>()
        .filter_map(Result::ok)
        .filter(|line| line.outcome == "imported")
        .map(|line| line.key)
        .collect();
    assert!(in_part.len() >= 5, "{in_part:?}");

    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&mock.url()).arg("--resume").assert().success();

    let sent = sent_per_email(&record);
    let resent: Vec<&String> = in_part.iter().filter(|e| sent.contains_key(*e)).collect();
    assert!(
        resent.is_empty(),
        "rows the part file says were imported are not sent again: {resent:?}"
    );
    let slow_sent = sent_per_email(&slow_record);
    for i in 1..=ROWS {
        let email = person(i);
        assert!(
            sent.contains_key(&email) || slow_sent.contains_key(&email),
            "{email} was never accepted"
        );
    }
    let both = slow_sent.keys().filter(|e| sent.contains_key(*e)).count();
    assert!(
        both <= 1,
        "only the row in flight at the kill is sent twice"
    );
    assert_eq!(outcomes(&case.report()), all_imported(ROWS as u64));
    assert!(!part.exists(), "the part file is merged and removed");
}
