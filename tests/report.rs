//! The report: one line per input row, in row order, with the row's place in the input and
//! what the webhook said about it.

mod common;

use std::fmt::Write as _;

use common::{MockProcess, fixture, fq, read_report, read_report_jsonl, write};

#[test]
fn one_line_per_row_with_row_ids_in_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let mock = MockProcess::start(&[]);

    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(&report)
        .assert()
        .success();

    let rows = read_report(&report);
    let places: Vec<(u64, u64, &str)> = rows
        .iter()
        .map(|r| (r.row, r.line, r.key.as_str()))
        .collect();
    // The header is line 1; the second record holds a line break, so it takes lines 3 and 4.
    assert_eq!(
        places,
        [
            (1, 2, "jane.doe@acme.example"),
            (2, 3, "omar@globex.example"),
            (3, 5, "li.wei@initech.example"),
            (4, 6, "ana@umbrella.example"),
            (5, 7, "sam@pied.example"),
            (6, 8, "noor@stark.example"),
        ]
    );
    for row in &rows {
        assert_eq!(row.outcome, "imported", "{row:?}");
        assert_eq!(row.http_status, Some(200), "{row:?}");
        assert!(row.row_id.starts_with("row_"), "{row:?}");
        assert_eq!(row.row_status, "PENDING", "{row:?}");
        assert_eq!(row.attempts, 1, "{row:?}");
        assert_eq!(row.error, "", "{row:?}");
    }
    let mut ids: Vec<&str> = rows.iter().map(|r| r.row_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rows.len(), "every row gets its own id");
}

#[test]
fn many_rows_sent_concurrently_are_reported_in_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::from("Email\n");
    for i in 1..=200 {
        writeln!(input, "person{i}@bulk.example").unwrap();
    }
    let input = write(dir.path(), "bulk.csv", &input);
    let mapping = write(dir.path(), "bulk.toml", "[contact]\nemail = \"Email\"\n");
    let report = dir.path().join("report.csv");
    let mock = MockProcess::start(&[]);

    fq().arg("import")
        .arg(&input)
        .arg("--mapping")
        .arg(&mapping)
        .args(["--url", &mock.url(), "-q", "--concurrency", "16"])
        .arg("--report")
        .arg(&report)
        .assert()
        .success();

    let rows = read_report(&report);
    assert_eq!(rows.len(), 200);
    for (i, row) in (1..).zip(&rows) {
        assert_eq!(row.row, i, "{row:?}");
        assert_eq!(row.line, i + 1, "{row:?}");
        assert_eq!(row.key, format!("person{i}@bulk.example"), "{row:?}");
        assert_eq!(row.outcome, "imported", "{row:?}");
    }
    assert_eq!(mock.received(), 200);
}

#[test]
fn jsonl_report_has_the_same_columns() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.jsonl");
    let mock = MockProcess::start(&[]);

    fq().args(["import", &fixture("people.jsonl").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("people.toml"))
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(&report)
        .assert()
        .success();

    let rows = read_report_jsonl(&report);
    let places: Vec<(u64, u64, &str)> = rows
        .iter()
        .map(|r| (r.row, r.line, r.key.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            (1, 1, "ada@lovelace.example"),
            (2, 2, "grace@hopper.example"),
            (3, 3, "jose@nunez.example"),
            (4, 4, "lin@chen.example"),
        ]
    );
    for row in &rows {
        assert_eq!(row.outcome, "imported", "{row:?}");
        assert!(row.row_id.starts_with("row_"), "{row:?}");
    }
}

#[test]
fn jsonl_line_numbers_count_blank_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "gaps.jsonl",
        "{\"email\":\"a@gaps.example\"}\n\n   \n{\"email\":\"b@gaps.example\"}\n\
         \n{\"email\":\"c@gaps.example\"}\n",
    );
    let mapping = write(dir.path(), "gaps.toml", "[contact]\nemail = \"email\"\n");
    let report = dir.path().join("report.csv");

    fq().arg("import")
        .arg(&input)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--dry-run")
        .arg("--report")
        .arg(&report)
        .assert()
        .success();

    let rows = read_report(&report);
    let places: Vec<(u64, u64, &str)> = rows
        .iter()
        .map(|r| (r.row, r.line, r.outcome.as_str()))
        .collect();
    assert_eq!(places, [(1, 1, "ready"), (2, 4, "ready"), (3, 6, "ready")]);
}

#[test]
fn csv_line_numbers_with_lf_endings() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "lf.csv",
        "Email,Notes\na@lf.example,\"one\ntwo\nthree\"\nb@lf.example,plain\n",
    );
    let mapping = write(dir.path(), "lf.toml", "[contact]\nemail = \"Email\"\n");
    let report = dir.path().join("report.csv");

    fq().arg("import")
        .arg(&input)
        .arg("--mapping")
        .arg(&mapping)
        .arg("--dry-run")
        .arg("--report")
        .arg(&report)
        .assert()
        .success();

    let lines: Vec<(u64, u64)> = read_report(&report)
        .iter()
        .map(|r| (r.row, r.line))
        .collect();
    assert_eq!(lines, [(1, 2), (2, 5)]);
}

#[test]
fn the_report_goes_beside_the_input_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("contacts.csv");
    std::fs::copy(fixture("contacts.csv"), &input).unwrap();

    fq().arg("import")
        .arg(&input)
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("--dry-run")
        .assert()
        .success();

    let rows = read_report(&dir.path().join("contacts.csv.report.csv"));
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.outcome == "ready"), "{rows:?}");
}
