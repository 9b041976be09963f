//! Transforms end to end: a CRM export whose URLs, counts, dates and seniority words are
//! reshaped by the mapping before they reach the webhook, and the values a transform cannot
//! read, which stop their row instead of being guessed at.

mod common;

use common::{import_recorded, quirk, write};
use serde_json::json;

/// The header of `fixtures/quirks/crm.csv`, for variants written by the tests.
const CRM_HEADER: &str = "Email,Work Email,First Name,Last Name,City,Website,LinkedIn,\
                          Employees,Started,Level,Title,Company\n";

#[test]
fn a_crm_export_is_reshaped_by_its_transforms() {
    let run = import_recorded(&quirk("crm.csv"), &quirk("crm.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            // Work Email first; a URL to its bare domain and to its handle; a range to its
            // lower bound; a US date to its month; `vp` from the built-in table.
            json!({
                "contact": {
                    "email": "ann@acme.example",
                    "name": "Ann Lee",
                    "linkedInHandle": "ann-lee",
                    "location": "Berlin"
                },
                "employment": {
                    "title": "VP Sales",
                    "seniority": "EXECUTIVE",
                    "history": [{
                        "current": true,
                        "organization": "Acme",
                        "title": "VP Sales",
                        "start": "2021-03"
                    }]
                },
                "company": {"name": "Acme", "domain": "acme.com", "employeesCount": 51}
            }),
            // `N/A` is empty, so Email is taken and City falls back to its default.
            json!({
                "contact": {
                    "email": "bo@home.example",
                    "name": "Bo Chen",
                    "linkedInHandle": "bochen",
                    "location": "Remote"
                },
                "employment": {
                    "title": "CEO",
                    "seniority": "EXECUTIVE",
                    "history": [{
                        "current": true,
                        "organization": "Globex",
                        "title": "CEO",
                        "start": "2019-11"
                    }]
                },
                "company": {"name": "Globex", "domain": "globex.io", "employeesCount": 1200}
            }),
            json!({
                "contact": {
                    "email": "cy@initech.example",
                    "name": "Cy Diaz",
                    "linkedInHandle": "cy-diaz-7b2a1",
                    "location": "Remote"
                },
                "employment": {
                    "title": "Head of Ops",
                    "seniority": "SENIOR",
                    "history": [{
                        "current": true,
                        "organization": "Initech",
                        "title": "Head of Ops",
                        "start": "2018-07"
                    }]
                },
                "company": {
                    "name": "Initech",
                    "domain": "initech.example",
                    "employeesCount": 10001
                }
            }),
            // `-` is empty too: no domain, handle, count or start are sent.
            json!({
                "contact": {
                    "email": "dee@hooli.example",
                    "name": "Dee Evans",
                    "location": "Austin"
                },
                "employment": {
                    "title": "Intern",
                    "seniority": "JUNIOR",
                    "history": [{"current": true, "organization": "Hooli", "title": "Intern"}]
                },
                "company": {"name": "Hooli"}
            }),
        ]
    );
}

#[test]
fn values_a_transform_cannot_read_stop_their_row() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "\
ok@crm.example,,Ok,Row,,https://ok.example,,12,01/02/2020,lead,Lead,Ok Co
lots@crm.example,,Lo,Ts,,,,lots,,,,Lots Co
eu@crm.example,,Eu,Date,,,,,13/01/2020,,,Eu Co
wiz@crm.example,,Wi,Zard,,,,,,wizard,,Wiz Co
bare@crm.example,,Ba,Re,,,https://www.linkedin.com/in/,,,,,Bare Co
";
    let input = write(dir.path(), "crm.csv", &format!("{CRM_HEADER}{rows}"));

    let run = import_recorded(&input, &quirk("crm.toml"), &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let sent: Vec<&str> = run.bodies.iter().map(common::email).collect();
    assert_eq!(sent, ["ok@crm.example"]);
    assert_eq!(
        run.outcomes(),
        [
            (1, 2, "imported"),
            (2, 3, "invalid"),
            (3, 4, "invalid"),
            (4, 5, "invalid"),
            (5, 6, "invalid"),
        ]
    );
    let reasons = [
        (2, "company.employeesCount", "`lots`"),
        (3, "employment.history.start", "`13/01/2020`"),
        (4, "employment.seniority", "`wizard`"),
        (
            5,
            "contact.linkedInHandle",
            "`https://www.linkedin.com/in/`",
        ),
    ];
    for (row, field, value) in reasons {
        let error = &run.row(row).error;
        assert!(
            error.contains(field) && error.contains(value),
            "row {row}: the error should name {field} and {value}: {error:?}"
        );
    }
}

#[test]
fn a_map_table_with_a_default_turns_codes_into_seniorities() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(
        dir.path(),
        "levels.csv",
        "Email,Grade\nl1@grades.example,L1\nl4@grades.example,l4\nx@grades.example,L9\n\
         none@grades.example,\n",
    );
    let mapping = write(
        dir.path(),
        "levels.toml",
        "[contact]\nemail = \"Email\"\n\n[employment]\n\
         seniority = { column = \"Grade\", map = { L1 = \"JUNIOR\", L4 = \"EXECUTIVE\", \
         default = \"MID\" } }\n",
    );

    let run = import_recorded(&input, &mapping, &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {"email": "l1@grades.example"},
                   "employment": {"seniority": "JUNIOR"}}),
            json!({"contact": {"email": "l4@grades.example"},
                   "employment": {"seniority": "EXECUTIVE"}}),
            json!({"contact": {"email": "none@grades.example"}}),
            json!({"contact": {"email": "x@grades.example"},
                   "employment": {"seniority": "MID"}}),
        ]
    );
}

#[test]
fn a_comma_before_a_k_suffix_is_not_read_as_a_thousands_separator() {
    // In a European export `1,2k` means 1.2 thousand. Reading it as 12000 would send a count
    // ten times too large, so the row must carry 1200 or stop.
    let dir = tempfile::tempdir().unwrap();
    let rows = "eu@crm.example,,Eu,Count,,,,\"1,2k\",,,,Eu Co\n";
    let input = write(dir.path(), "crm.csv", &format!("{CRM_HEADER}{rows}"));

    let run = import_recorded(&input, &quirk("crm.toml"), &[]);

    let sent: Vec<&serde_json::Value> = run
        .bodies
        .iter()
        .map(|body| &body["company"]["employeesCount"])
        .collect();
    assert!(
        sent.iter().all(|count| **count == json!(1200)),
        "`1,2k` was sent as {sent:?}; report: {:?}",
        run.report
    );
}

#[test]
fn a_linkedin_handle_is_not_taken_from_another_network_or_a_company_page() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "\
x@crm.example,,X,User,,,https://twitter.com/jane,,,,,X Co
gh@crm.example,,Git,Hub,,,https://github.com/jane,,,,,GH Co
co@crm.example,,Com,Pany,,,https://www.linkedin.com/company/acme,,,,,Acme
";
    let input = write(dir.path(), "crm.csv", &format!("{CRM_HEADER}{rows}"));

    let run = import_recorded(&input, &quirk("crm.toml"), &[]);

    let handles: Vec<(&str, &serde_json::Value)> = run
        .bodies
        .iter()
        .map(|body| (common::email(body), &body["contact"]["linkedInHandle"]))
        .filter(|(_, handle)| !handle.is_null())
        .collect();
    assert!(
        handles.is_empty(),
        "these are not LinkedIn profile handles: {handles:?}"
    );
}
