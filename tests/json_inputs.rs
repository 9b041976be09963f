//! JSON exports: a `.json` file is told apart by its content (JSON lines, a top-level array,
//! one object, or an object holding the list of records), and a history table can make one
//! entry per element of an array with `each`.

mod common;

use common::{import_recorded, quirk};
use serde_json::json;

#[test]
fn a_pretty_printed_array_streams_and_lines_point_at_each_element() {
    let run = import_recorded(&quirk("array.json"), &quirk("json.toml"), &[]);

    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {"email": "ann@array.example", "name": "Ann Lee"},
                   "company": {"name": "Acme", "employeesCount": 120}}),
            json!({"contact": {"email": "bo@array.example", "name": "Bo Chen"}}),
            json!({"contact": {"email": "cy@array.example"},
                   "company": {"name": "Globex", "employeesCount": 1500}}),
        ]
    );
    // Each element's opening brace is on these lines of the file.
    assert_eq!(
        run.outcomes(),
        [
            (1, 2, "imported"),
            (2, 7, "imported"),
            (3, 11, "invalid"),
            (4, 12, "imported"),
        ]
    );
    assert!(
        run.row(3).error.contains("not-an-address"),
        "{:?}",
        run.row(3)
    );
}

#[test]
fn a_json_file_holding_json_lines_is_read_line_by_line() {
    let run = import_recorded(&quirk("lines.json"), &quirk("json.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("JSON lines"), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {"email": "ann@lines.example", "name": "Ann Lee"},
                   "company": {"name": "Acme"}}),
            json!({"contact": {"email": "bo@lines.example", "name": "Bo Chen"},
                   "company": {"name": "Chen & Co", "employeesCount": 8}}),
        ]
    );
    assert_eq!(run.outcomes(), [(1, 1, "imported"), (2, 2, "imported")]);
}

#[test]
fn a_single_object_document_is_one_record() {
    let run = import_recorded(&quirk("single.json"), &quirk("json.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {"email": "solo@single.example", "name": "Solo Person"},
                "company": {"name": "Solo Ltd", "employeesCount": 3}})
        ]
    );
    assert_eq!(run.report.len(), 1, "{:?}", run.report);
    assert_eq!(run.report[0].outcome, "imported");
}

#[test]
fn an_object_holding_a_list_of_records_gives_one_record_per_object() {
    let run = import_recorded(&quirk("records.json"), &quirk("json.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("`records`"),
        "stderr should name the list it read:\n{}",
        run.stderr
    );
    assert_eq!(
        run.bodies,
        [
            json!({"contact": {"email": "ann@records.example", "name": "Ann Lee"},
                   "company": {"name": "Acme"}}),
            json!({"contact": {"email": "bo@records.example", "name": "Bo Chen"}}),
        ]
    );
    let rows: Vec<(u64, &str)> = run
        .report
        .iter()
        .map(|r| (r.row, r.outcome.as_str()))
        .collect();
    assert_eq!(rows, [(1, "imported"), (2, "imported")]);
}

#[test]
fn a_single_profile_whose_positions_are_a_list_is_one_record() {
    // One person's profile, as a people-data API returns it: the list of objects in it is the
    // person's positions, not a list of records.
    let run = import_recorded(&quirk("profile.json"), &quirk("experience.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [json!({
            "contact": {"email": "ann@profile.example", "name": "Ann Lee"},
            "employment": {"history": [
                {"organization": "Acme", "title": "CTO", "start": "2021-03", "current": true},
                {"organization": "Globex", "title": "Engineer", "start": "2018-06",
                 "end": "2021-02", "current": false}
            ]}
        })]
    );
}

#[test]
fn each_makes_one_history_entry_per_element_up_to_the_limit() {
    let run = import_recorded(&quirk("experience.jsonl"), &quirk("experience.toml"), &[]);

    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.bodies,
        [
            // Three positions, limit = 2: the third is left out.
            json!({
                "contact": {"email": "ann@each.example", "name": "Ann Lee"},
                "employment": {"history": [
                    {"organization": "Acme", "title": "CTO", "start": "2021-03",
                     "current": true},
                    {"organization": "Globex", "title": "Engineer", "start": "2018-06",
                     "end": "2021-02", "current": false}
                ]}
            }),
            // An empty list leaves no history, and so no employment table.
            json!({"contact": {"email": "bo@each.example", "name": "Bo Chen"}}),
            // A timestamp's date is taken as written, not moved to UTC.
            json!({
                "contact": {"email": "cy@each.example", "name": "Cy Diaz"},
                "employment": {"history": [
                    {"organization": "Hooli", "title": "Product Manager", "start": "2019-12"}
                ]}
            }),
            json!({"contact": {"email": "dee@each.example", "name": "Dee Evans"}}),
        ]
    );
    // Line 3 of the file is blank.
    assert_eq!(
        run.outcomes(),
        [
            (1, 1, "imported"),
            (2, 2, "imported"),
            (3, 4, "imported"),
            (4, 5, "imported"),
        ]
    );
}
