//! `--summary-json`: one JSON object when a run ends, for a script or a CI step to read
//! instead of parsing stderr. Its fields are documented in the README, and a test holds its
//! shape to a golden file: fields may be added, never renamed or removed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use crate::exit::{Exit, Fatal};
use crate::report::{Counts, FirstError, Outcome};

/// What the run has learned by the time it ends, filled in as it goes.
pub struct Facts {
    pub input: String,
    pub report: Option<PathBuf>,
    pub counts: Option<Arc<Counts>>,
    pub dry_run: bool,
    started: Instant,
}

impl Facts {
    pub fn new(input: String) -> Facts {
        Facts {
            input,
            report: None,
            counts: None,
            dry_run: false,
            started: Instant::now(),
        }
    }
}

#[derive(Serialize)]
struct Summary<'a> {
    version: &'static str,
    input: &'a str,
    report: Option<String>,
    dry_run: bool,
    rows: BTreeMap<&'static str, u64>,
    retries: u64,
    throttled: u64,
    elapsed_seconds: f64,
    rows_per_second: f64,
    exit_code: u8,
    exit_meaning: &'static str,
    error: Option<String>,
    first_errors: BTreeMap<&'static str, FirstError>,
}

/// Write the summary of a run that ended with `ended` to `to` (`-` for stdout).
pub fn write(to: &Path, facts: &Facts, ended: &Result<Exit, Fatal>) -> anyhow::Result<()> {
    let exit = match ended {
        Ok(exit) => *exit,
        Err(fatal) => fatal.exit,
    };
    // A run that stopped before it counted anything counts zero of everything.
    let none = Counts::default();
    let counts = facts.counts.as_deref().unwrap_or(&none);
    let mut rows = BTreeMap::from([("read", counts.read.load(Ordering::Relaxed))]);
    for outcome in Outcome::ALL {
        rows.insert(outcome.name(), counts.get(outcome));
    }
    rows.insert("earlier", counts.earlier.load(Ordering::Relaxed));
    let elapsed = facts.started.elapsed().as_secs_f64();
    let summary = Summary {
        version: env!("CARGO_PKG_VERSION"),
        input: &facts.input,
        report: facts.report.as_ref().map(|p| p.display().to_string()),
        dry_run: facts.dry_run,
        rows_per_second: if elapsed > 0.0 {
            rows["read"] as f64 / elapsed
        } else {
            0.0
        },
        rows,
        retries: counts.retries.load(Ordering::Relaxed),
        throttled: counts.throttled.load(Ordering::Relaxed),
        elapsed_seconds: elapsed,
        exit_code: exit.code(),
        exit_meaning: match (facts.dry_run, exit) {
            (true, Exit::Success) => "every row is ready",
            _ => exit.meaning(),
        },
        error: ended
            .as_ref()
            .err()
            .map(|fatal| crate::secret::scrub(&fatal.to_string())),
        first_errors: counts.first_errors(),
    };
    let mut text = serde_json::to_string_pretty(&summary).expect("a summary is JSON");
    text.push('\n');
    if to.as_os_str() == "-" {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .context("cannot write the summary to stdout");
    }
    std::fs::write(to, text).with_context(|| format!("cannot write the summary {}", to.display()))
}
