//! Writing the report as results arrive.
//!
//! Each result is written as it comes and the file is flushed whenever no more results are
//! waiting, so the report on disk is the journal a resume reads: a crash loses only the rows
//! whose requests were in flight. Results arrive a little out of row order; when they did,
//! the report is put in order when the run ends. A resumed run writes its lines beside the
//! report and merges them in at the end.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context;
use tokio::sync::mpsc;

use super::journal::{self, Fingerprint};
use super::rejects::{Rejects, RejectsFormat};
use super::{COLUMNS, Counts, Entry, Outcome, RowResult};
use crate::cli::MaxErrors;
use crate::send::{Halt, Stop};
use crate::settings::ReportFormat;
use crate::state::Recorder;

/// What the report of one run is to be.
#[derive(Debug, Clone)]
pub struct ReportPlan {
    pub path: PathBuf,
    pub format: ReportFormat,
    pub fingerprint: Fingerprint,
    /// Carry on from the report: this run's lines go beside it and are merged at the end.
    pub resume: bool,
    /// Where to write the rows that end invalid or failed, and how.
    pub rejects: Option<(PathBuf, RejectsFormat)>,
}

/// The report file, open for writing.
pub struct Report {
    plan: ReportPlan,
    /// The file written now: the report, or its part file when resuming.
    writing: PathBuf,
    sink: Sink,
    /// The row written last, to know whether the file is in row order.
    last_row: u64,
    out_of_order: bool,
    counts: Arc<Counts>,
    rejects: Option<Rejects>,
    max_errors: Option<MaxErrors>,
    /// The places in flight of the rows written since the last flush, given back after it.
    slots: Vec<tokio::sync::OwnedSemaphorePermit>,
    /// Set once `max_errors` is passed.
    too_many: Option<String>,
    /// With `--state`: where the rows the webhook accepted are recorded.
    state: Option<Recorder>,
}

enum Sink {
    Csv(Box<csv::Writer<File>>),
    Jsonl(BufWriter<File>),
}

impl Report {
    /// Create the report (or, when resuming, its part file), readable by its owner only.
    pub fn create(plan: ReportPlan, counts: Arc<Counts>) -> anyhow::Result<Report> {
        let writing = if plan.resume {
            journal::part_of(&plan.path)
        } else {
            plan.path.clone()
        };
        let file = create_private(&writing).with_context(|| {
            format!(
                "cannot create the report {} (pass --report FILE to write it elsewhere)",
                writing.display()
            )
        })?;
        let sink = open_sink(file, &plan, &writing)?;
        plan.fingerprint.save(&plan.path)?;
        let rejects = match &plan.rejects {
            Some((path, format)) => Some(Rejects::create(path, format)?),
            None => None,
        };
        Ok(Report {
            last_row: 0,
            plan,
            writing,
            sink,
            out_of_order: false,
            counts,
            rejects,
            max_errors: None,
            slots: Vec::new(),
            too_many: None,
            state: None,
        })
    }

    /// Stop the run once more rows than this are invalid or failed.
    pub fn with_max_errors(mut self, max_errors: Option<MaxErrors>) -> Report {
        self.max_errors = max_errors;
        self
    }

    /// Record in the state each row the webhook accepts.
    pub fn with_state(mut self, state: Option<Recorder>) -> Report {
        self.state = state;
        self
    }

    pub fn path(&self) -> &Path {
        &self.plan.path
    }

    /// Write every result that arrives until the channel closes, then finish the file.
    /// Blocking: run it on a thread of its own.
    ///
    /// When the file cannot be written, the run is stopped: nothing more may be sent that
    /// the report could not record. The results still arriving are drained and dropped.
    pub fn write_all(
        mut self,
        mut entries: mpsc::Receiver<Vec<Entry>>,
        stop: &Stop,
    ) -> anyhow::Result<()> {
        let written = self.write_arriving(&mut entries, stop);
        if let Err(error) = written {
            stop.halt(Halt::WriteFailed(format!("{error:#}")));
            while entries.blocking_recv().is_some() {}
            return Err(error);
        }
        self.finish()
    }

    fn write_arriving(
        &mut self,
        entries: &mut mpsc::Receiver<Vec<Entry>>,
        stop: &Stop,
    ) -> anyhow::Result<()> {
        while let Some(batch) = entries.blocking_recv() {
            for entry in batch {
                self.add(entry)?;
            }
            while let Ok(batch) = entries.try_recv() {
                for entry in batch {
                    self.add(entry)?;
                }
            }
            // The state first: a crash between the two leaves a row recorded as accepted
            // that the report does not know of, so a resumed run finds it unchanged rather
            // than sending it again. A state that cannot be written stops the sending, but
            // not the report: every row read still gets its line.
            if let Some(state) = &mut self.state
                && let Err(error) = state.commit()
            {
                stop.halt(Halt::StateFailed(format!("{error:#}")));
                self.state = None;
            }
            self.flush()?;
            self.slots.clear();
            if let Some(message) = self.too_many.take() {
                stop.halt(Halt::TooManyErrors(message));
            }
        }
        Ok(())
    }

    /// Whether the invalid and failed rows are now more than `--max-errors` allows.
    fn check_errors(&mut self) {
        let Some(max) = self.max_errors else {
            return;
        };
        let bad = self.counts.get(Outcome::Invalid) + self.counts.get(Outcome::Failed);
        // A share is judged once 100 outcomes are known, and taken of the rows read:
        // invalid rows are known at once, sent ones only later.
        let seen = self.counts.read.load(Ordering::Relaxed);
        let known = self.counts.done();
        let over = match max {
            MaxErrors::Rows(n) => bad > n,
            MaxErrors::Percent(p) => known >= 100 && (bad as f64) > p / 100.0 * seen as f64,
        };
        if over && self.too_many.is_none() {
            self.too_many = Some(format!(
                "{bad} of {seen} rows so far are invalid or failed, more than --max-errors allows"
            ));
            self.max_errors = None;
        }
    }

    fn add(&mut self, entry: Entry) -> anyhow::Result<()> {
        match entry {
            Entry::Sent(mut result, slot) => {
                if let (Some(state), Some(tracked), Outcome::Imported) =
                    (&mut self.state, result.tracked.take(), result.outcome)
                {
                    state.stage(result.row, tracked, &result.row_id);
                }
                self.add(Entry::Row(result))?;
                self.slots.push(slot);
                Ok(())
            }
            Entry::Row(result) => {
                self.counts
                    .counter(result.outcome)
                    .fetch_add(1, Ordering::Relaxed);
                self.counts.note_error(&result);
                if matches!(result.outcome, Outcome::Invalid | Outcome::Failed) {
                    self.check_errors();
                }
                if result.row < self.last_row {
                    self.out_of_order = true;
                }
                self.last_row = self.last_row.max(result.row);
                self.write(&result)
            }
            Entry::Kept(_) => {
                self.counts.earlier.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
        }
    }

    fn write(&mut self, result: &RowResult) -> anyhow::Result<()> {
        if let (Some(rejects), Some(raw)) = (&mut self.rejects, &result.raw)
            && matches!(result.outcome, Outcome::Invalid | Outcome::Failed)
        {
            rejects.write(raw)?;
        }
        let flat;
        let result = if result.spans_lines() {
            flat = result.flattened();
            &flat
        } else {
            result
        };
        let written = match &mut self.sink {
            Sink::Csv(writer) => write_csv(writer, result).map_err(anyhow::Error::from),
            Sink::Jsonl(writer) => serde_json::to_writer(&mut *writer, result)
                .map_err(anyhow::Error::from)
                .and_then(|()| Ok(writer.write_all(b"\n")?)),
        };
        written.with_context(|| format!("cannot write the report {}", self.writing.display()))
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        let flushed = match &mut self.sink {
            Sink::Csv(writer) => writer.flush(),
            Sink::Jsonl(writer) => writer.flush(),
        };
        flushed.with_context(|| format!("cannot write the report {}", self.writing.display()))
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.flush()?;
        let file = match &self.sink {
            Sink::Csv(writer) => writer.get_ref(),
            Sink::Jsonl(writer) => writer.get_ref(),
        };
        file.sync_all()
            .with_context(|| format!("cannot write the report {}", self.writing.display()))?;
        if let Some(rejects) = self.rejects.take() {
            rejects.finish()?;
        }
        if let Some(state) = &self.state {
            state.finish();
        }
        let plan = &self.plan;
        if plan.resume {
            journal::tidy(&plan.path, Some(&self.writing), plan.format)?;
        } else if self.out_of_order {
            journal::tidy(&plan.path, None, plan.format)?;
        }
        Ok(())
    }
}

/// One report line, its fields in the order of [`COLUMNS`].
fn write_csv(writer: &mut csv::Writer<File>, result: &RowResult) -> csv::Result<()> {
    let mut numbers = [(); 4].map(|()| itoa::Buffer::new());
    let [row, line, status, attempts] = &mut numbers;
    let status = result.http_status.map_or("", |s| status.format(s));
    let (key, row_id, row_status) = (
        inert(&result.key),
        inert(&result.row_id),
        inert(&result.row_status),
    );
    let (error, request_id) = (inert(&result.error), inert(&result.request_id));
    writer.write_record([
        row.format(result.row).as_bytes(),
        line.format(result.line).as_bytes(),
        key.as_bytes(),
        result.outcome.name().as_bytes(),
        status.as_bytes(),
        row_id.as_bytes(),
        row_status.as_bytes(),
        attempts.format(result.attempts).as_bytes(),
        error.as_bytes(),
        request_id.as_bytes(),
    ])
}

/// A cell a spreadsheet will not run: text that starts like a formula (`=`, `+`, `-`, `@`,
/// a tab or a carriage return) gets a leading `'`, as OWASP advises against CSV injection.
pub(crate) fn inert(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

fn open_sink(file: File, plan: &ReportPlan, path: &Path) -> anyhow::Result<Sink> {
    let context = || format!("cannot write the report {}", path.display());
    match plan.format {
        ReportFormat::Csv => {
            let mut writer = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(file);
            if !plan.resume {
                writer.write_record(COLUMNS).with_context(context)?;
            }
            Ok(Sink::Csv(Box::new(writer)))
        }
        ReportFormat::Jsonl => Ok(Sink::Jsonl(BufWriter::new(file))),
    }
}

/// Create (or empty) a file readable by its owner only.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
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
