//! Choosing which rows a run sends: `--dedupe` within a run and across a resume, `--limit`
//! as a trial that a resume carries on from, and `--shard K/N` splitting one file between
//! processes.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{
    MockProcess, ReportRow, Running, fq, numbered_rows, person, read_report, rows_read,
    sent_per_email, text, write,
};
use tempfile::TempDir;

/// Five rows where rows 3 and 5 repeat the addresses of rows 1 and 2, in another case and
/// with spaces around.
const REPEATS: &str = "Email,Name\n\
                       ann@dedupe.example,Ann\n\
                       bob@dedupe.example,Bob\n\
                       \" ANN@Dedupe.example \",Ann again\n\
                       cat@dedupe.example,Cat\n\
                       Bob@DEDUPE.example,Bob again\n";

struct Case {
    dir: TempDir,
    input: PathBuf,
    mapping: PathBuf,
    record: PathBuf,
    mock: MockProcess,
}

impl Case {
    fn new(input: impl FnOnce(&Path) -> (PathBuf, PathBuf)) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let (input, mapping) = input(dir.path());
        let record = dir.path().join("record.jsonl");
        let mock = MockProcess::recording(&record);
        Case {
            dir,
            input,
            mapping,
            record,
            mock,
        }
    }

    fn repeats() -> Case {
        Case::new(|dir| {
            let input = write(dir, "repeats.csv", REPEATS);
            let mapping = write(
                dir,
                "repeats.toml",
                "[contact]\nemail = \"Email\"\nname = \"Name\"\n",
            );
            (input, mapping)
        })
    }

    fn numbered(n: usize) -> Case {
        Case::new(|dir| numbered_rows(dir, n))
    }

    fn report(&self) -> PathBuf {
        self.dir.path().join("report.csv")
    }

    /// `fq-import import` into the stand-in, with the report in the temporary folder.
    fn import(&self) -> assert_cmd::Command {
        let mut cmd = fq();
        cmd.arg("import")
            .arg(&self.input)
            .arg("--mapping")
            .arg(&self.mapping)
            .args(["--url", &self.mock.url()])
            .arg("--report")
            .arg(self.report())
            .timeout(Duration::from_secs(30));
        cmd
    }
}

/// Each line's row, outcome and error.
fn outcomes(report: &[ReportRow]) -> Vec<(u64, &str, &str)> {
    report
        .iter()
        .map(|r| (r.row, r.outcome.as_str(), r.error.as_str()))
        .collect()
}

fn once_each(emails: &[&str]) -> BTreeMap<String, usize> {
    emails.iter().map(|e| ((*e).to_owned(), 1)).collect()
}

#[test]
fn without_dedupe_every_row_is_sent() {
    let case = Case::repeats();

    case.import().arg("-q").assert().success();

    assert_eq!(read_report(&case.report()).len(), 5);
    assert_eq!(common::read_lines(&case.record).len(), 5);
}

#[test]
fn dedupe_sends_each_address_once_and_names_the_row_a_duplicate_repeats() {
    let case = Case::repeats();

    case.import().args(["-q", "--dedupe"]).assert().success();

    assert_eq!(
        outcomes(&read_report(&case.report())),
        [
            (1, "imported", ""),
            (2, "imported", ""),
            (3, "duplicate", "duplicate of row 1"),
            (4, "imported", ""),
            (5, "duplicate", "duplicate of row 2"),
        ]
    );
    assert_eq!(
        sent_per_email(&case.record),
        once_each(&[
            "ann@dedupe.example",
            "bob@dedupe.example",
            "cat@dedupe.example"
        ])
    );
}

#[test]
fn dedupe_counts_rows_imported_by_the_run_being_resumed() {
    let case = Case::repeats();
    case.import()
        .args(["-q", "--dedupe", "--limit", "2"])
        .assert()
        .success();

    case.import()
        .args(["-q", "--dedupe", "--resume"])
        .assert()
        .success();

    assert_eq!(
        outcomes(&read_report(&case.report())),
        [
            (1, "imported", ""),
            (2, "imported", ""),
            (3, "duplicate", "duplicate of row 1"),
            (4, "imported", ""),
            (5, "duplicate", "duplicate of row 2"),
        ]
    );
    assert_eq!(
        sent_per_email(&case.record),
        once_each(&[
            "ann@dedupe.example",
            "bob@dedupe.example",
            "cat@dedupe.example"
        ])
    );
}

#[test]
fn limit_handles_the_first_rows_and_a_resume_sends_exactly_the_rest() {
    let case = Case::numbered(30);

    let output = case.import().args(["--limit", "10"]).output().unwrap();

    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(rows_read(&stderr), Some(10), "{stderr}");
    let report = read_report(&case.report());
    let rows: Vec<u64> = report.iter().map(|r| r.row).collect();
    assert_eq!(rows, (1..=10).collect::<Vec<_>>());
    assert!(report.iter().all(|r| r.outcome == "imported"), "{report:?}");
    let first: Vec<String> = (1..=10).map(person).collect();
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    assert_eq!(sent_per_email(&case.record), once_each(&first));
    let sent_by_the_trial = common::read_lines(&case.record).len();

    case.import().args(["-q", "--resume"]).assert().success();

    let second: Vec<String> = common::read_lines(&case.record)
        .iter()
        .skip(sent_by_the_trial)
        .map(|body| common::email(body).to_owned())
        .collect();
    let mut second_sorted = second.clone();
    second_sorted.sort();
    let mut rest: Vec<String> = (11..=30).map(person).collect();
    rest.sort();
    assert_eq!(
        second_sorted, rest,
        "the resume sends rows 11 to 30, once each"
    );
    let report = read_report(&case.report());
    let rows: Vec<(u64, &str)> = report.iter().map(|r| (r.row, r.outcome.as_str())).collect();
    let expected: Vec<(u64, &str)> = (1..=30).map(|row| (row, "imported")).collect();
    assert_eq!(rows, expected);
}

#[test]
fn three_shards_run_at_once_cover_every_row_exactly_once() {
    const ROWS: usize = 31;
    let case = Case::numbered(ROWS);
    let mut shards: Vec<Running> = (1..=3)
        .map(|k| {
            let shard = format!("{k}/3");
            let args: Vec<std::ffi::OsString> = vec![
                "import".into(),
                case.input.clone().into(),
                "--mapping".into(),
                case.mapping.clone().into(),
                "--url".into(),
                case.mock.url().into(),
                "--shard".into(),
                shard.into(),
                "-q".into(),
            ];
            let stderr = case.dir.path().join(format!("stderr-{k}.txt"));
            Running::start(args, &stderr)
        })
        .collect();
    for shard in &mut shards {
        let (code, stderr) = shard.wait(Duration::from_secs(30));
        assert_eq!(code, Some(0), "{stderr}");
    }

    let mut covered: Vec<u64> = Vec::new();
    for k in 1..=3u64 {
        let mut name = case.input.as_os_str().to_owned();
        name.push(format!(".shard-{k}-of-3.report.csv"));
        let report = read_report(Path::new(&name));
        for line in &report {
            assert_eq!(line.row % 3, k % 3, "shard {k}/3 handles {line:?}");
            assert_eq!(line.outcome, "imported", "{line:?}");
            assert_eq!(line.key, person(line.row as usize), "{line:?}");
        }
        let rows: Vec<u64> = report.iter().map(|r| r.row).collect();
        let mut in_order = rows.clone();
        in_order.sort_unstable();
        assert_eq!(rows, in_order, "shard {k}/3's report is in row order");
        covered.extend(rows);
    }
    covered.sort_unstable();
    assert_eq!(covered, (1..=ROWS as u64).collect::<Vec<_>>());
    let sent = sent_per_email(&case.record);
    assert_eq!(sent.len(), ROWS);
    assert!(sent.values().all(|&n| n == 1), "{sent:?}");
}

#[test]
fn a_shard_resumes_from_its_own_report() {
    let case = Case::numbered(20);
    let shard_report = |case: &Case| {
        let mut name = case.input.as_os_str().to_owned();
        name.push(".shard-2-of-4.report.csv");
        PathBuf::from(name)
    };
    let import = |flags: &[&str]| {
        fq().arg("import")
            .arg(&case.input)
            .arg("--mapping")
            .arg(&case.mapping)
            .args(["--url", &case.mock.url(), "-q", "--shard", "2/4"])
            .args(flags)
            .assert()
            .success();
    };
    import(&["--limit", "2"]);
    assert_eq!(
        read_report(&shard_report(&case))
            .iter()
            .map(|r| r.row)
            .collect::<Vec<_>>(),
        [2, 6]
    );

    import(&["--resume"]);

    let report = read_report(&shard_report(&case));
    let rows: Vec<(u64, &str)> = report.iter().map(|r| (r.row, r.outcome.as_str())).collect();
    assert_eq!(
        rows,
        [
            (2, "imported"),
            (6, "imported"),
            (10, "imported"),
            (14, "imported"),
            (18, "imported")
        ]
    );
    let sent = sent_per_email(&case.record);
    let expected: Vec<String> = [2, 6, 10, 14, 18].into_iter().map(person).collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(sent, once_each(&expected));
}
