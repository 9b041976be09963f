//! Rows that cannot become a valid body: reported with a reason, never sent, exit 1.

mod common;

use common::{MockProcess, ReportRow, email, fixture, fq, read_lines, read_report, write};

/// Import `input` with `mapping` into a recording stand-in; returns the report and the
/// emails the stand-in accepted.
fn import(input: &std::path::Path, mapping: &std::path::Path) -> (Vec<ReportRow>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record.jsonl");
    let report = dir.path().join("report.csv");
    let mock = MockProcess::recording(&record);

    fq().arg("import")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1);

    let mut sent: Vec<String> = read_lines(&record)
        .iter()
        .map(|body| email(body).to_owned())
        .collect();
    sent.sort();
    (read_report(&report), sent)
}

#[test]
fn invalid_rows_are_reported_with_a_reason_and_never_sent() {
    let (rows, sent) = import(&fixture("contacts-invalid.csv"), &fixture("contacts.toml"));

    assert_eq!(sent, ["also-ok@acme.example", "ok@acme.example"]);
    let outcomes: Vec<(u64, &str)> = rows.iter().map(|r| (r.row, r.outcome.as_str())).collect();
    assert_eq!(
        outcomes,
        [
            (1, "imported"),
            (2, "invalid"),
            (3, "invalid"),
            (4, "invalid"),
            (5, "invalid"),
            (6, "imported"),
        ]
    );
    let reasons = [
        (2, "contact.email is empty"),
        (3, "employment.seniority"),
        (4, "company.employeesCount"),
        (5, "not an email address"),
    ];
    for (row, reason) in reasons {
        let result = &rows[row - 1];
        assert!(
            result.error.contains(reason),
            "row {row}: the error {:?} should say {reason:?}",
            result.error
        );
        assert_eq!(result.http_status, None, "{result:?}");
        assert_eq!(
            result.attempts, 0,
            "an invalid row is never sent: {result:?}"
        );
        assert_eq!(result.row_id, "", "{result:?}");
    }
    assert_eq!(
        rows[2].key, "bob@hooli.example",
        "the key is known once the email is"
    );
}

#[test]
fn unreadable_records_are_reported_and_the_rest_still_sent() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "ragged.csv",
        "Email,Name\nfirst@ragged.example,First\nsecond@ragged.example,Second,extra\n\
         third@ragged.example,Third\n",
    );
    let mapping = write(
        dir.path(),
        "ragged.toml",
        "[contact]\nemail = \"Email\"\nname = \"Name\"\n",
    );

    let (rows, sent) = import(&input, &mapping);

    assert_eq!(sent, ["first@ragged.example", "third@ragged.example"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].outcome, "invalid");
    assert!(rows[1].error.contains("fields"), "{:?}", rows[1]);
}

#[test]
fn broken_json_lines_are_reported_and_the_rest_still_sent() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "broken.jsonl",
        "{\"email\":\"first@broken.example\"}\n{\"email\": oops}\n[1,2]\n\
         {\"email\":\"last@broken.example\"}\n",
    );
    let mapping = write(dir.path(), "broken.toml", "[contact]\nemail = \"email\"\n");

    let (rows, sent) = import(&input, &mapping);

    assert_eq!(sent, ["first@broken.example", "last@broken.example"]);
    let outcomes: Vec<(u64, u64, &str)> = rows
        .iter()
        .map(|r| (r.row, r.line, r.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, 1, "imported"),
            (2, 2, "invalid"),
            (3, 3, "invalid"),
            (4, 4, "imported"),
        ]
    );
    assert!(rows[1].error.contains("not valid JSON"), "{:?}", rows[1]);
    assert!(rows[2].error.contains("not a JSON object"), "{:?}", rows[2]);
}

#[test]
fn dry_run_with_invalid_rows_prints_only_the_valid_ones_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");

    let output = fq()
        .args(["import", &fixture("contacts-invalid.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("--dry-run")
        .arg("--report")
        .arg(&report)
        .assert()
        .code(1)
        .get_output()
        .clone();

    let printed: Vec<String> = common::parse_lines(&common::text(&output.stdout))
        .iter()
        .map(|body| email(body).to_owned())
        .collect();
    assert_eq!(printed, ["ok@acme.example", "also-ok@acme.example"]);
    let outcomes: Vec<String> = read_report(&report)
        .into_iter()
        .map(|r| r.outcome)
        .collect();
    assert_eq!(
        outcomes,
        ["ready", "invalid", "invalid", "invalid", "invalid", "ready"]
    );
}
