//! Telling every stage of a run to stop taking rows, and why.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Why the dispatcher stopped before the input ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// The webhook answered 404: the URL or its hash is wrong.
    NotFound(String),
    /// No trusted TLS connection could be made: every row would fail the same way.
    Untrusted(String),
    /// Standard output was closed, as by `| head`, in a dry run.
    OutputClosed,
    /// A result could not be written down: the report, or the bodies on stdout.
    WriteFailed(String),
    /// The state file (`--state`) could not be read or written: rows would be sent again
    /// without reason, or sent without being remembered.
    StateFailed(String),
    /// The endpoint gave nothing but failures for `--give-up-after`.
    EndpointDown(String),
    /// More rows than `--max-errors` allows are invalid or failed.
    TooManyErrors(String),
}

/// Tells every stage to stop taking new rows.
#[derive(Debug, Default)]
pub struct Stop {
    stopped: AtomicBool,
    interrupted: AtomicBool,
    reason: Mutex<Option<Halt>>,
    wake: Notify,
}

impl Stop {
    pub fn halt(&self, reason: Halt) {
        let mut slot = super::lock(&self.reason);
        slot.get_or_insert(reason);
        self.stopped.store(true, Ordering::Relaxed);
        self.wake.notify_waiters();
    }

    /// Stop because the user asked to, by Ctrl-C or SIGTERM.
    pub fn interrupt(&self) {
        self.interrupted.store(true, Ordering::Relaxed);
        self.stopped.store(true, Ordering::Relaxed);
        self.wake.notify_waiters();
    }

    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::Relaxed)
    }

    /// Wait until the user interrupts the run.
    pub async fn interrupted(&self) {
        self.wait_for(Stop::is_interrupted).await;
    }

    /// Wait until the run is stopped.
    pub async fn stopped(&self) {
        self.wait_for(Stop::is_stopped).await;
    }

    async fn wait_for(&self, done: impl Fn(&Stop) -> bool) {
        loop {
            // Made before the check, so that a wake between the two is not missed.
            let woken = self.wake.notified();
            if done(self) {
                return;
            }
            woken.await;
        }
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    pub fn reason(&self) -> Option<Halt> {
        super::lock(&self.reason).clone()
    }
}
