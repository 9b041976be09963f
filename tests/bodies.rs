//! The bodies a fixture maps to, as the webhook receives them and as a dry run prints them,
//! compared with the expected bodies committed in `fixtures/expected/`.

mod common;

use common::{MockProcess, by_email, fixture, fq, parse_lines, read_lines, text, write};
use serde_json::Value;

/// Import `input` into a recording stand-in and return the bodies it accepted.
fn import_and_record(input: &str, mapping: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.jsonl");
    let mock = MockProcess::recording(&record);

    fq().args(["import", &fixture(input).to_string_lossy()])
        .arg("--mapping")
        .arg(fixture(mapping))
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .success();

    read_lines(&record)
}

#[test]
fn csv_fixture_sends_the_expected_bodies() {
    let received = import_and_record("contacts.csv", "contacts.toml");

    let expected = read_lines(&fixture("expected/contacts.jsonl"));
    assert_eq!(by_email(received), by_email(expected));
}

#[test]
fn jsonl_fixture_with_nested_records_sends_the_expected_bodies() {
    let received = import_and_record("people.jsonl", "people.toml");

    let expected = read_lines(&fixture("expected/people.jsonl"));
    assert_eq!(by_email(received), by_email(expected));
}

/// Run a dry run and return its stdout as bodies, in the order printed.
fn dry_run(input: &str, mapping: &str) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let output = fq()
        .args(["import", &fixture(input).to_string_lossy()])
        .arg("--mapping")
        .arg(fixture(mapping))
        .arg("--dry-run")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .success()
        .get_output()
        .clone();
    parse_lines(&text(&output.stdout))
}

#[test]
fn dry_run_prints_the_expected_csv_bodies_in_row_order() {
    let printed = dry_run("contacts.csv", "contacts.toml");

    assert_eq!(printed, read_lines(&fixture("expected/contacts.jsonl")));
}

#[test]
fn dry_run_prints_the_expected_jsonl_bodies_in_row_order() {
    let printed = dry_run("people.jsonl", "people.toml");

    assert_eq!(printed, read_lines(&fixture("expected/people.jsonl")));
}

#[test]
fn dry_run_sends_nothing_and_keeps_stdout_for_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);
    let output = fq()
        .env("FQ_WEBHOOK_URL", mock.url())
        .args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("--dry-run")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .success()
        .get_output()
        .clone();

    let stdout = text(&output.stdout);
    assert_eq!(stdout.lines().count(), 6, "one body a row:\n{stdout}");
    for line in stdout.lines() {
        let body: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stdout holds only JSON bodies, not {line:?}: {e}"));
        assert!(body.is_object(), "{line}");
    }
    assert_eq!(mock.received(), 0, "a dry run sends nothing");
}

#[test]
fn quoted_csv_fields_keep_their_commas_quotes_and_line_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "notes.toml",
        "[contact]\nemail = \"Email\"\nbio = \"Notes\"\n\n[company]\nname = \"Company\"\n",
    );

    let output = fq()
        .args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(&mapping)
        .arg("--dry-run")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .success()
        .get_output()
        .clone();

    let bodies = parse_lines(&text(&output.stdout));
    assert_eq!(bodies.len(), 6);
    assert_eq!(bodies[0]["contact"]["bio"], "Met at \"SaaStr\", follow up");
    assert_eq!(bodies[0]["company"]["name"], "Acme, Inc.");
    assert_eq!(
        bodies[1]["contact"]["bio"],
        "Two lines:\r\ncall before noon"
    );
    assert_eq!(bodies[3]["company"]["name"], "Umbrella, Corp");
    assert!(bodies[2]["contact"].get("bio").is_none(), "{}", bodies[2]);
}

#[test]
fn stdin_jsonl_sends_the_expected_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.jsonl");
    let mock = MockProcess::recording(&record);
    let input = std::fs::read_to_string(fixture("people.jsonl")).unwrap();

    fq().args(["import", "-", "--format", "jsonl"])
        .arg("--mapping")
        .arg(fixture("people.toml"))
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .write_stdin(input)
        .assert()
        .success();

    let expected = read_lines(&fixture("expected/people.jsonl"));
    assert_eq!(by_email(read_lines(&record)), by_email(expected));
}

#[test]
fn stdin_dry_run_prints_the_expected_bodies() {
    let dir = tempfile::tempdir().unwrap();
    let input = std::fs::read_to_string(fixture("people.jsonl")).unwrap();

    let output = fq()
        .args(["import", "-", "--format", "jsonl", "--dry-run"])
        .arg("--mapping")
        .arg(fixture("people.toml"))
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .clone();

    let expected = read_lines(&fixture("expected/people.jsonl"));
    assert_eq!(parse_lines(&text(&output.stdout)), expected);
}

#[test]
fn stdin_without_a_format_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();

    fq().args(["import", "-", "--dry-run"])
        .arg("--mapping")
        .arg(fixture("people.toml"))
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .write_stdin("{}\n")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--format"));
}
