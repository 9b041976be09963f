//! The corpus of hostile inputs in `tests/bad-inputs/`: each file is one thing an export or a
//! mapping can get wrong, named for it, and `cases.toml` says what fq-import must do with it.
//! One test runs every case and lists every case that went otherwise, so that one run shows
//! them all. Whatever the case, a panic, a signal or a hang is a failure.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::{REPORT_COLUMNS, ReportRow, fq, text};
use serde::Deserialize;

/// The mapping a case uses unless its bad file is the mapping.
const GOOD_MAPPING: &str = "good.toml";

/// The files of the corpus that are not inputs: the manifest and the script that wrote the
/// binary inputs.
const NOT_INPUTS: [&str; 2] = ["cases.toml", "make-binary-inputs.py"];

/// The fewest bad files the corpus may hold.
const MIN_BAD_FILES: usize = 40;

/// The longest one case may run before it counts as hung.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

/// One case of `cases.toml`; its header comment says what each key means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    input: String,
    #[serde(default = "good_mapping")]
    mapping: String,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    command: Subcommand,
    exit: i32,
    says: Option<String>,
    names: Option<String>,
    line: Option<u64>,
    counts: Option<BTreeMap<String, usize>>,
    #[serde(default)]
    rows: Vec<ExpectedRow>,
    #[serde(default)]
    never: Vec<String>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Subcommand {
    #[default]
    Import,
    Check,
}

/// What one report line must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRow {
    row: Option<u64>,
    line: Option<u64>,
    #[serde(default = "invalid")]
    outcome: String,
    error: Option<String>,
    key: Option<String>,
}

fn good_mapping() -> String {
    GOOD_MAPPING.to_owned()
}

fn invalid() -> String {
    "invalid".to_owned()
}

impl Case {
    /// The file whose fault the case is: the mapping when it is not the good one.
    fn bad_file(&self) -> &str {
        if self.mapping == GOOD_MAPPING {
            &self.input
        } else {
            &self.mapping
        }
    }

    fn name(&self) -> String {
        match self.command {
            Subcommand::Import => self.bad_file().to_owned(),
            Subcommand::Check => format!("{} (check)", self.bad_file()),
        }
    }

    /// The command line, as a person would type it inside `tests/bad-inputs/`.
    fn command_line(&self) -> String {
        let mut words = vec!["fq-import".to_owned()];
        words.extend(self.args(Path::new("<tmp>/report.csv")));
        words.join(" ")
    }

    fn args(&self, report: &Path) -> Vec<String> {
        let mut args = match self.command {
            Subcommand::Import => vec!["import".to_owned()],
            Subcommand::Check => vec!["check".to_owned()],
        };
        args.extend([
            self.input.clone(),
            "--mapping".to_owned(),
            self.mapping.clone(),
        ]);
        if self.command == Subcommand::Import {
            let report = report.to_string_lossy().into_owned();
            args.extend(["--dry-run".to_owned(), "--report".to_owned(), report]);
        }
        args.extend(self.flags.iter().cloned());
        args
    }

    /// Mistakes in the case itself, which would make it pass for nothing.
    fn incomplete(&self) -> Option<&'static str> {
        let import = self.command == Subcommand::Import;
        if self.exit == 2 && self.says.is_none() {
            Some("an exit 2 case needs `says`")
        } else if import && self.exit != 2 && self.counts.is_none() {
            Some("an import case that maps rows needs `counts`")
        } else if !import && (self.counts.is_some() || !self.rows.is_empty()) {
            Some("check writes no report: `counts` and `rows` are for import")
        } else {
            None
        }
    }
}

/// `tests/bad-inputs/`.
fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad-inputs")
}

fn load_cases() -> Vec<Case> {
    let path = corpus().join("cases.toml");
    let manifest =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let manifest: Manifest =
        toml::from_str(&manifest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    manifest.case
}

#[test]
fn every_bad_input_gets_its_expected_outcome() {
    let cases = load_cases();

    let mut failures = corpus_problems(&cases);
    for case in &cases {
        let problems = run_case(case);
        if !problems.is_empty() {
            failures.push(describe_failure(case, &problems));
        }
    }

    assert!(
        failures.is_empty(),
        "{} failures among {} bad-input cases: they did not go as \
         tests/bad-inputs/cases.toml says\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Files of the corpus that no case reads, cases whose files are missing, and a corpus that
/// has shrunk below its floor.
fn corpus_problems(cases: &[Case]) -> Vec<String> {
    let used: BTreeSet<&str> = cases
        .iter()
        .flat_map(|case| [case.input.as_str(), case.mapping.as_str()])
        .collect();
    let present: BTreeSet<String> = std::fs::read_dir(corpus())
        .expect("list tests/bad-inputs")
        .map(|entry| entry.expect("a folder entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| !NOT_INPUTS.contains(&name.as_str()))
        .collect();

    let mut problems = Vec::new();
    for name in present.iter().filter(|name| !used.contains(name.as_str())) {
        problems.push(format!(
            "tests/bad-inputs/{name}: no case in cases.toml reads it"
        ));
    }
    for name in used.iter().filter(|name| !present.contains(**name)) {
        problems.push(format!(
            "cases.toml names {name}, which is not in tests/bad-inputs"
        ));
    }
    let bad = present
        .iter()
        .filter(|name| !name.starts_with("good."))
        .count();
    if bad < MIN_BAD_FILES {
        problems.push(format!(
            "tests/bad-inputs holds {bad} bad files; the corpus should hold at least \
             {MIN_BAD_FILES}"
        ));
    }
    problems
}

/// Run one case; every way it differs from what it should do, empty when it passed.
fn run_case(case: &Case) -> Vec<String> {
    if let Some(mistake) = case.incomplete() {
        return vec![format!("cases.toml: {mistake}")];
    }
    let dir = tempfile::tempdir().expect("a temp folder");
    let report = dir.path().join("report.csv");
    let output = fq()
        .current_dir(corpus())
        .args(case.args(&report))
        .timeout(TIMEOUT)
        .output()
        .expect("run fq-import");

    let mut problems = process_problems(case, &output);
    problems.extend(never_problems(case, &output, &report));
    if output.status.code() == Some(case.exit) {
        problems.extend(match (case.exit, case.command) {
            (2, _) => refusal_problems(case, &output),
            (_, Subcommand::Import) => report_problems(case, &output, &report),
            (_, Subcommand::Check) => says_problems(case, &output),
        });
    }
    if !problems.is_empty() {
        problems.push(format!("stderr: {}", excerpt(&output.stderr)));
    }
    problems
}

/// The start of what a run printed, escaped so that no control character reaches the
/// terminal that shows the failure.
fn excerpt(bytes: &[u8]) -> String {
    let printed = text(bytes);
    let start: String = printed.trim_end().chars().take(600).collect();
    format!("{start:?}")
}

/// A panic, a signal, a hang or the wrong exit code.
fn process_problems(case: &Case, output: &Output) -> Vec<String> {
    let mut problems = Vec::new();
    match output.status.code() {
        None => problems.push(format!(
            "ended by a signal, or still running after {TIMEOUT:?} ({})",
            output.status
        )),
        Some(101) => problems.push("exit 101: fq-import panicked".to_owned()),
        Some(code) if code != case.exit => {
            problems.push(format!("exit {code}, expected {}", case.exit));
        }
        Some(_) => {}
    }
    if text(&output.stderr).contains("panicked") {
        problems.push("stderr says `panicked`".to_owned());
    }
    problems
}

/// An input refused before anything is mapped: a message naming the file (and its line), and
/// no body printed.
fn refusal_problems(case: &Case, output: &Output) -> Vec<String> {
    let stderr = text(&output.stderr);
    let mut problems = says_problems(case, output);
    let file = case.names.as_deref().unwrap_or(case.bad_file());
    if !stderr.contains(file) {
        problems.push(format!("stderr does not name the file {file}"));
    }
    if let Some(line) = case.line {
        let places = [format!("{file}:{line}:"), format!("line {line}")];
        if !places.iter().any(|place| stderr.contains(place.as_str())) {
            problems.push(format!(
                "stderr names neither `{file}:{line}:` nor `line {line}`"
            ));
        }
    }
    if !output.stdout.is_empty() {
        problems.push("stdout is not empty, though the input was refused".to_owned());
    }
    problems
}

/// The text the case `says` the run prints, on stdout or stderr.
fn says_problems(case: &Case, output: &Output) -> Vec<String> {
    let Some(says) = &case.says else {
        return Vec::new();
    };
    let printed = format!("{}{}", text(&output.stdout), text(&output.stderr));
    if printed.contains(says.as_str()) {
        Vec::new()
    } else {
        vec![format!("the output does not say {says:?}")]
    }
}

/// A run that mapped rows: one report line per row in order, the counts of each outcome,
/// one body per ready row, and the lines the case looks at.
fn report_problems(case: &Case, output: &Output, report: &Path) -> Vec<String> {
    let rows = match read_report(report) {
        Ok(rows) => rows,
        Err(e) => return vec![e],
    };
    let mut problems = says_problems(case, output);
    if let Some(row) = rows
        .iter()
        .enumerate()
        .find(|(i, r)| r.row != *i as u64 + 1)
    {
        problems.push(format!(
            "report line {} is for row {}",
            row.0 + 1,
            row.1.row
        ));
    }

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for row in &rows {
        *counts.entry(row.outcome.clone()).or_default() += 1;
    }
    let mut expected = case.counts.clone().unwrap_or_default();
    expected.retain(|_, count| *count > 0);
    if counts != expected {
        problems.push(format!(
            "the report's outcomes are {counts:?}, expected {expected:?}"
        ));
    }

    let bodies = text(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .count();
    let ready = counts.get("ready").copied().unwrap_or(0);
    if bodies != ready {
        problems.push(format!("{bodies} bodies on stdout for {ready} ready rows"));
    }

    for expected in &case.rows {
        problems.extend(row_problems(expected, &rows));
    }
    problems
}

/// How one report line differs from what the case expects of it.
fn row_problems(expected: &ExpectedRow, rows: &[ReportRow]) -> Vec<String> {
    let (what, found) = match (expected.row, expected.line) {
        (Some(row), _) => (format!("row {row}"), rows.iter().find(|r| r.row == row)),
        (None, Some(line)) => (format!("line {line}"), rows.iter().find(|r| r.line == line)),
        (None, None) => return vec!["cases.toml: a row needs `row` or `line`".to_owned()],
    };
    let Some(found) = found else {
        return vec![format!("the report has no line for {what}")];
    };

    let mut problems = Vec::new();
    if found.outcome != expected.outcome {
        problems.push(format!(
            "{what} is {}, expected {} (error: {:?})",
            found.outcome, expected.outcome, found.error
        ));
    }
    if let Some(line) = expected.line.filter(|&line| line != found.line) {
        problems.push(format!(
            "{what} is on line {}, expected line {line}",
            found.line
        ));
    }
    if let Some(error) = expected
        .error
        .as_deref()
        .filter(|e| !found.error.contains(e))
    {
        problems.push(format!(
            "{what}'s error {:?} does not say {error:?}",
            found.error
        ));
    }
    if let Some(key) = expected.key.as_deref().filter(|&key| key != found.key) {
        problems.push(format!(
            "{what}'s key cell is {:?}, expected {key:?}",
            found.key
        ));
    }
    problems
}

/// Text that must not come out anywhere: not on stdout or stderr, nor in the report.
fn never_problems(case: &Case, output: &Output, report: &Path) -> Vec<String> {
    let report = std::fs::read(report).unwrap_or_default();
    let places = [
        ("stdout", &output.stdout),
        ("stderr", &output.stderr),
        ("the report", &report),
    ];
    let mut problems = Vec::new();
    for never in &case.never {
        for (place, bytes) in places {
            if text(bytes).contains(never.as_str()) {
                problems.push(format!("{place} holds {never:?}"));
            }
        }
    }
    problems
}

/// Read a CSV report, its header checked, without panicking: one broken case must not hide
/// the others.
fn read_report(path: &Path) -> Result<Vec<ReportRow>, String> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| format!("cannot open the report {}: {e}", path.display()))?;
    let header = reader
        .headers()
        .map_err(|e| format!("the report has no header: {e}"))?;
    if header.iter().ne(REPORT_COLUMNS) {
        return Err(format!("the report's columns are {header:?}"));
    }
    reader
        .deserialize()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read the report: {e}"))
}

/// One failed case: its name, the command to run it again, what went wrong and what it printed.
fn describe_failure(case: &Case, problems: &[String]) -> String {
    let mut lines = vec![
        format!("✗ {}", case.name()),
        format!("  (cd tests/bad-inputs && {})", case.command_line()),
    ];
    lines.extend(problems.iter().map(|problem| format!("  - {problem}")));
    lines.join("\n")
}
