//! How CSV exports are written in the wild: another delimiter, notes before the header,
//! duplicated column names, rows of the wrong width, a quote left open, blank lines and any
//! mix of line endings. Each test imports one such file and checks what arrives.

mod common;

use common::{import_recorded, quirk, write, write_bytes};
use serde_json::{Value, json};

/// The body that `fixtures/quirks/people.toml` makes of one row.
fn person(email: &str, name: &str, company: &str) -> Value {
    json!({"contact": {"email": email, "name": name}, "company": {"name": company}})
}

#[test]
fn semicolons_are_found_and_commas_stay_inside_values() {
    let run = import_recorded(&quirk("semicolon.csv"), &quirk("semicolon.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("the delimiter is a semicolon"),
        "stderr should say which delimiter it found:\n{}",
        run.stderr
    );
    assert_eq!(
        run.bodies,
        [
            json!({
                "contact": {
                    "email": "anna@beispiel.example",
                    "name": "Anna Schmidt",
                    "location": "Hauptstraße 5, 10115 Berlin"
                },
                "company": {"name": "Müller, Meier & Co. KG"}
            }),
            json!({
                "contact": {
                    "email": "jan@voorbeeld.example",
                    "name": "Jan de Vries, jr.",
                    "location": "Damrak 1, Amsterdam"
                },
                "company": {"name": "Bakker, Visser B.V."}
            }),
            json!({
                "contact": {
                    "email": "luca@esempio.example",
                    "name": "Luca Rossi",
                    "location": "Via Roma 10; scala B, Milano"
                },
                "company": {"name": "Rossi S.p.A."}
            }),
        ]
    );
}

#[test]
fn linkedin_notes_before_the_header_are_skipped_and_lines_stay_true() {
    let run = import_recorded(
        &quirk("linkedin-connections.csv"),
        &quirk("linkedin.toml"),
        &[],
    );

    // Bo's connection hides the address, so that row cannot be sent.
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("skipped lines 1-3"),
        "stderr should say which lines were skipped:\n{}",
        run.stderr
    );
    assert_eq!(
        run.bodies,
        [
            json!({
                "contact": {
                    "email": "ann.lee@linked.example",
                    "name": "Ann Lee",
                    "linkedInHandle": "ann-lee-42"
                },
                "employment": {"title": "Founder"},
                "company": {"name": "Lee Labs"}
            }),
            json!({
                "contact": {
                    "email": "cara@linked.example",
                    "name": "Cara Diaz",
                    "linkedInHandle": "cara-diaz"
                },
                "employment": {"title": "CTO"},
                "company": {"name": "Diaz, Inc."}
            }),
        ]
    );
    // The header is on line 4 of the file.
    assert_eq!(
        run.outcomes(),
        [(1, 5, "imported"), (2, 6, "invalid"), (3, 7, "imported")]
    );
    assert!(
        run.row(2).error.contains("contact.email is empty"),
        "{:?}",
        run.row(2)
    );
}

#[test]
fn skip_lines_passes_over_a_preamble_that_holds_commas() {
    let run = import_recorded(
        &quirk("crm-preamble.csv"),
        &quirk("people.toml"),
        &["--skip-lines", "2"],
    );

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            person("dana@preamble.example", "Dana Ng", "Acme"),
            person("eli@preamble.example", "Eli Park", "Acme, West"),
        ]
    );
    assert_eq!(run.outcomes(), [(1, 4, "imported"), (2, 5, "imported")]);
}

#[test]
fn a_preamble_that_holds_commas_is_taken_for_the_header_without_skip_lines() {
    let run = import_recorded(&quirk("crm-preamble.csv"), &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the column `Email` is not in the header"),
        "{}",
        run.stderr
    );
    assert!(run.bodies.is_empty(), "{:?}", run.bodies);
}

#[test]
fn a_duplicated_column_named_without_a_position_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "dup.toml",
        "[contact]\nemail = \"Email\"\nname = \"{First Name} {Last Name}\"\n",
    );

    let run = import_recorded(&quirk("duplicate-headers.csv"), &mapping, &[]);

    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("`Email` appears 2 times"),
        "the error should name the column:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("`Email#2`"),
        "the error should suggest Email#2:\n{}",
        run.stderr
    );
    assert!(run.bodies.is_empty(), "{:?}", run.bodies);
    assert!(run.report.is_empty(), "{:?}", run.report);
}

#[test]
fn a_duplicated_column_named_by_position_uses_that_column() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "dup.toml",
        "[contact]\nemail = \"Email#2\"\nname = \"{First Name} {Last Name}\"\n\
         note = \"Email#1\"\n",
    );

    let run = import_recorded(&quirk("duplicate-headers.csv"), &mapping, &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {
                "email": "ann@work.example",
                "name": "Ann Lee",
                "note": "ann@home.example"
            }}),
            json!({"contact": {
                "email": "bo@work.example",
                "name": "Bo Chen",
                "note": "bo@home.example"
            }}),
        ]
    );
}

#[test]
fn rows_wider_or_narrower_than_the_header_are_invalid_with_both_counts() {
    let run = import_recorded(&quirk("ragged.csv"), &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            person("ann@ragged.example", "Ann Lee", "Acme"),
            person("dee@ragged.example", "Dee Evans", "Globex"),
        ]
    );
    assert_eq!(
        run.outcomes(),
        [
            (1, 2, "imported"),
            (2, 3, "invalid"),
            (3, 4, "invalid"),
            (4, 5, "imported"),
        ]
    );
    for (row, found) in [(2, "5 fields"), (3, "3 fields")] {
        let error = &run.row(row).error;
        assert!(
            error.contains(found) && error.contains("header has 4"),
            "row {row}: the error should give {found:?} and the header's 4: {error:?}"
        );
    }
}

#[test]
fn a_quote_never_closed_makes_its_row_invalid_and_the_run_exit_1() {
    let run = import_recorded(&quirk("unclosed-quote.csv"), &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [person("ann@quote.example", "Ann Lee", "Acme, Inc.")]
    );
    // The open quote swallows the rest of the file, so no row after it can be read.
    assert_eq!(run.outcomes(), [(1, 2, "imported"), (2, 3, "invalid")]);
    let error = &run.row(2).error;
    assert!(
        error.contains("quote") && error.contains("never closed"),
        "the error should say the quote is never closed: {error:?}"
    );
}

#[test]
fn blank_lines_and_mixed_line_endings_keep_the_real_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 the header (CRLF), 2 blank, 3 Ann (CRLF), 4 and 5 blank (LF), 6 Bo and 7 Cy
    // (CR alone), 8 blank (CR), 9 and 10 Dee, whose quoted company holds a CR, 11 Eve (LF).
    let input = write_bytes(
        dir.path(),
        "mixed.csv",
        b"Email,First Name,Last Name,Company\r\n\
\r\n\
ann@lines.example,Ann,Lee,Acme\r\n\
\n\
\n\
bo@lines.example,Bo,Chen,Chen & Co\r\
cy@lines.example,Cy,Diaz,Diaz Partners\r\
\r\
dee@lines.example,Dee,Evans,\"Evans\rand Sons\"\r\n\
eve@lines.example,Eve,Fox,Fox Ltd\n",
    );

    let run = import_recorded(&input, &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.outcomes(),
        [
            (1, 3, "imported"),
            (2, 6, "imported"),
            (3, 7, "imported"),
            (4, 9, "imported"),
            (5, 11, "imported"),
        ]
    );
    assert_eq!(
        run.bodies,
        [
            person("ann@lines.example", "Ann Lee", "Acme"),
            person("bo@lines.example", "Bo Chen", "Chen & Co"),
            person("cy@lines.example", "Cy Diaz", "Diaz Partners"),
            person("dee@lines.example", "Dee Evans", "Evans\rand Sons"),
            person("eve@lines.example", "Eve Fox", "Fox Ltd"),
        ]
    );
}

#[test]
fn a_file_with_cr_line_endings_only_keeps_the_real_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(
        dir.path(),
        "classic-mac.csv",
        b"Email,First Name,Last Name,Company\r\
ann@cr.example,Ann,Lee,Acme\r\
\r\
bo@cr.example,Bo,Chen,Chen & Co\r",
    );

    let run = import_recorded(&input, &quirk("people.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.outcomes(), [(1, 2, "imported"), (2, 4, "imported")]);
    assert_eq!(
        run.bodies,
        [
            person("ann@cr.example", "Ann Lee", "Acme"),
            person("bo@cr.example", "Bo Chen", "Chen & Co"),
        ]
    );
}

/// LinkedIn's notes, a blank line, then the header, with the given line ending.
fn linkedin_with(ending: &str) -> Vec<u8> {
    [
        "Notes:",
        "\"Some addresses may be missing, as each connection decides.\"",
        "",
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On",
        "Ann,Lee,https://www.linkedin.com/in/ann-lee-42,ann.lee@linked.example,Lee Labs,\
         Founder,12 Mar 2024",
        "Cara,Diaz,https://www.linkedin.com/in/cara-diaz,cara@linked.example,\"Diaz, Inc.\",\
         CTO,15 Feb 2022",
        "",
    ]
    .join(ending)
    .into_bytes()
}

#[test]
fn the_note_counts_the_blank_line_before_a_crlf_header() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(dir.path(), "Connections.csv", &linkedin_with("\r\n"));

    let run = import_recorded(&input, &quirk("linkedin.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.outcomes(), [(1, 5, "imported"), (2, 6, "imported")]);
    // Lines 1 to 3 come before the header, as in the same file with LF endings.
    assert!(
        run.stderr.contains("skipped lines 1-3"),
        "stderr should name every line before the header:\n{}",
        run.stderr
    );
}

#[test]
fn notes_before_the_header_of_a_cr_only_file_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(dir.path(), "Connections.csv", &linkedin_with("\r"));

    let run = import_recorded(&input, &quirk("linkedin.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.outcomes(), [(1, 5, "imported"), (2, 6, "imported")]);
    let emails: Vec<&str> = run.bodies.iter().map(common::email).collect();
    assert_eq!(emails, ["ann.lee@linked.example", "cara@linked.example"]);
}

#[test]
fn skip_lines_on_a_cr_only_file_skips_only_those_lines() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_bytes(
        dir.path(),
        "classic-mac.csv",
        b"Exported from Acme CRM, 2024-05-01\r\
Email,First Name,Last Name,Company\r\
dana@preamble.example,Dana,Ng,Acme\r\
eli@preamble.example,Eli,Park,\"Acme, West\"\r",
    );

    let run = import_recorded(&input, &quirk("people.toml"), &["--skip-lines", "1"]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.outcomes(), [(1, 3, "imported"), (2, 4, "imported")]);
    assert_eq!(
        run.bodies,
        [
            person("dana@preamble.example", "Dana Ng", "Acme"),
            person("eli@preamble.example", "Eli Park", "Acme, West"),
        ]
    );
}
