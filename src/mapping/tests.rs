use super::*;
use crate::input::{Columns, Fields};

fn header(names: &[&str]) -> Columns {
    Columns::Header(names.iter().map(|s| s.to_string()).collect())
}

fn row(cells: &[&str]) -> Fields {
    Fields::Csv(csv::StringRecord::from(cells.to_vec()))
}

fn body(plan: &Plan, fields: &Fields) -> serde_json::Value {
    serde_json::from_slice(&plan.apply(fields).unwrap().body).unwrap()
}

const FULL: &str = r#"
[contact]
email = "Email"                       # a column
name = "{First Name} {Last Name}"     # a template
note = { value = "Imported from the 2024 customer list" }

[employment]
title = "Job Title"
seniority = { column = "Level" }

[[employment.history]]
current = { value = true }
organization = "Company"
title = "Job Title"

[company]
name = "Company"
website = "Website"
employeesCount = "Number of employees"
industries = { column = "Industry", split = ";" }
"#;

const COLUMNS: [&str; 9] = [
    "Email",
    "First Name",
    "Last Name",
    "Job Title",
    "Level",
    "Company",
    "Website",
    "Number of employees",
    "Industry",
];

fn full_plan() -> Plan {
    let mapping = Mapping::parse(FULL, "m.toml").unwrap();
    mapping.compile(&header(&COLUMNS), "in.csv").unwrap()
}

#[test]
fn the_documented_mapping_maps_a_row() {
    let plan = full_plan();
    let fields = row(&[
        " jane@acme.com ",
        "Jane",
        "Doe",
        "CTO",
        "executive",
        "Acme, Inc.",
        "https://acme.com",
        "1,200",
        "Software; ;SaaS;",
    ]);
    assert_eq!(
        body(&plan, &fields),
        serde_json::json!({
            "contact": {
                "email": "jane@acme.com",
                "name": "Jane Doe",
                "note": "Imported from the 2024 customer list"
            },
            "employment": {
                "title": "CTO",
                "seniority": "EXECUTIVE",
                "history": [{"current": true, "organization": "Acme, Inc.", "title": "CTO"}]
            },
            "company": {
                "name": "Acme, Inc.",
                "website": "https://acme.com",
                "employeesCount": 1200,
                "industries": ["Software", "SaaS"]
            }
        })
    );
}

#[test]
fn empty_values_and_tables_are_left_out() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"Email\"\nname = \"{First Name} {Last Name}\"\n\
         [company]\nname = \"Company\"\n[[employment.history]]\ntitle = \"Job Title\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping.compile(&header(&COLUMNS), "in.csv").unwrap();
    let fields = row(&["a@b.co", "", "Doe", "  ", "", "", "", "", ""]);
    assert_eq!(
        body(&plan, &fields),
        serde_json::json!({"contact": {"email": "a@b.co", "name": "Doe"}})
    );
}

#[test]
fn rows_that_cannot_be_mapped_say_why() {
    let plan = full_plan();
    let cases = [
        (
            ["", "J", "D", "", "", "", "", "", ""],
            "contact.email is empty",
        ),
        (
            ["nope", "J", "D", "", "", "", "", "", ""],
            "not an email address",
        ),
        (
            ["a@b.co", "", "", "", "boss", "", "", "", ""],
            "employment.seniority from column `Level`",
        ),
        (
            ["a@b.co", "", "", "", "", "", "", "12.5", ""],
            "`12.5` is not a whole number",
        ),
        (
            ["a@b.co", "", "", "", "", "", "", "abc", ""],
            "company.employeesCount",
        ),
    ];
    for (cells, expected) in cases {
        let err = plan.apply(&row(&cells)).unwrap_err();
        let message = err.problem.to_string();
        assert!(
            message.contains(expected),
            "{message} does not contain {expected}"
        );
    }
}

#[test]
fn json_paths_keep_types() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"person.email\"\nname = \"{person.first} {person.last}\"\n\
         [employment]\ntitle = \"experience.0.title\"\n\
         [company]\nemployeesCount = \"org.size\"\ntags = \"org.tags\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping.compile(&Columns::Paths, "in.jsonl").unwrap();
    let record = serde_json::json!({
        "person": {"email": "a@b.co", "first": "Ann", "last": null},
        "experience": [{"title": "Chef"}],
        "org": {"size": 40, "tags": ["x", " ", "y"]}
    });
    assert_eq!(
        body(&plan, &Fields::Json(record)),
        serde_json::json!({
            "contact": {"email": "a@b.co", "name": "Ann"},
            "employment": {"title": "Chef"},
            "company": {"employeesCount": 40, "tags": ["x", "y"]}
        })
    );
}

fn load_error(text: &str) -> MappingError {
    Mapping::parse(text, "m.toml").unwrap_err()
}

#[test]
fn mistakes_in_the_mapping_name_their_line() {
    let cases = [
        (
            "[contact]\nemail = \"Email\"\nemial = \"x\"\n",
            3,
            "unknown field `contact.emial`",
        ),
        (
            "[contcat]\nemail = \"Email\"\n",
            1,
            "unknown table [contcat]",
        ),
        (
            "[contact]\nemail = \"Email\"\nname = \"{First\"\n",
            3,
            "never closed",
        ),
        (
            "[contact]\nemail = \"E\"\n[company]\nemployeesCount = { value = \"x\" }\n",
            4,
            "whole",
        ),
        (
            "[contact]\nemail = \"E\"\nname = { column = \"A\", split = \",\" }\n",
            3,
            "split",
        ),
        (
            "[contact]\nemail = \"E\"\nname = { colum = \"A\" }\n",
            3,
            "did you mean `column`?",
        ),
        ("[contact]\nemail = \"E\"\nname = \n", 3, "not valid TOML"),
    ];
    for (text, line, expected) in cases {
        let err = load_error(text);
        assert_eq!(err.line, Some(line), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[test]
fn unknown_fields_get_a_suggestion() {
    let err = load_error("[contact]\nemail = \"E\"\n[company]\nemployeeCount = \"N\"\n");
    assert_eq!(err.hint.as_deref(), Some("did you mean `employeesCount`?"));
}

#[test]
fn a_mapping_needs_contact_email() {
    let err = load_error("[contact]\nname = \"Name\"\n");
    assert!(err.message.contains("no contact.email"), "{err}");
}

#[test]
fn missing_columns_are_found_before_any_row() {
    let mapping = Mapping::parse("[contact]\nemail = \"E-mail\"\n", "m.toml").unwrap();
    let err = mapping
        .compile(&header(&["Name", "Email"]), "in.csv")
        .unwrap_err();
    assert_eq!(err.line, Some(2));
    assert!(
        err.message
            .contains("`E-mail` is not in the header of in.csv"),
        "{err}"
    );
    assert_eq!(err.hint.as_deref(), Some("did you mean `Email`?"));
}

#[test]
fn templates_drop_the_text_around_empty_columns() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"E\"\nlocation = \"{City}, {State} {Zip}\"\n\
         name = \"({Code}) {Name}\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping
        .compile(
            &header(&["E", "City", "State", "Zip", "Code", "Name"]),
            "in.csv",
        )
        .unwrap();
    let cases = [
        (
            ["Paris", "IDF", "75001", "7", "Ann"],
            "Paris, IDF 75001",
            "(7) Ann",
        ),
        (["", "IDF", "75001", "", "Ann"], "IDF 75001", "Ann"),
        (["Paris", "", "75001", "7", ""], "Paris, 75001", "(7)"),
        (["Paris", "IDF", "", "", "Ann"], "Paris, IDF", "Ann"),
        (["", "", "75001", "", "Ann"], "75001", "Ann"),
    ];
    for (cells, location, name) in cases {
        let mut row_cells = vec!["a@b.co"];
        row_cells.extend(cells);
        let body = body(&plan, &row(&row_cells));
        assert_eq!(body["contact"]["location"], location, "{cells:?}");
        assert_eq!(body["contact"]["name"], name, "{cells:?}");
    }
}

#[test]
fn a_history_entry_of_constants_alone_is_left_out() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"E\"\n[[employment.history]]\ncurrent = { value = true }\n\
         organization = \"Org\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping.compile(&header(&["E", "Org"]), "in.csv").unwrap();
    assert_eq!(
        body(&plan, &row(&["a@b.co", ""])),
        serde_json::json!({"contact": {"email": "a@b.co"}})
    );
    assert_eq!(
        body(&plan, &row(&["a@b.co", "Acme"]))["employment"]["history"],
        serde_json::json!([{"current": true, "organization": "Acme"}])
    );
}

#[test]
fn a_field_in_the_wrong_table_says_where_it_belongs() {
    let err = load_error("[contact]\nemail = \"E\"\ntitle = \"Job Title\"\n");
    assert_eq!(
        err.hint.as_deref(),
        Some("`title` is a field of [employment]"),
        "{err}"
    );
}

#[test]
fn transforms_reshape_values_in_order() {
    let mapping = Mapping::parse(
        r#"
null_values = ["N/A", "-"]

[contact]
email = { column = "Email", transform = "lower" }
website = { column = "Site", transform = "domain" }
linkedInHandle = { column = "LinkedIn", transform = "handle" }
name = { first_of = ["Full", "First"], transform = "title" }

[employment]
seniority = { column = "Level", transform = "map" }

[[employment.history]]
start = { column = "Since", date = "%m/%d/%Y" }
organization = { column = "Org", default = "Self-employed" }

[company]
employeesCount = { column = "Size", transform = "number" }
tags = { column = "Tags", split = "|", transform = ["lower", "title"] }
industries = { column = "Industry", map = { saas = "Software", default = "Other" } }
"#,
        "m.toml",
    )
    .unwrap();
    let columns = [
        "Email", "Site", "LinkedIn", "Full", "First", "Level", "Since", "Org", "Size", "Tags",
        "Industry",
    ];
    let plan = mapping.compile(&header(&columns), "in.csv").unwrap();
    let fields = row(&[
        "Jane@ACME.com",
        "https://www.acme.com/about",
        "https://www.linkedin.com/in/jane-doe/",
        "N/A",
        "jANE",
        "vp",
        "03/15/2021",
        "-",
        "51-200",
        "big deal| ACME |-",
        "SaaS",
    ]);
    assert_eq!(
        body(&plan, &fields),
        serde_json::json!({
            "contact": {
                "email": "jane@acme.com",
                "website": "acme.com",
                "linkedInHandle": "jane-doe",
                "name": "Jane"
            },
            "employment": {
                "seniority": "EXECUTIVE",
                "history": [{"start": "2021-03", "organization": "Self-employed"}]
            },
            "company": {"employeesCount": 51, "tags": ["Big Deal", "Acme"], "industries": ["Software"]}
        })
    );
}

#[test]
fn a_transform_that_fails_stops_the_row() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"E\"\n[[employment.history]]\nstart = { column = \"D\", date = \"%m/%d/%Y\" }\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping.compile(&header(&["E", "D"]), "in.csv").unwrap();
    let err = plan.apply(&row(&["a@b.co", "26/10/1945"])).unwrap_err();
    assert_eq!(
        err.problem.to_string(),
        "employment.history.start from column `D`: `26/10/1945` is not a date written `%m/%d/%Y`"
    );
}

#[test]
fn transforms_that_do_not_fit_the_field_are_refused() {
    let cases = [
        (
            "[company]\nemployeesCount = { column = \"N\", transform = \"domain\" }",
            "does not fit",
        ),
        (
            "name = { column = \"N\", transform = \"number\" }",
            "does not fit",
        ),
        (
            "name = { column = \"N\", transform = \"domian\" }",
            "did you mean `domain`?",
        ),
        (
            "name = { column = \"N\", transform = \"map\" }",
            "needs a table",
        ),
        (
            "name = { column = \"N\", date = \"someday\" }",
            "not a date format",
        ),
    ];
    for (entry, expected) in cases {
        let err = load_error(&format!("[contact]\nemail = \"E\"\n{entry}\n"));
        assert!(err.to_string().contains(expected), "{err}");
        assert!(err.line.is_some(), "{err}");
    }
}

#[test]
fn a_duplicated_column_is_told_apart_by_position() {
    let columns = header(&["Email", "Phone", "Email"]);
    let err = Mapping::parse("[contact]\nemail = \"Email\"\n", "m.toml")
        .unwrap()
        .compile(&columns, "in.csv")
        .unwrap_err();
    assert!(err.message.contains("appears 2 times"), "{err}");
    assert!(
        err.hint.as_deref().unwrap_or_default().contains("Email#2"),
        "{err}"
    );
    let plan = Mapping::parse("[contact]\nemail = \"Email#2\"\n", "m.toml")
        .unwrap()
        .compile(&columns, "in.csv")
        .unwrap();
    assert_eq!(
        body(&plan, &row(&["old@x.co", "1", "new@x.co"])),
        serde_json::json!({"contact": {"email": "new@x.co"}})
    );
}

#[test]
fn each_builds_history_from_a_json_array() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"email\"\n[[employment.history]]\neach = \"jobs\"\nlimit = 2\n\
         organization = \"company.name\"\ntitle = \"title\"\ncurrent = \"current\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping.compile(&Columns::Paths, "in.jsonl").unwrap();
    let record = serde_json::json!({
        "email": "a@b.co",
        "jobs": [
            {"company": {"name": "Acme"}, "title": "CTO", "current": true},
            {"company": {"name": ""}, "title": null},
            {"company": {"name": "Initech"}, "title": "Dev", "current": false},
            {"company": {"name": "Too many"}}
        ]
    });
    assert_eq!(
        body(&plan, &Fields::Json(record))["employment"]["history"],
        serde_json::json!([{"organization": "Acme", "title": "CTO", "current": true}])
    );
}

#[test]
fn template_labels_stay_with_their_column() {
    let mapping = Mapping::parse(
        "[contact]\nemail = \"E\"\nnote = \"Customer Id {Id}; subscribed {Since}; phone {Phone}\"\n",
        "m.toml",
    )
    .unwrap();
    let plan = mapping
        .compile(&header(&["E", "Id", "Since", "Phone"]), "in.csv")
        .unwrap();
    for (cells, note) in [
        (
            ["7", "2020", "555"],
            "Customer Id 7; subscribed 2020; phone 555",
        ),
        (["7", "2020", ""], "Customer Id 7; subscribed 2020"),
        (["", "2020", "555"], "subscribed 2020; phone 555"),
        (["7", "", "555"], "Customer Id 7; phone 555"),
    ] {
        let mut row_cells = vec!["a@b.co"];
        row_cells.extend(cells);
        assert_eq!(
            body(&plan, &row(&row_cells))["contact"]["note"],
            note,
            "{cells:?}"
        );
    }
}
