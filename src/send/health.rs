//! The breaker for a dead endpoint.
//!
//! When answers are nothing but connection errors, timeouts and 5xx for a while, the
//! endpoint is taken to be down: no new rows are sent, and the rows in flight try again one
//! at a time at a slow pace, without spending their retries, so that an outage of minutes
//! marks no row failed. After `--give-up-after` of nothing but failures, the run gives up.

use super::lock;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How many failures in a row make the endpoint look down.
const DOWN_AFTER: u32 = 8;

pub struct Health {
    state: Mutex<State>,
    give_up_after: Duration,
    /// How long between two probes while the endpoint is down.
    pub probe_every: Duration,
    /// One probe at a time.
    probe: tokio::sync::Mutex<()>,
    /// Set once the run has given up; wakes the rows waiting for a probe.
    gave_up: std::sync::atomic::AtomicBool,
    wake: tokio::sync::Notify,
}

struct State {
    last_ok: Instant,
    failures: u32,
}

impl Health {
    pub fn new(give_up_after: Duration) -> Health {
        let probe_every =
            (give_up_after / 60).clamp(Duration::from_millis(100), Duration::from_secs(5));
        Health {
            state: Mutex::new(State {
                last_ok: Instant::now(),
                failures: 0,
            }),
            give_up_after,
            probe_every,
            probe: tokio::sync::Mutex::new(()),
            gave_up: std::sync::atomic::AtomicBool::new(false),
            wake: tokio::sync::Notify::new(),
        }
    }

    /// The endpoint answered: it is alive, whatever it said.
    pub fn alive(&self) {
        let mut state = lock(&self.state);
        let was_down = state.failures >= DOWN_AFTER;
        state.last_ok = Instant::now();
        state.failures = 0;
        if was_down {
            // The rows waiting to probe may all go now.
            self.wake.notify_waiters();
        }
    }

    /// A connection error, a timeout or a 5xx.
    pub fn failed(&self) {
        lock(&self.state).failures += 1;
    }

    pub fn is_down(&self) -> bool {
        lock(&self.state).failures >= DOWN_AFTER
    }

    /// Down, and for longer than `--give-up-after`. Once true, it stays true.
    pub fn given_up(&self) -> bool {
        if self.gave_up.load(std::sync::atomic::Ordering::Relaxed) {
            return true;
        }
        let state = lock(&self.state);
        let over = state.failures >= DOWN_AFTER && state.last_ok.elapsed() >= self.give_up_after;
        if over {
            self.gave_up
                .store(true, std::sync::atomic::Ordering::Relaxed);
            self.wake.notify_waiters();
        }
        over
    }

    /// How long the endpoint has given nothing but failures.
    pub fn failing_for(&self) -> Duration {
        lock(&self.state).last_ok.elapsed()
    }

    /// While down, wait for this worker's turn to probe. `Turn::Go` when the endpoint
    /// answered meanwhile; `Turn::GiveUp` once the run has given up: no more requests go.
    pub async fn probe_turn(&self) -> Turn<'_> {
        let changed = self.wake.notified();
        tokio::pin!(changed);
        if let Some(turn) = self.settled() {
            return turn;
        }
        let guard = tokio::select! {
            guard = self.probe.lock() => guard,
            () = &mut changed => return self.settled().unwrap_or(Turn::Go),
        };
        if let Some(turn) = self.settled() {
            return turn;
        }
        tokio::select! {
            () = tokio::time::sleep(self.probe_every) => {}
            () = &mut changed => return self.settled().unwrap_or(Turn::Go),
        }
        self.settled().unwrap_or(Turn::Probe(guard))
    }

    /// Whether waiting to probe is over: given up, or the endpoint is up again.
    fn settled(&self) -> Option<Turn<'_>> {
        if self.given_up() {
            Some(Turn::GiveUp)
        } else if !self.is_down() {
            Some(Turn::Go)
        } else {
            None
        }
    }
}

/// What a worker may do while the endpoint looks down.
pub enum Turn<'a> {
    /// Send: the endpoint answered again.
    Go,
    /// Send, as the one probe; the guard keeps the others waiting.
    Probe(tokio::sync::MutexGuard<'a, ()>),
    /// Send nothing more: the run has given up.
    GiveUp,
}
