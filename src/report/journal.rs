//! The report as a journal: what it belongs to, reading it back for `--resume`, and tidying
//! it into one line per row, in row order.
//!
//! Beside the report, `<report>.meta.json` records what it belongs to: a fingerprint of the
//! input (path, size, modification time, a hash of its first MiB), of the mapping, and of the
//! shard. The report itself stays a plain CSV (or JSONL) file that spreadsheets and scripts
//! read as they are. A resume reads the report's lines and keeps one bit per row: imported or
//! not. The last line for a row wins, so a report left by a crash, with older lines for some
//! rows, reads correctly, and the next run's end tidies it.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{COLUMNS, Outcome};
use crate::settings::{ReportFormat, Source};

/// How much of the input its fingerprint reads.
const HEAD: u64 = 1024 * 1024;

/// What a report belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The input's absolute path, or `-` for stdin.
    pub input: String,
    pub size: Option<u64>,
    /// Seconds since 1970.
    pub modified: Option<u64>,
    /// SHA-256 of the input's first MiB.
    pub head: Option<String>,
    /// SHA-256 of the mapping file.
    pub mapping: String,
    /// `K/N` with `--shard`, empty without.
    #[serde(default)]
    pub shard: String,
}

impl Fingerprint {
    pub fn of(
        source: &Source,
        mapping: &Path,
        shard: Option<(u64, u64)>,
    ) -> anyhow::Result<Fingerprint> {
        let mapping_bytes = std::fs::read(mapping)
            .with_context(|| format!("cannot read the mapping {}", mapping.display()))?;
        let shard = shard.map(|(k, n)| format!("{k}/{n}")).unwrap_or_default();
        let mut fingerprint = Fingerprint {
            input: "-".to_owned(),
            size: None,
            modified: None,
            head: None,
            mapping: hex(&Sha256::digest(&mapping_bytes)),
            shard,
        };
        if let Source::File(path) = source {
            let context = || format!("cannot read {}", path.display());
            let meta = std::fs::metadata(path).with_context(context)?;
            let mut head = Vec::new();
            File::open(path)
                .with_context(context)?
                .take(HEAD)
                .read_to_end(&mut head)
                .with_context(context)?;
            let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
            fingerprint.input = absolute.display().to_string();
            fingerprint.size = Some(meta.len());
            fingerprint.modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            fingerprint.head = Some(hex(&Sha256::digest(&head)));
        }
        Ok(fingerprint)
    }

    /// What differs between the report's fingerprint and this run's, in words.
    pub fn differences(&self, now: &Fingerprint) -> Vec<String> {
        let mut found = Vec::new();
        let show = |v: Option<u64>| v.map_or("unknown".to_owned(), |v| v.to_string());
        if self.input != now.input {
            found.push(format!(
                "the input was {}, now it is {}",
                self.input, now.input
            ));
        }
        if self.size != now.size {
            let (was, is) = (show(self.size), show(now.size));
            found.push(format!("the input's size was {was} bytes, now {is}"));
        }
        if self.modified != now.modified {
            found.push("the input has been modified since".to_owned());
        }
        if self.head != now.head {
            found.push("the input's first MiB differs".to_owned());
        }
        if self.mapping != now.mapping {
            found.push("the mapping file has changed".to_owned());
        }
        if self.shard != now.shard {
            let name = |s: &str| {
                if s.is_empty() {
                    "no shard".to_owned()
                } else {
                    format!("shard {s}")
                }
            };
            found.push(format!(
                "it was {}, now {}",
                name(&self.shard),
                name(&now.shard)
            ));
        }
        found
    }

    /// Record the fingerprint beside the report.
    pub(super) fn save(&self, report: &Path) -> anyhow::Result<()> {
        let path = meta_of(report);
        let context = || format!("cannot write {}", path.display());
        let mut file = super::writer::create_private(&path).with_context(context)?;
        serde_json::to_writer_pretty(&mut file, self).with_context(context)?;
        file.write_all(b"\n").with_context(context)?;
        file.sync_all().with_context(context)
    }

    /// The fingerprint recorded beside a report, if there is one.
    fn load(report: &Path) -> anyhow::Result<Option<Fingerprint>> {
        let path = meta_of(report);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).with_context(|| {
                format!("{} is not a fingerprint fq-import wrote", path.display())
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

/// `<report>.meta.json`.
pub(super) fn meta_of(report: &Path) -> PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(".meta.json");
    PathBuf::from(name)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One bit per row: imported or not.
#[derive(Debug, Clone, Default)]
pub struct Done {
    bits: Vec<u64>,
}

impl Done {
    pub fn contains(&self, row: u64) -> bool {
        let (word, bit) = ((row / 64) as usize, row % 64);
        self.bits.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    fn set(&mut self, row: u64, on: bool) {
        let (word, bit) = ((row / 64) as usize, row % 64);
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if on {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
    }
}

/// What an earlier run's report says.
#[derive(Debug, Clone)]
pub struct Previous {
    pub fingerprint: Option<Fingerprint>,
    pub done: Done,
    /// Rows imported.
    pub imported: u64,
}

/// The file a resumed run writes its new lines to, beside the report.
pub(super) fn part_of(report: &Path) -> PathBuf {
    let mut name = report.as_os_str().to_owned();
    name.push(".part");
    PathBuf::from(name)
}

/// Read an earlier run's report, when there is one. Lines that a crashed resume left in
/// the part file are folded into the report first.
pub fn read_previous(report: &Path, format: ReportFormat) -> anyhow::Result<Option<Previous>> {
    if !report.exists() {
        return Ok(None);
    }
    let part = part_of(report);
    if part.exists() {
        tidy(report, Some(&part), format)?;
    }
    let context = || format!("cannot read the report {} to resume", report.display());
    let reader = BufReader::new(File::open(report).with_context(context)?);
    let mut previous = Previous {
        fingerprint: Fingerprint::load(report)?,
        done: Done::default(),
        imported: 0,
    };
    let mut parser = LineParser::new(format);
    for line in reader.lines() {
        let line = line.with_context(context)?;
        if let Some((row, outcome)) = parser.row_and_outcome(&line) {
            previous.done.set(row, outcome == Outcome::Imported);
        }
    }
    previous.imported = previous
        .done
        .bits
        .iter()
        .map(|w| u64::from(w.count_ones()))
        .sum();
    Ok(Some(previous))
}

/// Reads the row and outcome of report lines. One serves a whole file: building a CSV
/// parser costs more than parsing a line with it.
struct LineParser {
    format: ReportFormat,
    csv: csv_core::Reader,
    /// The line being parsed, with a line break after it.
    input: Vec<u8>,
    fields: Vec<u8>,
    /// Room for one field more than a report line has, to tell a longer line.
    ends: [usize; COLUMNS.len() + 1],
}

impl LineParser {
    fn new(format: ReportFormat) -> LineParser {
        LineParser {
            format,
            csv: csv_core::Reader::new(),
            input: Vec::new(),
            fields: Vec::new(),
            ends: [0; COLUMNS.len() + 1],
        }
    }

    /// The row and outcome of a whole report line. A line cut short by a crash, or anything
    /// else that is not a line fq-import wrote, gives `None` and is left out.
    fn row_and_outcome(&mut self, line: &str) -> Option<(u64, Outcome)> {
        match self.format {
            ReportFormat::Csv => {
                self.input.clear();
                self.input.extend_from_slice(line.as_bytes());
                self.input.push(b'\n');
                self.fields.resize(self.input.len(), 0);
                self.csv.reset();
                let (result, _, _, count) =
                    self.csv
                        .read_record(&self.input, &mut self.fields, &mut self.ends);
                if result != csv_core::ReadRecordResult::Record || count != COLUMNS.len() {
                    return None;
                }
                let field = |i: usize| {
                    let start = if i == 0 { 0 } else { self.ends[i - 1] };
                    std::str::from_utf8(&self.fields[start..self.ends[i]]).ok()
                };
                Some((field(0)?.parse().ok()?, Outcome::from_name(field(3)?)?))
            }
            ReportFormat::Jsonl => {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                let row = value.get("row")?.as_u64()?;
                Some((row, Outcome::from_name(value.get("outcome")?.as_str()?)?))
            }
        }
    }
}

/// Rewrite `report` with one line per row, in row order, the last line for a row winning:
/// from the report and, when given, the part file of a resumed run, whose lines are later.
/// The part file is removed.
///
/// Each file is close to row order (results arrive a little out of order, and a row stuck
/// in retries arrives late), so each is put in order as a stream, holding a bounded window
/// of lines and the few that come later than the window; then the two are merged.
pub(super) fn tidy(report: &Path, part: Option<&Path>, format: ReportFormat) -> anyhow::Result<()> {
    let context = || format!("cannot tidy the report {}", report.display());
    let tmp = report.with_extension("tidying");
    let file = super::writer::create_private(&tmp).with_context(context)?;
    let mut out = BufWriter::new(file);
    if format == ReportFormat::Csv {
        writeln!(out, "{}", COLUMNS.join(",")).with_context(context)?;
    }
    let base = sorted(report, format).with_context(context)?;
    let later = match part {
        Some(part) => sorted(part, format).with_context(context)?,
        None => SortedLines::empty().peekable(),
    };
    merge(base, later, &mut out).with_context(context)?;
    let file = out
        .into_inner()
        .map_err(|e| e.into_error())
        .with_context(context)?;
    file.sync_all().with_context(context)?;
    std::fs::rename(&tmp, report).with_context(context)?;
    if let Some(part) = part {
        std::fs::remove_file(part).with_context(context)?;
    }
    Ok(())
}

/// How many lines the sort holds back, waiting for an earlier row.
const WINDOW: usize = 8 * 1024;

type Sorted = std::iter::Peekable<SortedLines>;

/// The lines of a report file in row order, the last line for a row winning.
///
/// The first pass keeps the lines that come more than [`WINDOW`] places late; the second
/// sorts the rest through a window of that size and merges those in.
fn sorted(path: &Path, format: ReportFormat) -> std::io::Result<Sorted> {
    let mut late = BTreeMap::new();
    let mut window = BinaryHeap::new();
    let mut last_out = 0;
    for line in Lines::open(path, format)? {
        let (row, line) = line?;
        if row < last_out {
            late.insert(row, line);
            continue;
        }
        window.push(Reverse(row));
        if window.len() > WINDOW {
            last_out = window.pop().map_or(last_out, |r| r.0);
        }
    }
    let lines = SortedLines {
        lines: Some(Lines::open(path, format)?),
        seq: 0,
        window: BinaryHeap::new(),
        late,
        last: None,
        error: None,
    };
    Ok(lines.peekable())
}

/// The second pass of [`sorted`].
struct SortedLines {
    lines: Option<Lines>,
    seq: u64,
    /// (row, place in the file, line): for one row, the later place wins.
    window: BinaryHeap<Reverse<(u64, u64, String)>>,
    /// The lines that came too late for the window, by row.
    late: BTreeMap<u64, String>,
    /// The last row given out.
    last: Option<u64>,
    error: Option<std::io::Error>,
}

impl SortedLines {
    /// No lines at all.
    fn empty() -> SortedLines {
        SortedLines {
            lines: None,
            seq: 0,
            window: BinaryHeap::new(),
            late: BTreeMap::new(),
            last: None,
            error: None,
        }
    }

    fn fill(&mut self) {
        while self.window.len() <= WINDOW {
            let Some(lines) = self.lines.as_mut() else {
                return;
            };
            match lines.next() {
                None => return,
                Some(Err(e)) => {
                    self.error = Some(e);
                    return;
                }
                Some(Ok((row, line))) => {
                    self.seq += 1;
                    // A late line for the row wins; a row already given out is an older line.
                    let stale = self.late.contains_key(&row) || self.last.is_some_and(|l| row <= l);
                    if !stale {
                        self.window.push(Reverse((row, self.seq, line)));
                    }
                }
            }
        }
    }

    fn next_from_window(&mut self) -> Option<(u64, String)> {
        let Reverse((row, _, mut line)) = self.window.pop()?;
        while self.window.peek().is_some_and(|next| next.0.0 == row) {
            line = self.window.pop()?.0.2;
        }
        Some((row, line))
    }
}

impl Iterator for SortedLines {
    type Item = std::io::Result<(u64, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.fill();
        if let Some(error) = self.error.take() {
            return Some(Err(error));
        }
        let in_window = self.window.peek().map(|next| next.0.0);
        let late = self.late.first_key_value().map(|(row, _)| *row);
        let next = match (in_window, late) {
            (None, None) => return None,
            (Some(w), Some(l)) if l <= w => self.late.pop_first(),
            (None, Some(_)) => self.late.pop_first(),
            _ => self.next_from_window(),
        }?;
        self.last = Some(next.0);
        Some(Ok(next))
    }
}

/// Merge two sorted streams of row lines; on the same row, `later`'s line wins.
fn merge(mut base: Sorted, mut later: Sorted, out: &mut impl Write) -> std::io::Result<()> {
    loop {
        let row = |next: Option<&std::io::Result<(u64, String)>>| {
            next.map(|n| n.as_ref().map_or(0, |(row, _)| *row))
        };
        let (b, l) = (row(base.peek()), row(later.peek()));
        let take_later = match (b, l) {
            (None, None) => return Ok(()),
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(b), Some(l)) => {
                if b == l {
                    base.next().transpose()?;
                }
                l <= b
            }
        };
        let next = if take_later {
            later.next()
        } else {
            base.next()
        };
        if let Some(next) = next {
            writeln!(out, "{}", next?.1)?;
        }
    }
}

/// The whole row lines of a report file, with their row numbers.
struct Lines {
    lines: std::io::Lines<BufReader<File>>,
    parser: LineParser,
}

impl Lines {
    fn open(path: &Path, format: ReportFormat) -> std::io::Result<Lines> {
        Ok(Lines {
            lines: BufReader::new(File::open(path)?).lines(),
            parser: LineParser::new(format),
        })
    }
}

impl Iterator for Lines {
    type Item = std::io::Result<(u64, String)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.lines.next()? {
                Err(e) => return Some(Err(e)),
                Ok(line) => {
                    if let Some((row, _)) = self.parser.row_and_outcome(&line) {
                        return Some(Ok((row, line)));
                    }
                }
            }
        }
    }
}

/// Refuse a resume whose input, mapping or shard differ from the report's, unless forced.
pub fn check_resume(
    previous: &Previous,
    now: &Fingerprint,
    report: &Path,
    force: bool,
) -> anyhow::Result<()> {
    let Some(then) = &previous.fingerprint else {
        if force {
            return Ok(());
        }
        bail!(
            "{} does not say which input it belongs to, so it cannot be resumed safely; \
             pass --force to resume anyway",
            report.display()
        );
    };
    let differences = then.differences(now);
    if differences.is_empty() || force {
        return Ok(());
    }
    bail!(
        "cannot resume from {}: {}; pass --force to resume anyway, or drop --resume to \
         start over",
        report.display(),
        differences.join("; ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn done_keeps_a_bit_per_row() {
        let mut done = Done::default();
        for row in [1, 64, 65, 1000] {
            done.set(row, true);
        }
        done.set(65, false);
        assert!(done.contains(1) && done.contains(64) && done.contains(1000));
        assert!(!done.contains(65) && !done.contains(2) && !done.contains(5000));
    }

    #[test]
    fn report_lines_give_their_row_and_outcome() {
        let mut csv = LineParser::new(ReportFormat::Csv);
        let line = "12,14,a@b.co,failed,500,,,3,\"HTTP 500: x, y\",req_1";
        assert_eq!(csv.row_and_outcome(line), Some((12, Outcome::Failed)));
        let quoted = "3,4,\"a,\"\"b\"\"@c.co\",imported,200,r_1,PENDING,1,,";
        assert_eq!(csv.row_and_outcome(quoted), Some((3, Outcome::Imported)));
        assert_eq!(csv.row_and_outcome("row,line,key,outcome"), None);
        // Cut short by a crash: too few fields, or inside a quote.
        assert_eq!(csv.row_and_outcome("12,14,a@b.co,failed,500"), None);
        assert_eq!(
            csv.row_and_outcome("12,14,a@b.co,failed,500,,,3,\"HTTP 5"),
            None
        );
        assert_eq!(csv.row_and_outcome(&format!("{line},extra")), None);
        // The parser is left clean by a line it refused.
        assert_eq!(csv.row_and_outcome(line), Some((12, Outcome::Failed)));
        let mut json = LineParser::new(ReportFormat::Jsonl);
        let line = r#"{"row":7,"line":8,"key":"a@b.co","outcome":"imported"}"#;
        assert_eq!(json.row_and_outcome(line), Some((7, Outcome::Imported)));
    }

    #[test]
    fn differences_are_named() {
        let then = Fingerprint {
            input: "/data/a.csv".into(),
            size: Some(10),
            modified: Some(1),
            head: Some("aa".into()),
            mapping: "m1".into(),
            shard: String::new(),
        };
        let now = Fingerprint {
            size: Some(12),
            mapping: "m2".into(),
            ..then.clone()
        };
        let found = then.differences(&now);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("size was 10 bytes, now 12"), "{found:?}");
        assert!(found[1].contains("mapping"), "{found:?}");
        assert!(then.differences(&then).is_empty());
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("r.csv");
        then.save(&report).unwrap();
        assert_eq!(Fingerprint::load(&report).unwrap(), Some(then));
    }
}
