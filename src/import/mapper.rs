//! The mapping stage: records in; bodies to send, or outcomes to report, out.
//!
//! Mapping is the costliest step per row, so it runs on several threads. The reader deals
//! its batches to them in turn, and the sorter takes the mapped batches back in the same
//! turn: rows leave in the order they were read, and nothing waits anywhere but in the
//! bounded channels between the threads. The sorter alone decides what becomes of a row
//! (sent, invalid, duplicate, unchanged, kept from an earlier run, pending), since a
//! duplicate is only known in row order. With `--state`, each mapping thread also
//! fingerprints its rows' bodies and looks them up in the state, a batch at a time.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;

use crate::input::{Raw, Record};
use crate::mapping::{Invalid, Mapped, Plan, Problem};
use crate::report::{Done, Entry, Outcome, RowResult};
use crate::send::{Halt, Job, Stop};
use crate::state::{self, Tracked};

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
    /// With `--state`: the row as the state knows it.
    tracked: Option<Tracked>,
    /// With `--state`: the row id the webhook gave this very body, when it accepted it
    /// in an earlier run.
    unchanged: Option<String>,
}

/// What each mapping thread needs besides the plan.
pub(super) struct Lane {
    pub keep_raw: bool,
    /// With `--state`: a connection to look rows up with.
    pub state: Option<state::Reader>,
    pub stop: Arc<Stop>,
}

/// One mapping thread: map every batch it is dealt, in the order dealt.
fn map_batches(
    plan: &Plan,
    mut lane: Lane,
    mut records: mpsc::Receiver<Vec<Record>>,
    mapped: mpsc::Sender<Vec<MappedRow>>,
) {
    let folds_case = plan.key_folds_case();
    while let Some(batch) = records.blocking_recv() {
        let mut rows: Vec<MappedRow> = batch
            .into_iter()
            .map(|record| {
                let mapped = apply(plan, &record);
                let tracked = match (&lane.state, &mapped) {
                    (Some(_), Ok(m)) => Some(Tracked::new(&m.key, folds_case, &m.body)),
                    _ => None,
                };
                MappedRow {
                    row: record.row,
                    line: record.line,
                    mapped,
                    raw: if lane.keep_raw { record.raw() } else { None },
                    tracked,
                    unchanged: None,
                }
            })
            .collect();
        if let Some(reader) = &mut lane.state {
            look_up(reader, &mut rows, &lane.stop);
        }
        if mapped.blocking_send(rows).is_err() {
            return;
        }
    }
}

/// Mark the rows whose body the webhook accepted before. A state that cannot be read stops
/// the run: its rows would be sent again without reason.
fn look_up(reader: &mut state::Reader, rows: &mut [MappedRow], stop: &Stop) {
    let tracked: Vec<&Tracked> = rows.iter().filter_map(|r| r.tracked.as_ref()).collect();
    match reader.unchanged(&tracked) {
        Ok(found) => {
            let with_state = rows.iter_mut().filter(|r| r.tracked.is_some());
            for (row, unchanged) in with_state.zip(found) {
                row.unchanged = unchanged;
            }
        }
        Err(error) => stop.halt(Halt::StateFailed(format!("{error:#}"))),
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
    /// Whether keys compare without regard to case, as email addresses do.
    folds_case: bool,
    /// With `--dedupe`: a hash of each key seen → the row it was first seen on.
    seen: HashMap<u64, u64>,
}

impl Sorter {
    pub(super) fn new(done: Option<Done>, dedupe: bool, folds_case: bool) -> Sorter {
        Sorter {
            done,
            dedupe,
            folds_case,
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
            tracked,
            unchanged,
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
                None => match unchanged {
                    Some(row_id) => {
                        let mut result = RowResult::new(row, line, mapped.key, Outcome::Unchanged);
                        result.row_id = row_id;
                        Sorted::Report(Entry::Row(result))
                    }
                    None => Sorted::Send(Job {
                        row,
                        line,
                        key: mapped.key,
                        body: Bytes::from(mapped.body),
                        raw,
                        tracked,
                    }),
                },
            },
            Err(invalid) => {
                let mut result = RowResult::new(row, line, invalid.key, Outcome::Invalid);
                result.error = invalid.problem.to_string();
                result.raw = raw;
                Sorted::Report(Entry::Row(result))
            }
        }
    }

    /// With `--dedupe`, the row where this key was first seen, if it was; else `None`,
    /// and the key is remembered.
    fn first_seen(&mut self, key: &str, row: u64) -> Option<u64> {
        if !self.dedupe {
            return None;
        }
        let mut hasher = DefaultHasher::new();
        state::fold(key, self.folds_case).hash(&mut hasher);
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

/// Start a mapping thread for each lane, each with channels of `channel` batches.
pub(super) fn start(plan: Plan, lanes: Vec<Lane>, channel: usize) -> std::io::Result<Lanes> {
    let plan = Arc::new(plan);
    let (mut deal, mut take, mut handles) = (Vec::new(), Vec::new(), Vec::new());
    for (i, lane) in lanes.into_iter().enumerate() {
        let (records_tx, records_rx) = mpsc::channel(channel);
        let (mapped_tx, mapped_rx) = mpsc::channel(channel);
        let plan = Arc::clone(&plan);
        let handle = std::thread::Builder::new()
            .name(format!("mapper-{}", i + 1))
            .spawn(move || map_batches(&plan, lane, records_rx, mapped_tx))?;
        deal.push(records_tx);
        take.push(mapped_rx);
        handles.push(handle);
    }
    Ok((deal, take, handles))
}
