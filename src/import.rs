//! The import job: wires the stages together and turns how they ended into an exit code.
//!
//! ```text
//! reader ──records──▶ mapper ──jobs──▶ dispatcher ──results──▶ report writer
//! (thread)           (thread)  │      (N in flight)              (thread)
//!                              └──invalid, duplicate, unchanged, kept──▶
//! ```
//!
//! Every record the reader hands on reaches the report exactly once: sent, invalid,
//! duplicate, unchanged since the state last saw it, kept from an earlier run, or `pending`
//! when the run stops before its turn.

mod mapper;

use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread;

use anyhow::anyhow;
use tokio::sync::mpsc;

use crate::cli::{ImportArgs, ProgressMode};
use crate::exit::{Exit, Fatal, OrExit};
use crate::input::{Columns, Input, Record};
use crate::mapping::{Mapping, Plan};
use crate::mock::{self, MockConfig};
use crate::progress::Progress;
use crate::report::{self, Counts, Done, Entry, Fingerprint, Outcome, Report, ReportPlan};
use crate::report::{RejectsFormat, RowResult};
use crate::secret::WebhookUrl;
use crate::send::{self, Halt, Job, Sender, Stop};

use crate::settings::{ImportSettings, Target};
use crate::state::State;
use crate::summary::{self, Facts};
use mapper::{Batcher, Lane, Sorter};

/// Rows travel between stages in batches of up to this many, so that a stage wakes once per
/// batch rather than once per row.
const BATCH: usize = 256;

/// How many batches may wait between two stages: with [`BATCH`], this bounds the rows held
/// in memory whatever the input's size.
const CHANNEL: usize = 2;

/// Run `fq-import import`, and write its summary when asked.
pub fn run(args: ImportArgs) -> Result<Exit, Fatal> {
    let summary_to = args.summary_json.clone();
    let mut facts = Facts::new(args.input.input.display().to_string());
    let ended = start(args, &mut facts);
    match summary_to {
        Some(to) => match summary::write(&to, &facts, &ended) {
            Ok(()) => ended,
            Err(error) => ended.and(Err(error).or_abort()),
        },
        None => ended,
    }
}

fn start(args: ImportArgs, facts: &mut Facts) -> Result<Exit, Fatal> {
    let settings = ImportSettings::from_args(args).or_usage()?;
    facts.dry_run = matches!(settings.target, Target::DryRun);
    // One thread serves every request: the reader, the mapper and the report writer have
    // threads of their own, and on a small machine a second worker costs more in hand-offs
    // between threads than it gains.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .or_abort()?;
    runtime.block_on(import(settings, facts))
}

async fn import(settings: ImportSettings, facts: &mut Facts) -> Result<Exit, Fatal> {
    let mapping = Mapping::load(&settings.mapping).or_usage()?;
    let mut input = open_input(&settings)?;
    if settings.rejects.is_some() {
        input.keep_text();
    }
    let mut plan = mapping.compile(input.columns(), input.label()).or_usage()?;
    plan.key_by(&settings.key).or_usage()?;
    let state = open_state(&settings)?;
    let (report_plan, done) = plan_report(&settings, &input)?;
    let counts = Arc::new(Counts::default());
    facts.counts = Some(Arc::clone(&counts));
    let recorder = match &state {
        Some(state) => state.recorder().or_usage()?,
        None => None,
    };
    let report = Report::create(report_plan, Arc::clone(&counts))
        .or_usage()?
        .with_max_errors(settings.max_errors)
        .with_state(recorder);
    let report_path = report.path().to_owned();
    facts.report = Some(report_path.clone());

    let (sender, _sandbox) = connect(&settings).await?;
    let stop = Arc::new(Stop::default());
    let dry_run = sender.is_none();
    let mode = match settings.quiet {
        true => ProgressMode::None,
        false => settings.progress,
    };
    let mut progress = Progress::start(
        Arc::clone(&counts),
        input.bytes_read(),
        input.size(),
        (mode, settings.progress_interval),
        dry_run,
    );
    watch_for_interrupt(Arc::clone(&stop));

    let choice = Choice {
        shard: settings.shard,
        limit: settings.limit,
        done,
        dedupe: settings.dedupe,
        keep_raw: settings.rejects.is_some(),
        state,
    };
    let stages = Stages {
        input,
        plan,
        report,
        sender,
        counts: Arc::clone(&counts),
        stop: Arc::clone(&stop),
    };
    let ended = stages.run(choice).await;

    progress.finish();
    if !settings.quiet {
        progress.summary(&report_path);
    }
    ended?;
    conclude(&counts, &stop, &settings)
}

fn open_input(settings: &ImportSettings) -> Result<Input, Fatal> {
    let source = &settings.input;
    let input = Input::open(&source.source, source.format, &source.dialect).or_usage()?;
    for note in input.notes() {
        tracing::info!("{}: {note}", input.label());
    }
    Ok(input)
}

/// Open the state file, checked against this run's key and import.
fn open_state(settings: &ImportSettings) -> Result<Option<State>, Fatal> {
    let Some(path) = &settings.state else {
        return Ok(None);
    };
    let import = match &settings.target {
        Target::Webhook(url) => Some(url.import_id()),
        Target::Sandbox => Some(SANDBOX_IMPORT),
        Target::DryRun => None,
    };
    State::open(path, &settings.key, import, settings.shard)
        .or_usage()
        .map(Some)
}

/// What the report of this run is to be, and the rows an earlier run imported.
fn plan_report(
    settings: &ImportSettings,
    input: &Input,
) -> Result<(ReportPlan, Option<Done>), Fatal> {
    let source = &settings.input.source;
    let fingerprint = Fingerprint::of(source, &settings.mapping, settings.shard).or_usage()?;
    let previous = match settings.resume {
        true => report::read_previous(&settings.report, settings.report_format).or_usage()?,
        false => None,
    };
    if let Some(previous) = &previous {
        report::check_resume(previous, &fingerprint, &settings.report, settings.force)
            .or_usage()?;
    }
    if settings.resume {
        match &previous {
            Some(p) => tracing::info!(
                "resuming from {}: {} rows imported earlier are skipped",
                settings.report.display(),
                p.imported
            ),
            None => {
                tracing::info!("no report to resume from yet: starting from the first row")
            }
        }
    }
    let rejects = settings.rejects.clone().map(|path| {
        let format = match (input.columns(), input.delimiter()) {
            (Columns::Header(header), Some(delimiter)) => RejectsFormat::Table {
                header: header.clone(),
                delimiter,
            },
            _ => RejectsFormat::Lines,
        };
        (path, format)
    });
    let plan = ReportPlan {
        path: settings.report.clone(),
        format: settings.report_format,
        fingerprint,
        resume: previous.is_some(),
        rejects,
    };
    Ok((plan, previous.map(|p| p.done)))
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
            let url = WebhookUrl::parse(&running.webhook_url(SANDBOX_IMPORT, &sandbox_hash()))
                .or_abort()?;
            tracing::info!(
                "sandbox: importing into a local stand-in at {}",
                running.base_url()
            );
            (url, Some(running))
        }
    };
    let sender = Sender::new(url, settings.delivery.clone(), &settings.ca_certs).or_usage()?;
    Ok((Some(Arc::new(sender)), sandbox))
}

/// The import id of the stand-in that `--sandbox` starts.
const SANDBOX_IMPORT: &str = "imp_sandbox";

/// A hash for the stand-in's URL that no message will hold by chance, since every hash is
/// scrubbed from what is printed.
fn sandbox_hash() -> String {
    format!("sandbox-{:016x}", fastrand::u64(..))
}

/// Which rows this run handles, and how.
struct Choice {
    shard: Option<(u64, u64)>,
    limit: Option<u64>,
    /// Rows an earlier run imported: kept as they are.
    done: Option<Done>,
    dedupe: bool,
    /// Carry each row as read, for the rejects file.
    keep_raw: bool,
    /// With `--state`: what the webhook accepted before.
    state: Option<State>,
}

/// The four stages of a run, ready to start.
struct Stages {
    input: Input,
    plan: Plan,
    report: Report,
    sender: Option<Arc<Sender>>,
    counts: Arc<Counts>,
    stop: Arc<Stop>,
}

impl Stages {
    /// Run the stages to the end and report the first error any of them met.
    async fn run(self, choice: Choice) -> Result<(), Fatal> {
        let (jobs_tx, jobs_rx) = mpsc::channel::<Vec<Job>>(CHANNEL);
        let (entries_tx, entries_rx) = mpsc::channel::<Vec<Entry>>(CHANNEL);
        let Stages {
            input,
            plan,
            report,
            sender,
            counts,
            stop,
        } = self;

        let (shard, limit) = (choice.shard, choice.limit);
        // A file is read in batches; a pipe may pause between rows, so its rows go on at once.
        let batch = if input.size().is_some() { BATCH } else { 1 };
        let folds_case = plan.key_folds_case();
        let mut lanes = Vec::new();
        for _ in 0..mapper::mapping_threads() {
            lanes.push(Lane {
                keep_raw: choice.keep_raw,
                state: choice
                    .state
                    .as_ref()
                    .map(State::reader)
                    .transpose()
                    .or_abort()?,
                stop: Arc::clone(&stop),
            });
        }
        let (deal, take, mappers) = mapper::start(plan, lanes, CHANNEL).or_abort()?;
        let reader = {
            let (counts, stop) = (Arc::clone(&counts), Arc::clone(&stop));
            spawn("reader", move || {
                let records = Batcher::new(deal, batch);
                read(input, records, &counts, &stop, shard, limit)
            })?
        };
        let sorter = {
            let (entries, stop) = (entries_tx.clone(), Arc::clone(&stop));
            let sorter = Sorter::new(choice.done, choice.dedupe, folds_case);
            spawn("sorter", move || sorter.run(take, jobs_tx, entries, &stop))?
        };
        let writer = {
            let stop = Arc::clone(&stop);
            spawn("report", move || report.write_all(entries_rx, &stop))?
        };
        let read_any = Arc::clone(&counts);
        match sender {
            Some(sender) => send::dispatch(sender, jobs_rx, entries_tx, counts, stop).await,
            None => {
                let print = move || print_bodies(jobs_rx, entries_tx, &stop);
                tokio::task::spawn_blocking(print).await.or_abort()?;
            }
        }

        // Every stage is joined before any error is returned: the report must be finished.
        // A file that cannot be read before its first row is the input's fault, like a
        // file that cannot be opened: exit 2, since nothing was sent.
        let nothing_read = read_any.read.load(Ordering::Relaxed) == 0;
        let read = join(reader, "reader").and_then(|r| match nothing_read {
            true => r.or_usage(),
            false => r.or_abort(),
        });
        let mapped = mappers
            .into_iter()
            .try_for_each(|m| join(m, "mapper"))
            .and(join(sorter, "sorter"));
        let written = join(writer, "report writer").and_then(|w| w.or_abort());
        written?;
        mapped?;
        read.map(drop)
    }
}

/// The reader stage: every record of this run goes on, also the one read when a stop comes.
fn read(
    input: Input,
    mut records: Batcher<Record>,
    counts: &Counts,
    stop: &Stop,
    shard: Option<(u64, u64)>,
    limit: Option<u64>,
) -> anyhow::Result<u64> {
    let mut handled = 0;
    let read = input.for_each(|record| {
        if let Some((k, n)) = shard
            && record.row % n != k % n
        {
            return true;
        }
        counts.read.fetch_add(1, Ordering::Relaxed);
        handled += 1;
        records.push(record) && !stop.is_stopped() && limit.is_none_or(|limit| handled < limit)
    });
    records.flush();
    read
}

/// The dry run's last stage: bodies to stdout, in row order, each row `ready`.
fn print_bodies(
    mut jobs: mpsc::Receiver<Vec<Job>>,
    entries: mpsc::Sender<Vec<Entry>>,
    stop: &Stop,
) {
    let mut out = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    while let Some(batch) = jobs.blocking_recv() {
        let mut printed = Vec::with_capacity(batch.len());
        for job in batch {
            let outcome = if stop.is_stopped() {
                Outcome::Pending
            } else if let Err(error) = out.write_all(&job.body).and_then(|()| out.write_all(b"\n"))
            {
                stop.halt(output_failed(&error));
                Outcome::Pending
            } else {
                Outcome::Ready
            };
            printed.push(Entry::Row(RowResult::new(
                job.row, job.line, job.key, outcome,
            )));
        }
        if entries.blocking_send(printed).is_err() {
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

/// Start a stage on a thread of its own, named for it.
fn spawn<T: Send + 'static>(
    stage: &str,
    run: impl FnOnce() -> T + Send + 'static,
) -> Result<thread::JoinHandle<T>, Fatal> {
    thread::Builder::new()
        .name(stage.to_owned())
        .spawn(run)
        .map_err(|error| anyhow!("cannot start the {stage} thread: {error}"))
        .or_abort()
}

fn join<T>(handle: thread::JoinHandle<T>, stage: &str) -> Result<T, Fatal> {
    handle
        .join()
        .map_err(|_| anyhow!("the {stage} stopped unexpectedly"))
        .or_abort()
}

/// Ctrl-C or SIGTERM stops the reading; the rows already read are finished or reported
/// `pending`. A second one stops at once: the report on disk still serves `--resume`.
fn watch_for_interrupt(stop: Arc<Stop>) {
    tokio::spawn(async move {
        if interrupt().await.is_err() {
            return;
        }
        stop.interrupt();
        tracing::warn!(
            "stopping: requests in flight get {}s to finish \
             (press Ctrl-C or send SIGTERM again to stop at once)",
            send::GRACE.as_secs()
        );
        if interrupt().await.is_ok() {
            tracing::error!("stopped at once; run the same command with --resume to carry on");
            std::process::exit(i32::from(Exit::Interrupted.code()));
        }
    });
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
fn conclude(counts: &Counts, stop: &Stop, settings: &ImportSettings) -> Result<Exit, Fatal> {
    let resume_hint = "run the same command with --resume to carry on";
    match stop.reason() {
        Some(Halt::WriteFailed(message)) => {
            return Err(anyhow!("{message}; stopped sending; {resume_hint}")).or_abort();
        }
        Some(Halt::StateFailed(message)) => {
            return Err(anyhow!(
                "{message}; stopped sending; once that is mended, run the same command again: \
                 what the state does not hold is sent then"
            ))
            .or_abort();
        }
        Some(Halt::EndpointDown(message)) => {
            return Err(anyhow!(
                "{message}; gave up (--give-up-after); {resume_hint}"
            ))
            .or_abort();
        }
        Some(Halt::TooManyErrors(message)) => {
            return Err(anyhow!(
                "{message}; check the report, fix the mapping, then {resume_hint}"
            ))
            .or_abort();
        }
        Some(Halt::Untrusted(message)) => {
            let hint = match message.contains("trusted") {
                true => {
                    "\n  hint: if a company proxy or a private authority signs the certificate, \
                     pass its authority with --ca-cert FILE"
                }
                false => "",
            };
            return Err(anyhow!(
                "{message}; stopped sending, since every row would fail{hint}"
            ))
            .or_abort();
        }
        Some(Halt::NotFound(message)) => {
            return Err(anyhow!(
                "{message}; stopped sending, since every row would fail\n  \
                 hint: in FirstQuadrant, open Imports, then the import, and copy its webhook URL"
            ))
            .or_abort();
        }
        _ => {}
    }
    if stop.is_interrupted() {
        let pending = counts.get(Outcome::Pending);
        tracing::error!("interrupted with {pending} rows pending; {resume_hint}");
        return Ok(Exit::Interrupted);
    }
    if counts.read.load(Ordering::Relaxed) == 0 {
        return Err(anyhow!(
            "{} holds no rows: nothing to import",
            settings.input.source.label()
        ))
        .or_usage();
    }
    let bad = counts.get(Outcome::Invalid) + counts.get(Outcome::Failed);
    if bad > 0 {
        // An error, so that `-q` (a cron job) still says it: cron mails what is printed.
        tracing::error!(
            "{} invalid and {} failed of {} rows read: see {}",
            counts.get(Outcome::Invalid),
            counts.get(Outcome::Failed),
            counts.read.load(Ordering::Relaxed),
            settings.report.display()
        );
    }
    Ok(if bad > 0 {
        Exit::RowsFailed
    } else {
        Exit::Success
    })
}
