//! Keeping up to N requests in flight, and what happens to them when the run stops.
//!
//! After a 404 or a failed write, the requests in flight finish and the rows not yet sent
//! are reported `pending`. After Ctrl-C or SIGTERM, the requests in flight get a short grace
//! period; those still running after it are cancelled and their rows are `pending` too, so
//! that `--resume` sends them again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{Job, Sender, Stop, lock};
use crate::report::{Counts, Entry, Outcome, RowResult};

/// How long requests in flight may go on after an interrupt.
pub const GRACE: Duration = Duration::from_secs(5);

/// The rows whose requests are in flight: row → (line, key).
type InFlight = Arc<Mutex<BTreeMap<u64, (u64, String)>>>;

/// Send every job with at most `concurrency` in flight; results go to the report.
pub async fn dispatch(
    sender: Arc<Sender>,
    mut jobs: mpsc::Receiver<Job>,
    results: mpsc::Sender<Entry>,
    counts: Arc<Counts>,
    stop: Arc<Stop>,
) {
    let slots = Arc::clone(&sender.pace.slots);
    let in_flight: InFlight = Arc::default();
    let mut tasks = JoinSet::new();
    while let Some(job) = jobs.recv().await {
        // While the endpoint looks down, no new row is sent: the rows in flight probe it.
        while sender.is_down() && !stop.is_stopped() {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
                () = stop.stopped() => {}
            }
        }
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => permit.ok(),
            () = stop.stopped() => None,
        };
        let Some(permit) = permit.filter(|_| !stop.is_stopped()) else {
            let pending = RowResult::new(job.row, job.line, job.key, Outcome::Pending);
            let _ = results.send(Entry::Row(pending)).await;
            continue;
        };
        lock(&in_flight).insert(job.row, (job.line, job.key.clone()));
        let (sender, results, counts, stop, in_flight) = (
            Arc::clone(&sender),
            results.clone(),
            Arc::clone(&counts),
            Arc::clone(&stop),
            Arc::clone(&in_flight),
        );
        tasks.spawn(async move {
            let (mut result, halt) = sender.deliver(&job, &counts, &stop).await;
            if let Some(halt) = halt {
                stop.halt(halt);
            }
            result.raw = job.raw;
            let (written, on_disk) = tokio::sync::oneshot::channel();
            // No await between the send and the removal: a cancel cannot fall between them.
            let _ = results.send(Entry::Sent(result, written)).await;
            lock(&in_flight).remove(&job.row);
            // The slot is free only once the outcome is on disk.
            let _ = on_disk.await;
            drop(permit);
        });
        while tasks.try_join_next().is_some() {}
    }
    finish(tasks, &in_flight, &results, &stop).await;
}

/// Wait for the requests in flight; after an interrupt, only for the grace period.
async fn finish(
    mut tasks: JoinSet<()>,
    in_flight: &InFlight,
    results: &mpsc::Sender<Entry>,
    stop: &Stop,
) {
    {
        let all = async { while tasks.join_next().await.is_some() {} };
        tokio::pin!(all);
        // Wait for the requests in flight; an interrupt, now or before, starts the grace.
        tokio::select! {
            () = &mut all => return,
            () = stop.interrupted() => {}
        }
        if tokio::time::timeout(GRACE, &mut all).await.is_ok() {
            return;
        }
    }
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    let cancelled: Vec<(u64, (u64, String))> =
        std::mem::take(&mut *lock(in_flight)).into_iter().collect();
    for (row, (line, key)) in cancelled {
        let mut pending = RowResult::new(row, line, key, Outcome::Pending);
        pending.error = "the request was cancelled when the run was interrupted".to_owned();
        let _ = results.send(Entry::Row(pending)).await;
    }
}
