//! The report: one line per input row saying what became of it, kept as a journal that
//! `--resume` reads back.
//!
//! [`writer`] is the only code that writes the report, the rejects file and the outcome
//! counters; [`journal`] ties a report to its input and mapping, reads it back for a resume
//! and tidies it; [`rejects`] writes the rows that did not make it, in the input's format.

mod journal;
mod rejects;
mod writer;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::input::Raw;
use crate::state::Tracked;

pub(crate) use journal::hex;
pub use journal::{Done, Fingerprint, Previous, check_resume, read_previous};
pub use rejects::RejectsFormat;
pub(crate) use writer::inert;
pub use writer::{Report, ReportPlan};

/// What became of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The webhook accepted the row.
    Imported,
    /// The row could not be mapped to a valid body and was not sent.
    Invalid,
    /// The webhook refused the row, or every attempt to send it failed.
    Failed,
    /// With `--dedupe`: an earlier row has the same contact.email; not sent.
    Duplicate,
    /// Dry run: the row maps to a valid body and would be sent.
    Ready,
    /// With `--state`: the webhook already accepted this contact with this very body; not
    /// sent.
    Unchanged,
    /// The row was read, but the run stopped before its outcome was known.
    Pending,
}

impl Outcome {
    pub const ALL: [Outcome; 7] = [
        Outcome::Imported,
        Outcome::Invalid,
        Outcome::Failed,
        Outcome::Duplicate,
        Outcome::Ready,
        Outcome::Unchanged,
        Outcome::Pending,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Imported => "imported",
            Outcome::Invalid => "invalid",
            Outcome::Failed => "failed",
            Outcome::Duplicate => "duplicate",
            Outcome::Ready => "ready",
            Outcome::Unchanged => "unchanged",
            Outcome::Pending => "pending",
        }
    }

    fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == name)
    }
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
    /// The row as it was read, for the rejects file.
    #[serde(skip)]
    pub raw: Option<Raw>,
    /// With `--state`: the row's key and body, to record once the webhook accepted it.
    #[serde(skip)]
    pub tracked: Option<Tracked>,
}

impl RowResult {
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
            raw: None,
            tracked: None,
        }
    }

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
}

/// What reaches the report writer.
#[derive(Debug)]
pub enum Entry {
    /// A row's outcome, to write.
    Row(RowResult),
    /// The outcome of a row that was sent, with the row's place among the requests in
    /// flight. The place is given back only once the outcome is on disk, so that a crash can
    /// lose only rows whose requests were still in flight.
    Sent(RowResult, tokio::sync::OwnedSemaphorePermit),
    /// A row this run leaves alone: imported in an earlier run, whose line stays as it was.
    Kept(u64),
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

/// The first row that ended with a given outcome and an error, for the summary.
#[derive(Debug, Clone, Serialize)]
pub struct FirstError {
    pub row: u64,
    pub line: u64,
    pub http_status: Option<u16>,
    pub error: String,
}

/// Live counts of rows, read by the progress display.
#[derive(Debug, Default)]
pub struct Counts {
    pub read: AtomicU64,
    pub imported: AtomicU64,
    pub invalid: AtomicU64,
    pub failed: AtomicU64,
    pub duplicate: AtomicU64,
    pub ready: AtomicU64,
    pub unchanged: AtomicU64,
    pub pending: AtomicU64,
    /// Rows imported by an earlier run and left alone by this one.
    pub earlier: AtomicU64,
    pub retries: AtomicU64,
    /// Answers of 429 Too Many Requests.
    pub throttled: AtomicU64,
    /// The first row of each outcome that came with an error.
    first_errors: std::sync::Mutex<BTreeMap<&'static str, FirstError>>,
}

impl Counts {
    fn counter(&self, outcome: Outcome) -> &AtomicU64 {
        match outcome {
            Outcome::Imported => &self.imported,
            Outcome::Invalid => &self.invalid,
            Outcome::Failed => &self.failed,
            Outcome::Duplicate => &self.duplicate,
            Outcome::Ready => &self.ready,
            Outcome::Unchanged => &self.unchanged,
            Outcome::Pending => &self.pending,
        }
    }

    /// Note a row's error, if it is the first of its outcome.
    fn note_error(&self, result: &RowResult) {
        if result.error.is_empty() {
            return;
        }
        let mut first = self
            .first_errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        first
            .entry(result.outcome.name())
            .or_insert_with(|| FirstError {
                row: result.row,
                line: result.line,
                http_status: result.http_status,
                error: result.error.clone(),
            });
    }

    /// The first row of each outcome that came with an error.
    pub fn first_errors(&self) -> BTreeMap<&'static str, FirstError> {
        self.first_errors
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub fn get(&self, outcome: Outcome) -> u64 {
        self.counter(outcome).load(Ordering::Relaxed)
    }

    /// Rows whose outcome is known, this run's and those kept from an earlier one.
    pub fn done(&self) -> u64 {
        Outcome::ALL
            .into_iter()
            .filter(|o| *o != Outcome::Pending)
            .map(|o| self.get(o))
            .sum::<u64>()
            + self.earlier.load(Ordering::Relaxed)
    }
}
