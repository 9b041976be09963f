//! The mapping stage: records in; bodies to send, or outcomes to report, out.
//!
//! Mapping is the costliest step per row, so it runs on several threads. The reader deals
//! its batches to them in turn, and the sorter takes the mapped batches back in the same
//! turn: rows leave in the order they were read, and nothing waits anywhere but in the
//! bounded channels between the threads. The sorter alone decides what becomes of a row
//! (sent, invalid, duplicate, kept from an earlier run, pending), since a duplicate is only
//! known in row order.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::input::{Raw, Record};
use crate::mapping::{Invalid, Mapped, Plan, Problem};
use crate::report::{Done, Entry, Outcome, RowResult};
use crate::send::{Job, Stop};

/// Gathers items into batches, and deals the batches to the next stage's threads in turn.
pub(super) struct Batcher<T> {
    next: Vec<mpsc::Sender<Vec<T>>>,
    turn: usize,
    batch: Vec<T>,
    size: usize,
}

impl<T> Batcher<T> {
    pub(super) fn new(next: Vec<mpsc::Sender<Vec<T>>>, size: usize) -> Batcher<T> {
        Batcher {
            next,
            turn: 0,
            batch: Vec::with_capacity(size),
            size,
        }
    }

    /// Add an item, and send the batch on once it is full. False once the next stage is
    /// gone.
    pub(super) fn push(&mut self, item: T) -> bool {
        self.batch.push(item);
        self.batch.len() < self.size || self.flush()
    }

    /// Send the items gathered so far. False once the next stage is gone.
    pub(super) fn flush(&mut self) -> bool {
        let next = &self.next[self.turn % self.next.len()];
        if self.batch.is_empty() {
            return !next.is_closed();
        }
        self.turn += 1;
        let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.size));
        next.blocking_send(batch).is_ok()
    }
}

/// A record after mapping, before the sorter decides what becomes of it.
pub(super) struct MappedRow {
    row: u64,
    line: u64,
    mapped: Result<Mapped, Invalid>,
    /// The row as it was read, for the rejects file.
    raw: Option<Raw>,
}

/// One mapping thread: map every batch it is dealt, in the order dealt.
fn map_batches(
    plan: &Plan,
    keep_raw: bool,
    mut records: mpsc::Receiver<Vec<Record>>,
    mapped: mpsc::Sender<Vec<MappedRow>>,
) {
    while let Some(batch) = records.blocking_recv() {
        let rows = batch
            .into_iter()
            .map(|record| MappedRow {
                row: record.row,
                line: record.line,
                mapped: apply(plan, &record),
                raw: if keep_raw { record.raw() } else { None },
            })
            .collect();
        if mapped.blocking_send(rows).is_err() {
            return;
        }
    }
}

/// Map a record; a bug that panics stops that row, not the run.
fn apply(plan: &Plan, record: &Record) -> Result<Mapped, Invalid> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| plan.apply(&record.fields)))
        .unwrap_or_else(|_| {
            Err(Invalid {
                key: String::new(),
                problem: Problem {
                    field: None,
                    column: None,
                    value: None,
                    reason: "could not be mapped: fq-import met an internal error on this row \
                             (please report it)"
                        .to_owned(),
                },
            })
        })
}

/// How many threads map rows: one per core, at most four.
pub(super) fn mapping_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4))
}

/// The sorter: a body goes to the dispatcher; an invalid row, a duplicate, or a row imported
/// earlier goes straight to the report.
pub(super) struct Sorter {
    /// Rows an earlier run imported: kept as they are.
    done: Option<Done>,
    dedupe: bool,
    /// With `--dedupe`: a hash of each contact.email seen → the row it was first seen on.
    seen: HashMap<u64, u64>,
}

impl Sorter {
    pub(super) fn new(done: Option<Done>, dedupe: bool) -> Sorter {
        Sorter {
            done,
            dedupe,
            seen: HashMap::new(),
        }
    }

    /// Take the mapped batches back from each mapping thread in turn, and pass each row on.
    pub(super) fn run(
        mut self,
        mut mapped: Vec<mpsc::Receiver<Vec<MappedRow>>>,
        jobs: mpsc::Sender<Vec<Job>>,
        entries: mpsc::Sender<Vec<Entry>>,
        stop: &Stop,
    ) {
        let threads = mapped.len();
        for turn in 0.. {
            let Some(batch) = mapped[turn % threads].blocking_recv() else {
                return;
            };
            let (mut to_send, mut to_report) = (Vec::new(), Vec::new());
            for row in batch {
                match self.sort(row, stop) {
                    Sorted::Send(job) => to_send.push(job),
                    Sorted::Report(entry) => to_report.push(entry),
                }
            }
            let reported = to_report.is_empty() || entries.blocking_send(to_report).is_ok();
            let queued = to_send.is_empty() || jobs.blocking_send(to_send).is_ok();
            if !(reported && queued) {
                return;
            }
        }
    }

    /// Decide what becomes of one row.
    fn sort(&mut self, row: MappedRow, stop: &Stop) -> Sorted {
        let MappedRow {
            row,
            line,
            mapped,
            raw,
        } = row;
        let earlier = self.done.as_ref().is_some_and(|done| done.contains(row));
        if earlier {
            if let Ok(mapped) = &mapped {
                self.first_seen(&mapped.key, row);
            }
            return Sorted::Report(Entry::Kept(row));
        }
        match mapped {
            _ if stop.is_stopped() => {
                let key = mapped.map_or_else(|invalid| invalid.key, |mapped| mapped.key);
                Sorted::Report(Entry::Row(RowResult::new(row, line, key, Outcome::Pending)))
            }
            Ok(mapped) => match self.first_seen(&mapped.key, row) {
                Some(first) => {
                    let mut result = RowResult::new(row, line, mapped.key, Outcome::Duplicate);
                    result.error = format!("duplicate of row {first}");
                    Sorted::Report(Entry::Row(result))
                }
                None => Sorted::Send(Job {
                    row,
                    line,
                    key: mapped.key,
                    body: Bytes::from(mapped.body),
                    raw,
                }),
            },
            Err(invalid) => {
                let mut result = RowResult::new(row, line, invalid.key, Outcome::Invalid);
                result.error = invalid.problem.to_string();
                result.raw = raw;
                Sorted::Report(Entry::Row(result))
            }
        }
    }

    /// With `--dedupe`, the row where this email was first seen, if it was; else `None`,
    /// and the email is remembered.
    fn first_seen(&mut self, key: &str, row: u64) -> Option<u64> {
        if !self.dedupe {
            return None;
        }
        let mut hasher = DefaultHasher::new();
        key.trim().to_lowercase().hash(&mut hasher);
        match self.seen.get(&hasher.finish()) {
            Some(&first) => Some(first),
            None => {
                self.seen.insert(hasher.finish(), row);
                None
            }
        }
    }
}

enum Sorted {
    Send(Job),
    Report(Entry),
}

/// The mapping threads: the senders to deal records to, the receivers to take mapped rows
/// back from, and the threads' handles.
pub(super) type Lanes = (
    Vec<mpsc::Sender<Vec<Record>>>,
    Vec<mpsc::Receiver<Vec<MappedRow>>>,
    Vec<std::thread::JoinHandle<()>>,
);

/// Start `threads` mapping threads, each with channels of `channel` batches.
pub(super) fn start(
    plan: Plan,
    keep_raw: bool,
    threads: usize,
    channel: usize,
) -> std::io::Result<Lanes> {
    let plan = Arc::new(plan);
    let (mut deal, mut take, mut handles) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..threads {
        let (records_tx, records_rx) = mpsc::channel(channel);
        let (mapped_tx, mapped_rx) = mpsc::channel(channel);
        let plan = Arc::clone(&plan);
        let handle = std::thread::Builder::new()
            .name(format!("mapper-{}", i + 1))
            .spawn(move || map_batches(&plan, keep_raw, records_rx, mapped_tx))?;
        deal.push(records_tx);
        take.push(mapped_rx);
        handles.push(handle);
    }
    Ok((deal, take, handles))
}
