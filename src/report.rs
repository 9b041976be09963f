//! The report: one line per input row saying what became of it.
//!
//! The writer is the only code that touches the report file and the outcome counters. Each
//! result is written as it arrives and the file is flushed whenever no more results are
//! waiting. Results arrive out of order; a bounded buffer puts them back in row order, and if
//! a row stays out so long that the buffer fills, the file goes out of order and is sorted
//! when the run ends.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::send::{Halt, Stop};
use crate::settings::ReportFormat;

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The webhook accepted the row.
    Imported,
    /// The row could not be mapped to a valid body and was not sent.
    Invalid,
    /// The webhook refused the row, or every attempt to send it failed.
    Failed,
    /// Dry run: the row maps to a valid body and would be sent.
    Ready,
    /// The row was read, but the run stopped before its outcome was known.
    Pending,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct RowResult {
    /// 1-based number of the record in the input, not counting the header.
    pub row: u64,
    /// The line of the input where the record starts.
    pub line: u64,
    /// The row's contact.email.
    pub key: String,
    pub outcome: Outcome,
    /// The status of the webhook's last answer, if it answered.
    pub http_status: Option<u16>,
    /// The id the webhook gave the row.
    pub row_id: String,
    /// The status the webhook gave the row, such as PENDING.
    pub row_status: String,
    /// How many requests were sent for the row.
    pub attempts: u32,
    /// Why the row is invalid or failed.
    pub error: String,
    /// The `X-Request-Id` of the webhook's last answer, for failed rows.
    pub request_id: String,
}

impl RowResult {
    /// Whether a text field holds a line break; the report keeps one line per row.
    fn spans_lines(&self) -> bool {
        [
            &self.key,
            &self.row_id,
            &self.row_status,
            &self.error,
            &self.request_id,
        ]
        .iter()
        .any(|s| s.contains(['\n', '\r']))
    }

    fn flattened(&self) -> RowResult {
        let flat = |s: &str| s.replace("\r\n", " ").replace(['\n', '\r'], " ");
        RowResult {
            key: flat(&self.key),
            row_id: flat(&self.row_id),
            row_status: flat(&self.row_status),
            error: flat(&self.error),
            request_id: flat(&self.request_id),
            ..self.clone()
        }
    }

    /// A result with only its row, line and outcome set.
    pub fn new(row: u64, line: u64, key: String, outcome: Outcome) -> RowResult {
        RowResult {
            row,
            line,
            key,
            outcome,
            http_status: None,
            row_id: String::new(),
            row_status: String::new(),
            attempts: 0,
            error: String::new(),
            request_id: String::new(),
        }
    }
}

/// Live counts of rows, read by the progress display.
#[derive(Debug, Default)]
pub struct Counts {
    pub read: AtomicU64,
    pub imported: AtomicU64,
    pub invalid: AtomicU64,
    pub failed: AtomicU64,
    pub ready: AtomicU64,
    pub pending: AtomicU64,
    pub retries: AtomicU64,
}

impl Counts {
    fn counter(&self, outcome: Outcome) -> &AtomicU64 {
        match outcome {
            Outcome::Imported => &self.imported,
            Outcome::Invalid => &self.invalid,
            Outcome::Failed => &self.failed,
            Outcome::Ready => &self.ready,
            Outcome::Pending => &self.pending,
        }
    }

    pub fn get(&self, outcome: Outcome) -> u64 {
        self.counter(outcome).load(Ordering::Relaxed)
    }

    /// Rows whose outcome is known.
    pub fn done(&self) -> u64 {
        [
            Outcome::Imported,
            Outcome::Invalid,
            Outcome::Failed,
            Outcome::Ready,
        ]
        .into_iter()
        .map(|o| self.get(o))
        .sum()
    }
}

/// The report's columns, in order: the fields of [`RowResult`].
pub const COLUMNS: [&str; 10] = [
    "row",
    "line",
    "key",
    "outcome",
    "http_status",
    "row_id",
    "row_status",
    "attempts",
    "error",
    "request_id",
];

/// How many results may wait for an earlier row before the file goes out of order.
const REORDER_LIMIT: usize = 8192;

/// The report file, open for writing.
pub struct Report {
    path: PathBuf,
    format: ReportFormat,
    sink: Sink,
    next_row: u64,
    waiting: BTreeMap<u64, RowResult>,
    out_of_order: bool,
    counts: Arc<Counts>,
}

enum Sink {
    Csv(Box<csv::Writer<File>>),
    Jsonl(BufWriter<File>),
}

impl Report {
    /// Create (or empty) the report file, readable by its owner only.
    pub fn create(
        path: &Path,
        format: ReportFormat,
        counts: Arc<Counts>,
    ) -> anyhow::Result<Report> {
        let file = create_private(path).with_context(|| {
            format!(
                "cannot create the report {} (pass --report FILE to write it elsewhere)",
                path.display()
            )
        })?;
        let sink = match format {
            ReportFormat::Csv => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(file);
                writer
                    .write_record(COLUMNS)
                    .with_context(|| format!("cannot write the report {}", path.display()))?;
                Sink::Csv(Box::new(writer))
            }
            ReportFormat::Jsonl => Sink::Jsonl(BufWriter::new(file)),
        };
        Ok(Report {
            path: path.to_owned(),
            format,
            sink,
            next_row: 1,
            waiting: BTreeMap::new(),
            out_of_order: false,
            counts,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write every result that arrives until the channel closes, then finish the file.
    /// Blocking: run it on a thread of its own.
    ///
    /// When the file cannot be written, the run is stopped: nothing more may be sent that
    /// the report could not record. The results still arriving are drained and dropped.
    pub fn write_all(
        mut self,
        mut results: mpsc::Receiver<RowResult>,
        stop: &Stop,
    ) -> anyhow::Result<()> {
        let written = self.write_arriving(&mut results);
        if let Err(error) = written {
            stop.halt(Halt::WriteFailed(format!("{error:#}")));
            while results.blocking_recv().is_some() {}
            return Err(error);
        }
        self.finish()
    }

    fn write_arriving(&mut self, results: &mut mpsc::Receiver<RowResult>) -> anyhow::Result<()> {
        while let Some(result) = results.blocking_recv() {
            self.add(result)?;
            while let Ok(result) = results.try_recv() {
                self.add(result)?;
            }
            self.flush()?;
        }
        Ok(())
    }

    fn add(&mut self, result: RowResult) -> anyhow::Result<()> {
        self.counts
            .counter(result.outcome)
            .fetch_add(1, Ordering::Relaxed);
        self.waiting.insert(result.row, result);
        self.drain_in_order()?;
        if self.waiting.len() > REORDER_LIMIT {
            if let Some((_, first)) = self.waiting.pop_first() {
                self.out_of_order = true;
                self.next_row = self.next_row.max(first.row + 1);
                self.write(&first)?;
                self.drain_in_order()?;
            }
        }
        Ok(())
    }

    fn drain_in_order(&mut self) -> anyhow::Result<()> {
        while let Some(result) = self.waiting.remove(&self.next_row) {
            self.write(&result)?;
            self.next_row += 1;
        }
        Ok(())
    }

    fn write(&mut self, result: &RowResult) -> anyhow::Result<()> {
        let flat;
        let result = if result.spans_lines() {
            flat = result.flattened();
            &flat
        } else {
            result
        };
        let written = match &mut self.sink {
            Sink::Csv(writer) => writer.serialize(result).map_err(anyhow::Error::from),
            Sink::Jsonl(writer) => serde_json::to_writer(&mut *writer, result)
                .map_err(anyhow::Error::from)
                .and_then(|()| Ok(writer.write_all(b"\n")?)),
        };
        written.with_context(|| format!("cannot write the report {}", self.path.display()))
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        let flushed = match &mut self.sink {
            Sink::Csv(writer) => writer.flush(),
            Sink::Jsonl(writer) => writer.flush(),
        };
        flushed.with_context(|| format!("cannot write the report {}", self.path.display()))
    }

    fn finish(mut self) -> anyhow::Result<()> {
        let rest = std::mem::take(&mut self.waiting);
        if rest.keys().next().is_some_and(|&row| row != self.next_row) {
            self.out_of_order = true;
        }
        for result in rest.values() {
            self.write(result)?;
        }
        self.flush()?;
        let file = match &self.sink {
            Sink::Csv(writer) => writer.get_ref(),
            Sink::Jsonl(writer) => writer.get_ref(),
        };
        file.sync_all()
            .with_context(|| format!("cannot write the report {}", self.path.display()))?;
        if self.out_of_order {
            sort_by_row(&self.path, self.format)?;
        }
        Ok(())
    }
}

fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    // A file that existed keeps its mode through `open`: narrow it too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Rewrite the report in row order. Its lines start with the row number in both formats.
fn sort_by_row(path: &Path, format: ReportFormat) -> anyhow::Result<()> {
    let context = || format!("cannot sort the report {}", path.display());
    let reader = BufReader::new(File::open(path).with_context(context)?);
    let mut lines = reader
        .lines()
        .collect::<Result<Vec<_>, _>>()
        .with_context(context)?;
    let header = match format {
        ReportFormat::Csv if !lines.is_empty() => Some(lines.remove(0)),
        _ => None,
    };
    let row_of = |line: &str| -> u64 {
        let digits = line.trim_start_matches("{\"row\":");
        let end = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        digits[..end].parse().unwrap_or(u64::MAX)
    };
    lines.sort_by_key(|line| row_of(line));
    let tmp = path.with_extension("sorting");
    let mut out = BufWriter::new(create_private(&tmp).with_context(context)?);
    for line in header.iter().chain(&lines) {
        writeln!(out, "{line}").with_context(context)?;
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .with_context(context)?;
    std::fs::rename(&tmp, path).with_context(context)
}
