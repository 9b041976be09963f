//! How fast requests go: the pause every worker keeps after a 429, the `--rate` limit, and
//! the controller behind `--concurrency auto`.
//!
//! The controller works on two things, because the webhook's limit is most likely a rate,
//! not a capacity: on loopback even one request in flight can exceed a rate, and across an
//! ocean a rate needs many in flight. It bounds the requests in flight the way TCP bounds its
//! window (add one per round trip while answers come back fast and clean, cut by a factor on
//! 429, 503 and timeouts), and once the endpoint has refused, it paces by rate just under the
//! rate the endpoint accepted in the second before, probing upward slowly.

use super::lock;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::settings::Delivery;

/// Where auto starts: low, so that a slow endpoint is not flooded.
const START: f64 = 2.0;
/// The share of the limit kept after a cut.
const CUT: f64 = 0.9;
/// The share of the rate the endpoint accepted that auto paces at after a refusal.
const UNDER: f64 = 0.98;
/// How often, without refusals, auto tries a slightly higher rate, and by how much.
const PROBE_EVERY: Duration = Duration::from_secs(3);
const PROBE_STEP: f64 = 1.01;
/// Refusals closer together than this are one event: a burst cuts once.
const ONE_EVENT: Duration = Duration::from_millis(250);

/// What an answer says about the endpoint's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Accepted.
    Accepted,
    /// Answered, neither accepted nor a sign of load (a 400, a 404).
    Answered,
    /// 429, 503 or a timeout: back off.
    Pushback,
}

/// The pace of one run's requests.
pub struct Pace {
    pause_until: Mutex<Option<Instant>>,
    limiter: Option<Schedule>,
    adaptive: Option<Adaptive>,
    /// The requests in flight; auto changes how many may be.
    pub slots: Arc<Semaphore>,
    max_retry_wait: Duration,
    warned_cap: AtomicBool,
}

impl Pace {
    pub fn new(delivery: &Delivery) -> Pace {
        let limiter = delivery
            .rate
            .map(|(rate, burst)| Schedule::new(rate, burst));
        let (slots, adaptive) = if delivery.adaptive {
            let adaptive = Adaptive::new(delivery.concurrency);
            (Semaphore::new(START as usize), Some(adaptive))
        } else {
            (Semaphore::new(delivery.concurrency), None)
        };
        Pace {
            pause_until: Mutex::new(None),
            limiter,
            adaptive,
            slots: Arc::new(slots),
            max_retry_wait: delivery.max_retry_wait,
            warned_cap: AtomicBool::new(false),
        }
    }

    /// Wait until this worker may send: after the shared pause, within the rate.
    pub async fn ready(&self) {
        loop {
            while let Some(until) = self.paused_until() {
                tokio::time::sleep_until(until).await;
            }
            if let Some(limiter) = &self.limiter {
                tokio::time::sleep_until(limiter.next_slot()).await;
            }
            if let Some(adaptive) = &self.adaptive {
                tokio::time::sleep_until(adaptive.next_slot()).await;
            }
            // A 429 may have come while this worker waited for its slot.
            if self.paused_until().is_none() {
                return;
            }
        }
    }

    /// When the shared pause ends, if one is on.
    fn paused_until(&self) -> Option<Instant> {
        lock(&self.pause_until).filter(|until| *until > Instant::now())
    }

    /// After a 429: nobody sends for `wait` (capped at `--max-retry-wait`). Returns the wait.
    pub fn pause(&self, wait: Duration) -> Duration {
        let capped = wait.min(self.max_retry_wait);
        if capped < wait && !self.warned_cap.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                "the webhook asked to wait {}; waiting {} (--max-retry-wait)",
                humantime::format_duration(wait),
                humantime::format_duration(capped)
            );
        }
        let until = Instant::now() + capped;
        let mut slot = lock(&self.pause_until);
        if slot.is_none_or(|current| current < until) {
            *slot = Some(until);
        }
        capped
    }

    /// Learn from an answer.
    pub fn answered(&self, signal: Signal, latency: Duration) {
        if let Some(adaptive) = &self.adaptive {
            adaptive.learn(signal, latency, &self.slots);
        }
    }
}

/// `--rate`: each request takes the next slot of a fixed schedule, so that a worker woken a
/// little late does not slow the others. After a quiet spell, up to `burst` slots that went
/// unused may be taken at once.
struct Schedule {
    interval: Duration,
    slack: Duration,
    next: Mutex<Option<Instant>>,
}

impl Schedule {
    fn new(rate: f64, burst: u32) -> Schedule {
        let interval = Duration::from_secs_f64(1.0 / rate);
        Schedule {
            interval,
            slack: interval * burst.saturating_sub(1),
            next: Mutex::new(None),
        }
    }

    fn next_slot(&self) -> Instant {
        let now = Instant::now();
        let mut next = lock(&self.next);
        let at = next.map_or(now, |n| n.max(now.checked_sub(self.slack).unwrap_or(now)));
        *next = Some(at + self.interval);
        at
    }
}

/// The `--concurrency auto` controller.
struct Adaptive {
    state: Mutex<State>,
    max: usize,
}

struct State {
    /// The limit on requests in flight, fractional so that it can grow by 1/limit an answer.
    limit: f64,
    /// Permits the semaphore holds in all: `limit` rounded down.
    granted: usize,
    /// Requests a second, once the endpoint has refused.
    rate: Option<f64>,
    /// When the next paced request may go.
    next: Instant,
    /// The fastest answer seen, and when rates and limits last changed.
    floor: Option<Duration>,
    last_cut: Option<Instant>,
    last_probe: Instant,
    /// When requests were accepted in the last second.
    accepted: VecDeque<Instant>,
    started: Instant,
}

impl Adaptive {
    fn new(max: usize) -> Adaptive {
        let now = Instant::now();
        let state = State {
            limit: START,
            granted: START as usize,
            rate: None,
            next: now,
            floor: None,
            last_cut: None,
            last_probe: now,
            accepted: VecDeque::new(),
            started: now,
        };
        Adaptive {
            state: Mutex::new(state),
            max: max.max(1),
        }
    }

    /// When the next request may go under the paced rate.
    fn next_slot(&self) -> Instant {
        let mut state = lock(&self.state);
        let now = Instant::now();
        let Some(rate) = state.rate else {
            return now;
        };
        let at = state.next.max(now);
        state.next = at + Duration::from_secs_f64(1.0 / rate);
        at
    }

    fn learn(&self, signal: Signal, latency: Duration, slots: &Semaphore) {
        let mut state = lock(&self.state);
        let now = Instant::now();
        while state
            .accepted
            .front()
            .is_some_and(|t| now - *t > Duration::from_secs(1))
        {
            state.accepted.pop_front();
        }
        match signal {
            Signal::Accepted | Signal::Answered => {
                if signal == Signal::Accepted {
                    state.accepted.push_back(now);
                }
                let floor = *state.floor.get_or_insert(latency);
                state.floor = Some(floor.min(latency));
                let fast = latency <= floor * 2 + Duration::from_millis(5);
                if fast {
                    state.limit = (state.limit + 1.0 / state.limit).min(self.max as f64);
                }
                if let Some(rate) = state.rate
                    && now - state.last_probe >= PROBE_EVERY
                    && state.last_cut.is_none_or(|t| now - t >= PROBE_EVERY)
                {
                    state.rate = Some(rate * PROBE_STEP);
                    state.last_probe = now;
                }
            }
            Signal::Pushback => {
                if state.last_cut.is_some_and(|t| now - t < ONE_EVENT) {
                    return;
                }
                state.last_cut = Some(now);
                state.last_probe = now;
                state.limit = (state.limit * CUT).max(1.0);
                // Accepted a second, over the last second or over the run if it is younger.
                let span = (now - state.started).as_secs_f64().clamp(0.05, 1.0);
                let seen = state.accepted.len() as f64 / span;
                let rate = match state.rate {
                    Some(rate) if seen > 0.0 => rate.min(seen) * UNDER,
                    Some(rate) => rate * CUT,
                    None => (seen * UNDER).max(1.0),
                };
                state.rate = Some(rate.max(0.5));
            }
        }
        let wanted = (state.limit.floor() as usize).clamp(1, self.max);
        if wanted > state.granted {
            slots.add_permits(wanted - state.granted);
            state.granted = wanted;
        } else if wanted < state.granted {
            // Permits in use come back later; forget what can be forgotten now, the rest
            // at the next answer.
            state.granted -= slots.forget_permits(state.granted - wanted);
        }
    }
}
