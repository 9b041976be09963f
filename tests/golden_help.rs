//! The help texts and the summary's shape, held to committed golden files so that the
//! documentation and the code cannot drift apart. After a deliberate change, rewrite them
//! with tests/golden/regenerate.sh (help) or by hand (tests/golden/summary.json).

mod common;

use std::path::Path;

use common::{fixture, fq};
use serde_json::Value;

fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn help(args: &[&str]) -> String {
    let output = fq()
        .args(args)
        .env("COLUMNS", "100")
        .output()
        .expect("run fq-import");
    assert!(output.status.success(), "{args:?} --help failed");
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

#[test]
fn every_help_text_matches_its_golden_file() {
    let cases: [(&[&str], &str); 10] = [
        (&["--help"], "fq-import.help"),
        (&["import", "--help"], "import.help"),
        (&["check", "--help"], "check.help"),
        (&["mock", "--help"], "mock.help"),
        (&["completions", "--help"], "completions.help"),
        (&["man", "--help"], "man.help"),
        (&["mapping", "init", "--help"], "mapping-init.help"),
        (&["state", "show", "--help"], "state-show.help"),
        (&["state", "forget", "--help"], "state-forget.help"),
        (&["state", "export", "--help"], "state-export.help"),
    ];
    let drifted: Vec<&str> = cases
        .iter()
        .filter(|(args, file)| help(args) != golden(file))
        .map(|(_, file)| *file)
        .collect();
    assert!(
        drifted.is_empty(),
        "the help differs from tests/golden/{drifted:?}: run tests/golden/regenerate.sh if \
         the change is meant"
    );
}

#[test]
fn help_ends_with_examples_and_every_import_flag_says_its_default() {
    let root = help(&["--help"]);
    assert!(root.contains("Examples:"), "{root}");
    let import = help(&["import", "--help"]);
    for example in [
        "--dry-run",
        "--limit 10",
        "--url-file",
        "--resume",
        "--state",
        "0 2 * * *",
        "CI",
    ] {
        assert!(
            import.contains(example),
            "no `{example}` among the examples"
        );
    }
    // A flag that takes a value names its default, or says why it has none.
    for flag in [
        "--concurrency",
        "--timeout",
        "--max-retries",
        "--progress",
        "--max-record-bytes",
    ] {
        let at = import
            .find(&format!("{flag} "))
            .unwrap_or_else(|| panic!("{flag}"));
        // The flag's entry runs to the next line that starts another flag.
        let entry: Vec<&str> = std::iter::once(import[at..].lines().next().unwrap_or_default())
            .chain(import[at..].lines().skip(1).take_while(|l| {
                let indent = l.len() - l.trim_start().len();
                !(l.trim_start().starts_with('-') && indent <= 6)
            }))
            .collect();
        let entry = entry.join(" ");
        assert!(
            entry.contains("[default:"),
            "{flag} does not say its default: {entry}"
        );
    }
}

#[test]
fn the_summary_keeps_its_shape() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let summary = dir.path().join("summary.json");
    let report = dir.path().join("report.csv");
    fq().arg("import")
        .arg(fixture("contacts-invalid.csv"))
        .arg("--mapping")
        .arg(fixture("contacts.toml"))
        .args(["--sandbox", "-q", "--report"])
        .arg(&report)
        .arg("--summary-json")
        .arg(&summary)
        .assert()
        .code(1);
    let mut got: Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).expect("the summary")).unwrap();
    // What changes from run to run, or machine to machine.
    assert!(got["elapsed_seconds"].as_f64().is_some_and(|s| s > 0.0));
    assert!(got["rows_per_second"].as_f64().is_some_and(|r| r > 0.0));
    got["elapsed_seconds"] = Value::from(0);
    got["rows_per_second"] = Value::from(0);
    got["input"] = Value::from("contacts-invalid.csv");
    got["report"] = Value::from("report.csv");
    got["version"] = Value::from("VERSION");
    let want: Value = serde_json::from_str(&golden("summary.json")).expect("golden JSON");
    assert_eq!(got, want, "the summary's shape changed:\n{got:#}");
}
