//! The breaker for a dead endpoint.
//!
//! When answers are nothing but connection errors, timeouts and 5xx for a while, the
//! endpoint is taken to be down: no new rows are sent, and the rows in flight try again one
//! at a time at a slow pace, without spending their retries, so that an outage of minutes
//! marks no row failed. After `--give-up-after` of nothing but failures, the run gives up.

use std::sync::{Mutex, PoisonError};
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
            (give_up_after / 20).clamp(Duration::from_millis(100), Duration::from_secs(30));
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
        state.last_ok = Instant::now();
        state.failures = 0;
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

    /// While down, wait for this worker's turn to probe; `None` once the run has given up,
    /// when no more requests go.
    pub async fn probe_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let gave_up = self.wake.notified();
        tokio::pin!(gave_up);
        if self.given_up() {
            return None;
        }
        let turn = tokio::select! {
            turn = self.probe.lock() => turn,
            () = &mut gave_up => return None,
        };
        tokio::select! {
            () = tokio::time::sleep(self.probe_every) => {}
            () = &mut gave_up => return None,
        }
        (!self.given_up()).then_some(turn)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
