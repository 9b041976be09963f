//! A mistake in the mapping is reported at its line of the mapping file, with the closest
//! valid name as a suggestion, before anything is sent.

mod common;

use common::{MockProcess, fixture, fq, text, write};

/// Import the contacts fixture with `mapping` into a stand-in; check that the run exits 2,
/// sent nothing, and names `line` of the mapping file. Returns stderr.
fn mapping_error(mapping: &str, line: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mapping_path = write(dir.path(), "contacts.toml", mapping);
    let report = dir.path().join("report.csv");
    let mock = MockProcess::start(&[]);

    let output = fq()
        .args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(&mapping_path)
        .args(["--url", &mock.url()])
        .arg("--report")
        .arg(&report)
        .assert()
        .code(2)
        .get_output()
        .clone();

    assert_eq!(
        mock.received(),
        0,
        "nothing is sent when the mapping is wrong"
    );
    let stderr = text(&output.stderr);
    let place = format!("{}:{line}:", mapping_path.display());
    assert!(
        stderr.contains(&place),
        "stderr should name {place}, it says:\n{stderr}"
    );
    stderr
}

fn assert_says(stderr: &str, words: &str) {
    assert!(
        stderr.contains(words),
        "stderr should say {words:?}, it says:\n{stderr}"
    );
}

#[test]
fn a_misspelt_field_names_its_line_and_the_field_meant() {
    let stderr = mapping_error(
        "# Contacts.\n\n[contact]\nemail = \"Email\"\nnmae = \"First Name\"\n",
        5,
    );

    assert_says(&stderr, "unknown field `contact.nmae`");
    assert_says(&stderr, "did you mean `name`?");
}

#[test]
fn a_misspelt_company_field_suggests_the_real_one() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[company]\nname = \"Company\"\n\
         employeeCount = \"Number of employees\"\n",
        6,
    );

    assert_says(&stderr, "did you mean `employeesCount`?");
}

#[test]
fn a_misspelt_history_field_suggests_the_real_one() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[[employment.history]]\norganization = \"Company\"\n\
         titel = \"Job Title\"\n",
        6,
    );

    assert_says(&stderr, "did you mean `title`?");
}

#[test]
fn a_misspelt_table_suggests_the_real_one() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[compnay]\nname = \"Company\"\n",
        4,
    );

    assert_says(&stderr, "unknown table [compnay]");
    assert_says(&stderr, "did you mean `company`?");
}

#[test]
fn a_misspelt_column_suggests_the_header_name() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[employment]\ntitle = \"Job Titel\"\n",
        5,
    );

    assert_says(&stderr, "the column `Job Titel` is not in the header");
    assert_says(&stderr, "did you mean `Job Title`?");
}

#[test]
fn a_column_in_the_wrong_case_suggests_the_header_name() {
    let stderr = mapping_error("[contact]\nemail = \"email\"\n", 2);

    assert_says(&stderr, "did you mean `Email`?");
}

#[test]
fn a_misspelt_column_in_a_template_suggests_the_header_name() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\nname = \"{Frist Name} {Last Name}\"\n",
        3,
    );

    assert_says(&stderr, "`Frist Name`");
    assert_says(&stderr, "did you mean `First Name`?");
}

#[test]
fn a_misspelt_entry_key_suggests_the_real_one() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[employment]\nseniority = { colunm = \"Level\" }\n",
        5,
    );

    assert_says(&stderr, "did you mean `column`?");
}

#[test]
fn a_value_of_the_wrong_type_names_its_line() {
    let stderr = mapping_error(
        "[contact]\nemail = \"Email\"\n\n[company]\nfoundedYear = { value = \"long ago\" }\n",
        5,
    );

    assert_says(&stderr, "whole number");
}

#[test]
fn a_mistake_in_a_dry_run_is_also_exit_2_with_nothing_printed() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = write(
        dir.path(),
        "m.toml",
        "[contact]\nemail = \"Email\"\nnmae = \"First Name\"\n",
    );

    fq().args(["import", &fixture("contacts.csv").to_string_lossy()])
        .arg("--mapping")
        .arg(&mapping)
        .arg("--dry-run")
        .arg("--report")
        .arg(dir.path().join("report.csv"))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("did you mean `name`?"));
}
