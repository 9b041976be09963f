//! The import job: wires the stages together and turns how they ended into an exit code.
//!
//! ```text
//! reader ──records──▶ mapper ──jobs──▶ dispatcher ──results──▶ report writer
//! (thread)           (thread)  │      (N in flight)              (thread)
//!                              └──invalid rows──────────────────▶
//! ```
//!
//! Every record the reader reads reaches the report exactly once: mapped and sent, invalid,
//! or `pending` when the run stops before its turn.

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;

use anyhow::anyhow;
use bytes::Bytes;
use tokio::sync::mpsc;

use crate::cli::ImportArgs;
use crate::exit::{Exit, Fatal, OrExit};
use crate::input::{Input, Record};
use crate::mapping::{Mapping, Plan};
use crate::mock::{self, MockConfig};
use crate::progress::Progress;
use crate::report::{Counts, Outcome, Report, RowResult};
use crate::secret::WebhookUrl;
use crate::send::{self, Halt, Job, Sender, Stop};
use crate::settings::{ImportSettings, Target};

/// How many rows may wait between two stages.
const CHANNEL: usize = 1024;

/// Run `fq-import import`.
pub fn run(args: ImportArgs) -> Result<Exit, Fatal> {
    let settings = ImportSettings::from_args(args).or_usage()?;
    let runtime = tokio::runtime::Runtime::new().or_abort()?;
    runtime.block_on(import(settings))
}

async fn import(settings: ImportSettings) -> Result<Exit, Fatal> {
    let mapping = Mapping::load(&settings.mapping).or_usage()?;
    let input = Input::open(
        &settings.input.source,
        settings.input.format,
        &settings.input.dialect,
    )
    .or_usage()?;
    if !settings.quiet {
        for note in input.notes() {
            eprintln!("fq-import: note: {}: {note}", input.label());
        }
    }
    let plan = mapping.compile(input.columns(), input.label()).or_usage()?;
    let counts = Arc::new(Counts::default());
    let report = Report::create(
        &settings.report,
        settings.report_format,
        Arc::clone(&counts),
    )
    .or_usage()?;
    let report_path = report.path().to_owned();

    let (sender, _sandbox) = connect(&settings).await?;
    let stop = Arc::new(Stop::default());
    let dry_run = sender.is_none();
    let mut progress = Progress::start(
        Arc::clone(&counts),
        input.bytes_read(),
        input.size(),
        settings.quiet,
        dry_run,
    );
    let interrupted = watch_for_interrupt(Arc::clone(&stop));

    let ended = pipeline(
        input,
        plan,
        report,
        sender,
        Arc::clone(&counts),
        Arc::clone(&stop),
    )
    .await;

    progress.finish();
    if !settings.quiet {
        progress.summary(&report_path);
    }
    ended?;
    if interrupted.load(Ordering::Relaxed) {
        return Ok(Exit::Interrupted);
    }
    conclude(&counts, stop.reason(), &settings)
}

/// Start the sandbox if asked for, and build the sender (`None` in a dry run).
async fn connect(
    settings: &ImportSettings,
) -> Result<(Option<Arc<Sender>>, Option<mock::RunningMock>), Fatal> {
    let (url, sandbox) = match &settings.target {
        Target::DryRun => return Ok((None, None)),
        Target::Webhook(url) => (url.clone(), None),
        Target::Sandbox => {
            let running = mock::start("127.0.0.1:0", MockConfig::default())
                .await
                .or_abort()?;
            let url =
                WebhookUrl::parse(&running.webhook_url("imp_sandbox", "sandbox")).or_abort()?;
            if !settings.quiet {
                eprintln!(
                    "fq-import: sandbox: importing into a local stand-in at {}",
                    running.base_url()
                );
            }
            (url, Some(running))
        }
    };
    let sender = Sender::new(url, settings.delivery.clone()).or_usage()?;
    Ok((Some(Arc::new(sender)), sandbox))
}

/// Run the four stages to the end and report the first error any of them met.
async fn pipeline(
    input: Input,
    plan: Plan,
    report: Report,
    sender: Option<Arc<Sender>>,
    counts: Arc<Counts>,
    stop: Arc<Stop>,
) -> Result<(), Fatal> {
    let (records_tx, records_rx) = mpsc::channel::<Record>(CHANNEL);
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>(CHANNEL);
    let (results_tx, results_rx) = mpsc::channel::<RowResult>(CHANNEL);

    let reader = {
        let (counts, stop) = (Arc::clone(&counts), Arc::clone(&stop));
        thread::spawn(move || read(input, records_tx, &counts, &stop))
    };
    let mapper = {
        let (results, stop) = (results_tx.clone(), Arc::clone(&stop));
        thread::spawn(move || map(&plan, records_rx, jobs_tx, results, &stop))
    };
    let writer = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || report.write_all(results_rx, &stop))
    };
    match sender {
        Some(sender) => send::dispatch(sender, jobs_rx, results_tx, counts, stop).await,
        None => {
            let print = move || print_bodies(jobs_rx, results_tx, &stop);
            tokio::task::spawn_blocking(print).await.or_abort()?;
        }
    }

    let read = join(reader, "reader").and_then(|r| r.or_abort());
    join(mapper, "mapper")?;
    join(writer, "report writer")?.or_abort()?;
    read.map(drop)
}

/// The reader stage: every record goes on, also the one read when a stop comes.
fn read(
    input: Input,
    records: mpsc::Sender<Record>,
    counts: &Counts,
    stop: &Stop,
) -> anyhow::Result<u64> {
    input.for_each(|record| {
        counts.read.fetch_add(1, Ordering::Relaxed);
        records.blocking_send(record).is_ok() && !stop.is_stopped()
    })
}

/// The mapper stage: a body goes to the dispatcher, an invalid row straight to the report.
fn map(
    plan: &Plan,
    mut records: mpsc::Receiver<Record>,
    jobs: mpsc::Sender<Job>,
    results: mpsc::Sender<RowResult>,
    stop: &Stop,
) {
    while let Some(record) = records.blocking_recv() {
        let (row, line) = (record.row, record.line);
        let sent = match plan.apply(&record.fields) {
            mapped if stop.is_stopped() => {
                let key = mapped.map_or_else(|invalid| invalid.key, |mapped| mapped.key);
                results
                    .blocking_send(RowResult::new(row, line, key, Outcome::Pending))
                    .is_ok()
            }
            Ok(mapped) => {
                let body = Bytes::from(mapped.body);
                jobs.blocking_send(Job {
                    row,
                    line,
                    key: mapped.key,
                    body,
                })
                .is_ok()
            }
            Err(invalid) => {
                let mut result = RowResult::new(row, line, invalid.key, Outcome::Invalid);
                result.error = invalid.problem.to_string();
                results.blocking_send(result).is_ok()
            }
        };
        if !sent {
            return;
        }
    }
}

/// The dry run's last stage: bodies to stdout, in row order, each row `ready`.
fn print_bodies(mut jobs: mpsc::Receiver<Job>, results: mpsc::Sender<RowResult>, stop: &Stop) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    while let Some(job) = jobs.blocking_recv() {
        let outcome = if stop.is_stopped() {
            Outcome::Pending
        } else if let Err(error) = out.write_all(&job.body).and_then(|()| out.write_all(b"\n")) {
            stop.halt(output_failed(&error));
            Outcome::Pending
        } else {
            Outcome::Ready
        };
        let result = RowResult::new(job.row, job.line, job.key, outcome);
        if results.blocking_send(result).is_err() {
            return;
        }
    }
    if let Err(error) = out.flush() {
        stop.halt(output_failed(&error));
    }
}

/// A closed pipe, as after `| head`, stops quietly; any other write error is fatal.
fn output_failed(error: &std::io::Error) -> Halt {
    match error.kind() {
        std::io::ErrorKind::BrokenPipe => Halt::OutputClosed,
        _ => Halt::WriteFailed(format!("cannot write the bodies to stdout: {error}")),
    }
}

fn join<T>(handle: thread::JoinHandle<T>, stage: &str) -> Result<T, Fatal> {
    handle
        .join()
        .map_err(|_| anyhow!("the {stage} stopped unexpectedly"))
        .or_abort()
}

/// Ctrl-C stops the reading; the rows already read are finished or reported `pending`.
fn watch_for_interrupt(stop: Arc<Stop>) -> Arc<std::sync::atomic::AtomicBool> {
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    tokio::spawn(async move {
        if interrupt().await.is_ok() {
            flag.store(true, Ordering::Relaxed);
            stop.interrupt();
        }
    });
    interrupted
}

/// Wait for Ctrl-C, or for SIGTERM where there is one.
async fn interrupt() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}

/// The exit code for a run that went to its end.
fn conclude(counts: &Counts, halt: Option<Halt>, settings: &ImportSettings) -> Result<Exit, Fatal> {
    if let Some(Halt::WriteFailed(message)) = halt {
        return Err(anyhow!("{message}; stopped sending")).or_abort();
    }
    if let Some(Halt::NotFound(message)) = halt {
        return Err(anyhow!(
            "{message}; stopped sending, since every row would fail\n  \
             hint: in FirstQuadrant, open Imports, then the import, and copy its webhook URL"
        ))
        .or_abort();
    }
    if counts.read.load(Ordering::Relaxed) == 0 {
        return Err(anyhow!(
            "{} holds no rows: nothing to import",
            settings.input.source.label()
        ))
        .or_usage();
    }
    let bad = counts.get(Outcome::Invalid) + counts.get(Outcome::Failed);
    Ok(if bad > 0 {
        Exit::RowsFailed
    } else {
        Exit::Success
    })
}
