//! `--rejects FILE`: the rows that end invalid or failed, written in the input's own format
//! with its header, so that they can be fixed and imported again; and who may read the
//! files a run leaves behind.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{MockProcess, fq, read_report, webhook_url, write};
use serde_json::{Value, json};
use tempfile::TempDir;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

/// A semicolon export: row 2 has no valid address, row 4 an unknown seniority, and the
/// webhook refuses row 5. Quoted cells hold the delimiter.
const SEMICOLONS: &str = "Email;Name;Level;Note\n\
                          ok1@rejects.example;Ok One;senior;\"fine; really\"\n\
                          bad-address;Bad Address;;wrong email\n\
                          ok2@rejects.example;Ok Two;;\n\
                          boss@rejects.example;Boss;boss;\"unknown; seniority\"\n\
                          refused@rejects.example;Refused;;\"refused; by the webhook\"\n\
                          ok3@rejects.example;Ok Three;junior;\n";

const TABLE_MAPPING: &str = "[contact]\nemail = \"Email\"\nname = \"Name\"\nnote = \"Note\"\n\n\
                             [employment]\nseniority = \"Level\"\n";

/// The same rows as JSON lines, one with a nested field the mapping does not use.
const LINES: &str = r#"{"email":"ok1@rejects.example","name":"Ok One","level":"senior"}
{"email":"bad-address","name":"Bad Address"}
{"email":"ok2@rejects.example","name":"Ok Two"}
{"email":"boss@rejects.example","name":"Boss","level":"boss"}
{"email":"refused@rejects.example","name":"Refused","extra":{"kept":[1,2]}}
{"email":"ok3@rejects.example","name":"Ok Three","level":"junior"}
"#;

const LINES_MAPPING: &str = "[contact]\nemail = \"email\"\nname = \"name\"\n\n\
                             [employment]\nseniority = \"level\"\n";

/// The sed expressions that fix the three bad rows, in either format.
const FIXES: [&str; 4] = [
    "s/bad-address/fixed@rejects.example/",
    "s/;boss;/;executive;/",
    r#"s/"level":"boss"/"level":"executive"/"#,
    "s/refused@/accepted@/",
];

/// A webhook that refuses any row whose address starts with `refused@` and accepts the rest.
async fn webhook() -> MockServer {
    let server = MockServer::start().await;
    let responder = |request: &Request| {
        let body: Value = request.body_json().unwrap();
        let email = body["contact"]["email"].as_str().unwrap_or_default();
        if email.starts_with("refused@") {
            ResponseTemplate::new(400).set_body_json(json!({"message": "Refused"}))
        } else {
            ResponseTemplate::new(200).set_body_json(json!({
                "id": "row_ok", "object": "row", "status": "PENDING"
            }))
        }
    };
    Mock::given(method("POST"))
        .and(path(common::WEBHOOK_PATH))
        .respond_with(responder)
        .mount(&server)
        .await;
    server
}

/// The addresses a wiremock server received, sorted.
async fn received_emails(server: &MockServer) -> Vec<String> {
    let mut emails: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let body: Value = r.body_json().unwrap();
            body["contact"]["email"].as_str().unwrap().to_owned()
        })
        .collect();
    emails.sort();
    emails
}

struct Case {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
}

impl Case {
    fn new(input_name: &str, input: &str, mapping: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let input = write(dir.path(), input_name, input);
        let mapping = write(dir.path(), "mapping.toml", mapping);
        Case {
            dir,
            input,
            mapping,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `fq-import import FILE` into `url`, quiet, its report named `report`.
    fn import(&self, file: &Path, url: &str, report: &str) -> assert_cmd::Command {
        let mut cmd = fq();
        cmd.arg("import")
            .arg(file)
            .arg("--mapping")
            .arg(&self.mapping)
            .args(["--url", url, "-q", "--retry-delay", "10ms"])
            .arg("--report")
            .arg(self.path(report))
            .timeout(Duration::from_secs(30));
        cmd
    }
}

/// Apply the fixes to `file` in place with sed, as a user would.
fn fix_with_sed(file: &Path) {
    let mut sed = std::process::Command::new("sed");
    sed.arg("-i");
    for fix in FIXES {
        sed.args(["-e", fix]);
    }
    let status = sed.arg(file).status().expect("run sed");
    assert!(status.success(), "sed failed: {status}");
}

/// The records of a CSV file with `delimiter`, the header first.
fn records(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn csv_rejects_hold_the_invalid_and_failed_rows_with_the_header_and_delimiter() {
    let case = Case::new("contacts.csv", SEMICOLONS, TABLE_MAPPING);
    let server = webhook().await;
    let rejects = case.path("rejects.csv");

    case.import(&case.input, &webhook_url(&server.uri()), "report.csv")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);

    let report = read_report(&case.path("report.csv"));
    let outcomes: Vec<&str> = report.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        [
            "imported", "invalid", "imported", "invalid", "failed", "imported"
        ]
    );
    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(
        text.starts_with("Email;Name;Level;Note\n"),
        "the input's header, with its delimiter:\n{text}"
    );
    let input = records(&case.input, b';');
    assert_eq!(
        records(&rejects, b';'),
        [
            input[0].clone(),
            input[2].clone(),
            input[4].clone(),
            input[5].clone()
        ],
        "the header, then rows 2, 4 and 5 as they were read"
    );

    fix_with_sed(&rejects);
    let fixed = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "row_fixed", "object": "row", "status": "PENDING"
        })))
        .mount(&fixed)
        .await;
    case.import(&rejects, &webhook_url(&fixed.uri()), "fixed.csv")
        .assert()
        .success();
    assert_eq!(
        received_emails(&fixed).await,
        [
            "accepted@rejects.example",
            "boss@rejects.example",
            "fixed@rejects.example"
        ]
    );
    let report = read_report(&case.path("fixed.csv"));
    assert!(report.iter().all(|r| r.outcome == "imported"), "{report:?}");
}

#[tokio::test]
async fn tsv_rejects_keep_the_tabs() {
    let tabs = SEMICOLONS.replace(';', "\t");
    let case = Case::new("contacts.tsv", &tabs, TABLE_MAPPING);
    let server = webhook().await;
    let rejects = case.path("rejects.tsv");

    case.import(&case.input, &webhook_url(&server.uri()), "report.csv")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);

    let text = std::fs::read_to_string(&rejects).unwrap();
    assert!(text.starts_with("Email\tName\tLevel\tNote\n"), "{text:?}");
    let input = records(&case.input, b'\t');
    assert_eq!(
        records(&rejects, b'\t'),
        [
            input[0].clone(),
            input[2].clone(),
            input[4].clone(),
            input[5].clone()
        ]
    );
}

/// Import the JSON lines `input` with rejects, against the refusing webhook; the rejects.
async fn jsonl_rejects(case: &Case) -> PathBuf {
    let server = webhook().await;
    let rejects = case.path("rejects.jsonl");
    case.import(&case.input, &webhook_url(&server.uri()), "report.csv")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);
    rejects
}

#[tokio::test]
async fn jsonl_rejects_hold_the_bad_records_and_import_cleanly_once_fixed() {
    let case = Case::new("people.jsonl", LINES, LINES_MAPPING);
    let rejects = jsonl_rejects(&case).await;

    let input = common::parse_lines(LINES);
    assert_eq!(
        common::read_lines(&rejects),
        [input[1].clone(), input[3].clone(), input[4].clone()],
        "rows 2, 4 and 5, one JSON object a line"
    );

    fix_with_sed(&rejects);
    let record = case.path("record.jsonl");
    let mock = MockProcess::recording(&record);
    case.import(&rejects, &mock.url(), "fixed.csv")
        .assert()
        .success();
    let mut sent: Vec<String> = common::read_lines(&record)
        .iter()
        .map(|b| common::email(b).to_owned())
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            "accepted@rejects.example",
            "boss@rejects.example",
            "fixed@rejects.example"
        ]
    );
}

#[tokio::test]
async fn jsonl_rejects_are_the_lines_as_read_with_their_key_order_and_numbers() {
    // Written by hand or by another tool: keys in no sorted order, a number wider than a
    // double, a decimal with a trailing zero, an escaped letter.
    let input = concat!(
        r#"{"email":"bad-address","name":"Caf\u00e9","#,
        r#""account":123456789012345678901234567890,"price":1.10}"#,
        "\n"
    );
    let case = Case::new("odd.jsonl", input, LINES_MAPPING);
    let rejects = jsonl_rejects(&case).await;

    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        input,
        "the rejected line is written as it was read, so that nothing in it changes"
    );
}

#[tokio::test]
async fn rejects_of_a_resumed_run_hold_only_the_rows_still_bad() {
    let case = Case::new("contacts.csv", SEMICOLONS, TABLE_MAPPING);
    let server = webhook().await;
    let rejects = case.path("rejects.csv");
    case.import(&case.input, &webhook_url(&server.uri()), "report.csv")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);

    let mock = MockProcess::start(&[]);
    case.import(&case.input, &mock.url(), "report.csv")
        .arg("--resume")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);

    let input = records(&case.input, b';');
    assert_eq!(
        records(&rejects, b';'),
        [input[0].clone(), input[2].clone(), input[4].clone()],
        "the refused row went through; the invalid rows are still invalid"
    );
    let report = read_report(&case.path("report.csv"));
    let outcomes: BTreeMap<u64, &str> =
        report.iter().map(|r| (r.row, r.outcome.as_str())).collect();
    assert_eq!(
        outcomes,
        BTreeMap::from([
            (1, "imported"),
            (2, "invalid"),
            (3, "imported"),
            (4, "invalid"),
            (5, "imported"),
            (6, "imported")
        ])
    );
}

#[cfg(unix)]
#[tokio::test]
async fn the_report_its_fingerprint_and_the_rejects_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let case = Case::new("contacts.csv", SEMICOLONS, TABLE_MAPPING);
    let server = webhook().await;
    let report = case.path("report.csv");
    let meta = case.path("report.csv.meta.json");
    let rejects = case.path("rejects.csv");
    // Files left open to everyone by something else are narrowed too.
    for file in [&report, &rejects] {
        std::fs::write(file, "").unwrap();
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    case.import(&case.input, &webhook_url(&server.uri()), "report.csv")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);
    for file in [&report, &meta, &rejects] {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }

    // A resume rewrites the report when it merges its new lines in.
    let mock = MockProcess::start(&[]);
    case.import(&case.input, &mock.url(), "report.csv")
        .arg("--resume")
        .arg("--rejects")
        .arg(&rejects)
        .assert()
        .code(1);
    for file in [&report, &meta, &rejects] {
        assert_eq!(mode(file), 0o600, "after a resume: {}", file.display());
    }
}
