//! The exit codes are an interface scripts branch on: 0 all imported, 1 some rows invalid or
//! failed, 2 a usage or configuration error found before anything was sent, 3 aborted.

mod common;

use std::path::Path;

use common::{MockProcess, fixture, fq, webhook_url, write};
use predicates::str::contains;

/// `fq-import import INPUT --mapping MAPPING --url <mock>` with the report in `dir`.
fn import(input: &Path, mapping: &Path, mock: &MockProcess, dir: &Path) -> assert_cmd::Command {
    let mut cmd = fq();
    cmd.arg("import")
        .arg(input)
        .arg("--mapping")
        .arg(mapping)
        .args(["--url", &mock.url(), "-q"])
        .arg("--report")
        .arg(dir.join("report.csv"));
    cmd
}

#[test]
fn exit_0_when_every_row_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);

    import(
        &fixture("contacts.csv"),
        &fixture("contacts.toml"),
        &mock,
        dir.path(),
    )
    .assert()
    .code(0);
}

#[test]
fn exit_0_for_a_dry_run_where_every_row_is_ready() {
    let dir = tempfile::tempdir().unwrap();

    fq().args(["import", &fixture("people.jsonl").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("people.toml"))
        .arg("--dry-run")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .code(0);
}

#[test]
fn exit_0_for_a_sandbox_run() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");

    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("--sandbox")
        .arg("--report")
        .arg(&report)
        .assert()
        .code(0)
        .stderr(contains("sandbox"));

    let rows = common::read_report(&report);
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.outcome == "imported"), "{rows:?}");
}

#[test]
fn exit_1_when_some_rows_are_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);

    import(
        &fixture("contacts-invalid.csv"),
        &fixture("contacts.toml"),
        &mock,
        dir.path(),
    )
    .assert()
    .code(1);
}

#[test]
fn exit_3_when_the_webhook_answers_nothing_but_500s() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&["--fail-rate", "1"]);

    import(
        &fixture("contacts.csv"),
        &fixture("contacts.toml"),
        &mock,
        dir.path(),
    )
    .args([
        "--max-retries",
        "1",
        "--retry-delay",
        "10ms",
        "--give-up-after",
        "1s",
    ])
    .assert()
    .code(3)
    .stderr(predicates::str::contains("looks down"));
}

#[test]
fn exit_3_when_the_webhook_answers_404() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&["--hash", "some-other-hash"]);

    import(
        &fixture("contacts.csv"),
        &fixture("contacts.toml"),
        &mock,
        dir.path(),
    )
    .args(["--concurrency", "1"])
    .assert()
    .code(3)
    .stderr(contains("404"));

    assert_eq!(mock.received(), 1);
}

/// Run `args` against a stand-in and check that it exits 2, says `message` on stderr, and
/// sent nothing.
fn assert_usage_error(args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);
    let report = dir.path().join("report.csv");

    fq().arg("import")
        .args(args)
        .args(["--url", &mock.url()])
        .arg("--report")
        .arg(&report)
        .current_dir(dir.path())
        .assert()
        .code(2)
        .stderr(contains(message));

    assert_eq!(mock.received(), 0, "nothing is sent after a usage error");
}

#[test]
fn exit_2_for_a_bad_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "bad.toml",
        "[contact]\nemail = \"Email\"\nfavouriteColour = \"Colour\"\n",
    );

    assert_usage_error(
        &[
            &fixture("contacts.csv").to_string_lossy(),
            "--mapping",
            &mapping.to_string_lossy(),
        ],
        "unknown field `contact.favouriteColour`",
    );
}

#[test]
fn exit_2_for_a_mapping_that_is_not_toml() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(dir.path(), "broken.toml", "[contact\nemail = \"Email\"\n");

    assert_usage_error(
        &[
            &fixture("contacts.csv").to_string_lossy(),
            "--mapping",
            &mapping.to_string_lossy(),
        ],
        "not valid TOML",
    );
}

#[test]
fn exit_2_for_a_mapping_without_contact_email() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "no-email.toml",
        "[contact]\nname = \"First Name\"\n",
    );

    assert_usage_error(
        &[
            &fixture("contacts.csv").to_string_lossy(),
            "--mapping",
            &mapping.to_string_lossy(),
        ],
        "contact.email",
    );
}

#[test]
fn exit_2_for_a_missing_mapping_file() {
    assert_usage_error(
        &[
            &fixture("contacts.csv").to_string_lossy(),
            "--mapping",
            "no-such-mapping.toml",
        ],
        "no-such-mapping.toml",
    );
}

#[test]
fn exit_2_without_a_mapping() {
    assert_usage_error(&[&fixture("contacts.csv").to_string_lossy()], "--mapping");
}

#[test]
fn exit_2_for_a_column_missing_from_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "missing.toml",
        "[contact]\nemail = \"Email\"\nlocation = \"City\"\n",
    );

    assert_usage_error(
        &[
            &fixture("contacts.csv").to_string_lossy(),
            "--mapping",
            &mapping.to_string_lossy(),
        ],
        "`City` is not in the header",
    );
}

#[test]
fn exit_2_for_a_missing_input_file() {
    assert_usage_error(
        &[
            "no-such-input.csv",
            "--mapping",
            &fixture("contacts.toml").to_string_lossy(),
        ],
        "no-such-input.csv",
    );
}

#[test]
fn exit_2_for_an_input_of_unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "contacts.txt", "Email\na@b.example\n");

    assert_usage_error(
        &[
            &input.to_string_lossy(),
            "--mapping",
            &fixture("contacts.toml").to_string_lossy(),
        ],
        "--format",
    );
}

#[test]
fn exit_2_for_bad_flags() {
    let contacts = fixture("contacts.csv");
    let mapping = fixture("contacts.toml");
    let (contacts, mapping) = (contacts.to_string_lossy(), mapping.to_string_lossy());
    let cases: [(&[&str], &str); 6] = [
        (&["--no-such-flag"], "--no-such-flag"),
        (&["--concurrency", "many"], "--concurrency"),
        (&["--concurrency", "0"], "--concurrency"),
        (&["--timeout", "soon"], "--timeout"),
        (&["--timeout", "0s"], "--timeout"),
        (&["--format", "xml"], "--format"),
    ];
    for (flags, message) in cases {
        let mut args = vec![&*contacts, "--mapping", &*mapping];
        args.extend_from_slice(flags);
        assert_usage_error(&args, message);
    }
}

#[test]
fn exit_2_for_a_url_that_is_not_a_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);

    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .args(["--url", &format!("{}/v5/imports/imp_test", mock.base())])
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .code(2)
        .stderr(contains("/trigger/"));

    assert_eq!(mock.received(), 0);
}

#[test]
fn exit_2_without_a_url() {
    let dir = tempfile::tempdir().unwrap();

    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .code(2)
        .stderr(contains("FQ_WEBHOOK_URL"));
}

#[test]
fn the_url_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockProcess::start(&[]);

    fq().env("FQ_WEBHOOK_URL", webhook_url(mock.base()))
        .args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .arg("-q")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .code(0);

    assert_eq!(mock.received(), 6);
}

#[test]
fn help_lists_the_exit_codes() {
    fq().args(["import", "--help"])
        .assert()
        .success()
        .stdout(contains("Exit codes:"))
        .stdout(contains("130"));
}
