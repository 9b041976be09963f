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

use crate::report::{Counts, Outcome};

const LINE_EVERY: Duration = Duration::from_secs(5);
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
    /// Start showing progress; `quiet` shows nothing.
    pub fn start(
        counts: Arc<Counts>,
        bytes: Arc<AtomicU64>,
        size: Option<u64>,
        quiet: bool,
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
        if quiet {
            return progress;
        }
        if std::io::stderr().is_terminal() {
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
            progress.bar = Some(bar);
        } else {
            progress.task = Some(tokio::spawn(async move {
                let mut tick =
                    tokio::time::interval_at(tokio::time::Instant::now() + LINE_EVERY, LINE_EVERY);
                loop {
                    tick.tick().await;
                    let percent = size
                        .filter(|&s| s > 0)
                        .map(|s| {
                            let read = bytes.load(Ordering::Relaxed).min(s) * 100 / s;
                            format!(", {read}% of the input read")
                        })
                        .unwrap_or_default();
                    eprintln!("fq-import: {}{percent}", status(&counts, started, dry_run));
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
        for outcome in [Outcome::Duplicate, Outcome::Pending] {
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
        eprintln!(
            "fq-import: {rows} {} read: {} in {} ({} rows/s)",
            if rows == 1 { "row" } else { "rows" },
            parts.join(", "),
            seconds(elapsed),
            rate(rows, elapsed)
        );
        eprintln!("fq-import: report: {}", report.display());
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

fn seconds(elapsed: Duration) -> String {
    format!("{:.1}s", elapsed.as_secs_f64())
}
