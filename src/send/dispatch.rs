//! Keeping up to N requests in flight, and what happens to them when the run stops.
//!
//! After a 404 or a failed write, the requests in flight finish and the rows not yet sent
//! are reported `pending`. After Ctrl-C or SIGTERM, the requests in flight get a short grace
//! period; those still running after it are cancelled and their rows are `pending` too, so
//! that `--resume` sends them again.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
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
    mut jobs: mpsc::Receiver<Vec<Job>>,
    results: mpsc::Sender<Vec<Entry>>,
    counts: Arc<Counts>,
    stop: Arc<Stop>,
) {
    let slots = Arc::clone(&sender.pace.slots);
    let in_flight: InFlight = Arc::default();
    let mut tasks = JoinSet::new();
    // Finished requests hand their results to one task, which passes on all that have
    // gathered at once: the report's thread wakes once per batch, not once per row. Each
    // result holds its slot, so no more than `concurrency` can wait here.
    let (done, gathered) = mpsc::unbounded_channel::<Entry>();
    let forward = tokio::spawn(gather(gathered, results.clone()));
    while let Some(batch) = jobs.recv().await {
        for job in batch {
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
                let _ = results.send(vec![Entry::Row(pending)]).await;
                continue;
            };
            lock(&in_flight).insert(job.row, (job.line, job.key.clone()));
            let (sender, done, counts, stop, in_flight) = (
                Arc::clone(&sender),
                done.clone(),
                Arc::clone(&counts),
                Arc::clone(&stop),
                Arc::clone(&in_flight),
            );
            tasks.spawn(async move {
                // A bug that panics fails this row, in the report; it does not lose it.
                let delivered = AssertUnwindSafe(sender.deliver(&job, &counts, &stop))
                    .catch_unwind()
                    .await;
                let (mut result, halt) = delivered.unwrap_or_else(|_| {
                    let mut failed =
                        RowResult::new(job.row, job.line, job.key.clone(), Outcome::Failed);
                    failed.error = "fq-import met an internal error sending this row (please \
                                    report it)"
                        .to_owned();
                    (failed, None)
                });
                if let Some(halt) = halt {
                    stop.halt(halt);
                }
                result.raw = job.raw;
                result.tracked = job.tracked;
                // The slot is freed by the report writer, once the outcome is on disk. No await
                // between the send and the removal: a cancel cannot fall between them.
                let _ = done.send(Entry::Sent(result, permit));
                lock(&in_flight).remove(&job.row);
            });
            while tasks.try_join_next().is_some() {}
        }
    }
    finish(tasks, &in_flight, &results, &stop).await;
    drop(done);
    let _ = forward.await;
}

/// Pass the results of finished requests on to the report, as many at a time as have come.
async fn gather(mut gathered: mpsc::UnboundedReceiver<Entry>, results: mpsc::Sender<Vec<Entry>>) {
    let mut batch = Vec::new();
    while gathered.recv_many(&mut batch, 1024).await > 0 {
        if results.send(std::mem::take(&mut batch)).await.is_err() {
            return;
        }
    }
}

/// Wait for the requests in flight; after an interrupt, only for the grace period.
async fn finish(
    mut tasks: JoinSet<()>,
    in_flight: &InFlight,
    results: &mpsc::Sender<Vec<Entry>>,
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
        let _ = results.send(vec![Entry::Row(pending)]).await;
    }
}
