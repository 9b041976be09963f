//! What fq-import says on stderr: every message goes through `tracing` and comes out as one
//! line, `fq-import: <level>: <message>`, coloured on a terminal.
//!
//! `-q` keeps errors only, `-v` adds each retry and each failed row, `-vv` each request and
//! its timing; `RUST_LOG` overrides all of them. A line is written above the progress bar,
//! never through it, and no line carries a webhook hash, whatever logged it.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;

use anstyle::{AnsiColor, Style};
use indicatif::ProgressBar;
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use crate::cli::ColorChoice;

/// The bar being drawn, if any: lines are written while it is hidden.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// How much to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    /// Errors only (`-q`).
    Quiet,
    /// Errors, warnings, notes and the summary.
    Normal,
    /// Also each retry and each failed row (`-v`).
    Verbose,
    /// Also each request and its timing (`-vv`).
    Debug,
}

impl Verbosity {
    pub fn from_flags(quiet: bool, verbose: u8) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, 0) => Verbosity::Normal,
            (false, 1) => Verbosity::Verbose,
            (false, _) => Verbosity::Debug,
        }
    }

    fn filter(self) -> &'static str {
        match self {
            Verbosity::Quiet => "error",
            Verbosity::Normal => "warn,fq_import=info",
            Verbosity::Verbose => "warn,fq_import=debug",
            Verbosity::Debug => "warn,fq_import=trace",
        }
    }
}

/// Start writing messages; `RUST_LOG`, when set, says which.
pub fn init(verbosity: Verbosity, color: ColorChoice) {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| EnvFilter::try_new(v).ok())
        .unwrap_or_else(|| verbosity.filter().into());
    let color = match color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Stderr)
        .event_format(Line { color })
        .try_init();
}

/// Draw lines above `bar` while it is shown; `None` when it is gone.
pub fn attach_bar(bar: Option<ProgressBar>) {
    *BAR.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = bar;
}

/// The format of a line.
struct Line {
    color: bool,
}

impl<S, N> FormatEvent<S, N> for Line
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> std::fmt::Result {
        let (label, color) = match *event.metadata().level() {
            Level::ERROR => ("error", AnsiColor::Red),
            Level::WARN => ("warning", AnsiColor::Yellow),
            Level::INFO => ("info", AnsiColor::Green),
            Level::DEBUG => ("debug", AnsiColor::Blue),
            Level::TRACE => ("trace", AnsiColor::Magenta),
        };
        let style = match self.color {
            true => Style::new().bold().fg_color(Some(color.into())),
            false => Style::new(),
        };
        write!(writer, "fq-import: {style}{label}{style:#}: ")?;
        // Messages from other crates say where they come from.
        let target = event.metadata().target();
        if !target.starts_with("fq_import") {
            write!(writer, "{target}: ")?;
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Stderr, past the progress bar and through the scrub.
struct Stderr;

impl<'a> MakeWriter<'a> for Stderr {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter(Vec::new())
    }
}

/// Gathers one line, and writes it when dropped.
struct LineWriter(Vec<u8>);

impl Write for LineWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let line = crate::secret::scrub(&String::from_utf8_lossy(&self.0));
        let write = || {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(line.as_bytes());
            let _ = err.flush();
        };
        let bar = BAR
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match bar.as_ref() {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }
}
