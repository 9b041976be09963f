//! `fq-import check`: every row mapped without sending, every problem listed once by kind
//! with a count and its first rows, a preview of the first bodies, and the exit codes.

mod common;

use std::process::Output;

use common::{fixture, fq, quirk, text, write};
use serde_json::{Value, json};

/// Run `fq-import check` inside `fixtures/quirks/`, so that the input's name in the output
/// is the short one given.
fn check(input: &str, mapping: &str, flags: &[&str]) -> Output {
    fq().current_dir(fixture("quirks"))
        .args(["check", input, "--mapping", mapping])
        .args(flags)
        .output()
        .expect("run fq-import check")
}

/// What `check` prints for `check-problems.csv`: the rows with the most common problem
/// first, at most five rows of each kind, and every problem of a row (row 13 has an empty
/// email and a seniority the mapping has no word for).
const PROBLEMS: &str = "\
check-problems.csv: 14 rows: 3 map to a valid body, 11 have a problem

6 rows: contact.email is empty (column `Email`)
  line 3 (row 2)
  line 7 (row 6)
  line 11 (row 10)
  line 12 (row 11)
  line 13 (row 12)
  … and 1 more

2 rows: company.employeesCount is not a whole number (column `Employees`)
  line 4 (row 3): `about 50`
  line 5 (row 4): `many`

2 rows: employment.seniority is not a seniority: JUNIOR, MID, SENIOR or EXECUTIVE \
(column `Level`)
  line 6 (row 5): `wizard`
  line 14 (row 13): `intern`

1 row: the row has 3 fields, but the header has 4
  line 15 (row 14)

1 row: contact.email is not an email address (column `Email`)
  line 8 (row 7): `gus-at-nowhere`
";

#[test]
fn check_lists_each_kind_of_problem_once_with_its_count_and_first_rows() {
    let output = check("check-problems.csv", "check.toml", &[]);

    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), PROBLEMS);
}

#[test]
fn check_on_a_clean_file_exits_0() {
    let output = check("check-clean.csv", "check.toml", &[]);

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(
        text(&output.stdout),
        "check-clean.csv: 3 rows: 3 map to a valid body, 0 have a problem\n"
    );
}

#[test]
fn check_preview_shows_two_bodies_beside_their_source_rows() {
    let output = check("check-clean.csv", "check.toml", &["--preview", "2"]);

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let bodies: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].trim_start().starts_with("body:"))
        .collect();
    assert_eq!(bodies.len(), 2, "two bodies and no more:\n{stdout}");

    let expected: [(&str, &str, Value); 2] = [
        (
            "row 1, line 2:",
            "ann@check.example | Ann Lee | 12 | senior",
            json!({"contact": {"email": "ann@check.example", "name": "Ann Lee"},
                   "employment": {"seniority": "SENIOR"},
                   "company": {"employeesCount": 12}}),
        ),
        (
            "row 2, line 3:",
            "bo@check.example | Bo Chen | 1,200 | MID",
            json!({"contact": {"email": "bo@check.example", "name": "Bo Chen"},
                   "employment": {"seniority": "MID"},
                   "company": {"employeesCount": 1200}}),
        ),
    ];
    for (&at, (place, source, body)) in bodies.iter().zip(expected) {
        assert!(at >= 2, "a body follows its place and source:\n{stdout}");
        assert_eq!(lines[at - 2], place, "\n{stdout}");
        assert_eq!(
            lines[at - 1]
                .trim_start()
                .strip_prefix("source:")
                .map(str::trim),
            Some(source),
            "\n{stdout}"
        );
        let printed = lines[at].trim_start().trim_start_matches("body:").trim();
        let printed: Value = serde_json::from_str(printed)
            .unwrap_or_else(|e| panic!("the body is JSON, not {printed:?}: {e}"));
        assert_eq!(printed, body);
    }
    assert!(
        stdout.contains("check-clean.csv: 3 rows: 3 map to a valid body, 0 have a problem"),
        "the summary follows the preview:\n{stdout}"
    );
}

#[test]
fn check_refuses_a_mapping_without_contact_email() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "no-email.toml",
        "[contact]\nname = \"Name\"\n\n[company]\nemployeesCount = \"Employees\"\n",
    );

    let output = fq()
        .arg("check")
        .arg(quirk("check-clean.csv"))
        .arg("--mapping")
        .arg(&mapping)
        .output()
        .expect("run fq-import check");

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(text(&output.stdout), "", "nothing is checked");
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("fq-import: error: ")
            && first.contains("no contact.email")
            && first.contains("the webhook needs one"),
        "a plain message that the webhook needs a contact.email:\n{stderr}"
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Caused by") && !stderr.contains("{"),
        "one plain message, not a debug dump:\n{stderr}"
    );
}

#[test]
fn check_counts_bad_bytes_in_one_column_as_one_kind_wherever_they_sit_in_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    // Windows-1252 read as UTF-8: the bad byte is the 4th, 3rd and 2nd of the cell.
    let input = common::write_bytes(
        dir.path(),
        "excel.csv",
        b"Email,First Name,Last Name,Company\r\n\
rene@cafe.example,Ren\xe9,Roux,Cafe\r\n\
ines@espana.example,In\xe9s,Nu\xf1ez,Fondo\r\n\
soren@nord.example,S\xf8ren,Berg,Nord\r\n",
    );

    let output = fq()
        .arg("check")
        .arg(&input)
        .arg("--mapping")
        .arg(quirk("people.toml"))
        .output()
        .expect("run fq-import check");

    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let headings: Vec<&str> = stdout
        .lines()
        .filter(|line| line.contains("not valid UTF-8"))
        .collect();
    assert_eq!(
        headings.len(),
        1,
        "one kind of problem, listed once:\n{stdout}"
    );
    assert!(
        headings[0].starts_with("3 rows: column `First Name`"),
        "{stdout}"
    );
}
