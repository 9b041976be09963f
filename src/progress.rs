//! What a person watching the run sees on stderr: a bar on a terminal, a status line every few
//! seconds elsewhere, and the summary at the end.
//!
//! It reads the report's counters on a timer and never sits in the path of a row.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ProgressMode;
use crate::report::{Counts, Outcome};

const BAR_EVERY: Duration = Duration::from_millis(100);

/// The running display.
pub struct Progress {
    counts: Arc<Counts>,
    started: Instant,
    bar: Option<ProgressBar>,
    task: Option<tokio::task::JoinHandle<()>>,
    dry_run: bool,
}

impl Progress {
    /// Start showing progress as `mode` says, status lines every `every`.
    pub fn start(
        counts: Arc<Counts>,
        bytes: Arc<AtomicU64>,
        size: Option<u64>,
        (mode, every): (ProgressMode, Duration),
        dry_run: bool,
    ) -> Progress {
        let started = Instant::now();
        let mut progress = Progress {
            counts: Arc::clone(&counts),
            started,
            bar: None,
            task: None,
            dry_run,
        };
        let bar = match mode {
            ProgressMode::None => return progress,
            // A dry run's bodies may reach the same screen through a pipe (`| head`),
            // where they would break the bar's line: whole status lines then.
            ProgressMode::Auto => {
                std::io::stderr().is_terminal() && !(dry_run && stdout_may_share_the_screen())
            }
            ProgressMode::Bar => true,
            ProgressMode::Lines => false,
        };
        if bar {
            let bar = new_bar(size);
            let shown = bar.clone();
            progress.task = Some(tokio::spawn(async move {
                let mut tick = tokio::time::interval(BAR_EVERY);
                loop {
                    tick.tick().await;
                    shown.set_position(bytes.load(Ordering::Relaxed));
                    shown.set_message(status(&counts, started, dry_run));
                }
            }));
            crate::log::attach_bar(Some(bar.clone()));
            progress.bar = Some(bar);
        } else {
            progress.task = Some(tokio::spawn(async move {
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let read = bytes.load(Ordering::Relaxed);
                    let share = size
                        .filter(|&s| s > 0)
                        .map(|s| read.min(s) as f64 / s as f64);
                    let percent = share
                        .map(|share| format!(", {:.0}% of the input read", share * 100.0))
                        .unwrap_or_default();
                    // Reading runs ahead of sending: the rows still to come are estimated
                    // from the share of the input read, the time from the rows done so far.
                    let done = counts.done() as f64;
                    let read_rows = counts.read.load(Ordering::Relaxed) as f64;
                    let eta = share
                        .filter(|&share| share > 0.0 && done > 0.0)
                        .map(|share| {
                            let total = read_rows / share;
                            let left = started.elapsed().as_secs_f64() * (total - done) / done;
                            format!(", about {} left", seconds_left(left.max(0.0)))
                        })
                        .unwrap_or_default();
                    tracing::info!("{}{percent}{eta}", status(&counts, started, dry_run));
                }
            }));
        }
        progress
    }

    /// Stop the display.
    pub fn finish(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
        if let Some(bar) = self.bar.take() {
            crate::log::attach_bar(None);
            bar.finish_and_clear();
        }
    }

    /// Print the summary to stderr.
    pub fn summary(&self, report: &Path) {
        let elapsed = self.started.elapsed();
        let counts = &self.counts;
        let rows = counts.read.load(Ordering::Relaxed);
        let mut parts = Vec::new();
        let shown: &[Outcome] = if self.dry_run {
            &[Outcome::Ready, Outcome::Invalid]
        } else {
            &[Outcome::Imported, Outcome::Invalid, Outcome::Failed]
        };
        for &outcome in shown {
            parts.push(format!("{} {}", counts.get(outcome), outcome.name()));
        }
        for outcome in [Outcome::Duplicate, Outcome::Unchanged, Outcome::Pending] {
            if counts.get(outcome) > 0 {
                parts.push(format!("{} {}", counts.get(outcome), outcome.name()));
            }
        }
        let earlier = counts.earlier.load(Ordering::Relaxed);
        if earlier > 0 {
            parts.push(format!("{earlier} imported earlier"));
        }
        let retries = counts.retries.load(Ordering::Relaxed);
        if retries > 0 {
            parts.push(format!("{retries} retries"));
        }
        let throttled = counts.throttled.load(Ordering::Relaxed);
        if throttled > 0 {
            parts.push(format!("{throttled} answered 429"));
        }
        tracing::info!(
            "{rows} {} read: {} in {} ({} rows/s)",
            if rows == 1 { "row" } else { "rows" },
            parts.join(", "),
            seconds(elapsed),
            rate(rows, elapsed)
        );
        tracing::info!("report: {}", report.display());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

fn new_bar(size: Option<u64>) -> ProgressBar {
    let target = ProgressDrawTarget::stderr_with_hz(10);
    let (bar, template) = match size {
        Some(size) if size > 0 => (
            ProgressBar::with_draw_target(Some(size), target),
            "{elapsed_precise} [{bar:30}] {percent:>3}% ETA {eta} {msg}",
        ),
        _ => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} {elapsed_precise} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn status(counts: &Counts, started: Instant, dry_run: bool) -> String {
    let done = counts.done();
    let rate = rate(done, started.elapsed());
    if dry_run {
        format!(
            "{done} rows: {} ready, {} invalid, {rate} rows/s",
            counts.get(Outcome::Ready),
            counts.get(Outcome::Invalid)
        )
    } else {
        format!(
            "{done} rows: {} imported, {} invalid, {} failed, {rate} rows/s",
            counts.get(Outcome::Imported),
            counts.get(Outcome::Invalid),
            counts.get(Outcome::Failed)
        )
    }
}

fn rate(rows: u64, elapsed: Duration) -> u64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        0
    } else {
        (rows as f64 / secs).round() as u64
    }
}

/// Whether stdout is a terminal or a pipe, whose reader may show it on the terminal.
fn stdout_may_share_the_screen() -> bool {
    if std::io::stdout().is_terminal() {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdout").is_ok_and(|m| m.file_type().is_fifo())
    }
    #[cfg(not(unix))]
    false
}

/// A time left, rounded as a person would say it: `40s`, `3m`, `1h 20m`.
fn seconds_left(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", (s + 30) / 60),
        s => format!("{}h {}m", s / 3600, (s % 3600) / 60),
    }
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}
