//! Checked settings for a run, built once from the parsed flags before any I/O.
//!
//! Everything after this point trusts these values: the input's format is known, the URL is
//! parsed, the numbers are in range.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};

use crate::cli::{Concurrency, Format, ImportArgs, InputArgs, MaxErrors, ProgressMode};
use crate::input::{Dialect, Encoding};
use crate::secret::WebhookUrl;

/// Where the rows come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    Stdin,
}

impl Source {
    /// How the source is named in messages.
    pub fn label(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Stdin => "<stdin>".to_owned(),
        }
    }
}

/// Where the bodies go.
#[derive(Debug, Clone)]
pub enum Target {
    /// The import webhook at this URL.
    Webhook(WebhookUrl),
    /// A stand-in started inside the process.
    Sandbox,
    /// Nowhere: the bodies are printed to stdout.
    DryRun,
}

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Csv,
    Jsonl,
}

/// How rows are delivered.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The most requests in flight.
    pub concurrency: usize,
    /// Find the pace by itself, within `concurrency`.
    pub adaptive: bool,
    /// Requests a second, across workers, and the burst allowed.
    pub rate: Option<(f64, u32)>,
    pub timeout: Duration,
    pub max_retries: usize,
    /// The most time one row may spend retrying.
    pub retry_for: Duration,
    pub retry_delay: Duration,
    /// The longest wait a `Retry-After` may impose; longer ones are capped here.
    pub max_retry_wait: Duration,
    /// Give up after this long of nothing but failures.
    pub give_up_after: Duration,
}

/// Where the rows come from and how to read them, checked.
#[derive(Debug, Clone)]
pub struct InputSettings {
    pub source: Source,
    pub format: Format,
    pub dialect: Dialect,
}

impl InputSettings {
    pub fn from_args(args: InputArgs) -> anyhow::Result<InputSettings> {
        let source = if args.input.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(args.input)
        };
        let format = match args.format {
            Some(format) => format,
            None => format_from_extension(&source)?,
        };
        let encoding = match &args.encoding {
            Some(label) => Some(Encoding::for_label(label).with_context(|| {
                format!(
                    "`{label}` is not an encoding fq-import knows; try windows-1252, \
                     iso-8859-15, utf-16le or shift_jis"
                )
            })?),
            None => None,
        };
        let dialect = Dialect {
            delimiter: args.delimiter,
            skip_lines: args.skip_lines,
            encoding,
            max_record_bytes: Some(args.max_record_bytes),
        };
        Ok(InputSettings {
            source,
            format,
            dialect,
        })
    }
}

/// Everything an import needs, checked.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    pub input: InputSettings,
    pub mapping: PathBuf,
    pub target: Target,
    pub report: PathBuf,
    pub report_format: ReportFormat,
    pub delivery: Delivery,
    /// Certificate authorities to trust besides the system's (`--ca-cert`).
    pub ca_certs: Vec<reqwest::Certificate>,
    pub quiet: bool,
    /// How progress is shown, and how often a status line is printed.
    pub progress: ProgressMode,
    pub progress_interval: Duration,
    pub resume: bool,
    pub force: bool,
    pub dedupe: bool,
    /// `--state`: where what the webhook accepted is remembered between runs.
    pub state: Option<PathBuf>,
    /// The field that tells contacts apart, such as contact.email.
    pub key: String,
    pub limit: Option<u64>,
    /// `(K, N)`: rows K, K+N, K+2N…
    pub shard: Option<(u64, u64)>,
    pub rejects: Option<PathBuf>,
    pub max_errors: Option<MaxErrors>,
}

const MAX_CONCURRENCY: usize = 1024;

impl ImportSettings {
    pub fn from_args(args: ImportArgs) -> anyhow::Result<ImportSettings> {
        let target = target(&args)?;
        let mapping = args.mapping.with_context(|| {
            format!(
                "no mapping file: pass --mapping FILE, a TOML file that says which column \
                 feeds which webhook field\n  hint: `fq-import mapping init {0} > mapping.toml` \
                 suggests one from the file's header",
                args.input.input.display()
            )
        })?;
        let input = InputSettings::from_args(args.input)?;
        let report = args
            .report
            .unwrap_or_else(|| default_report(&input.source, args.shard));
        guard_report("the report", &report, &input.source, &mapping)?;
        if let Some(rejects) = &args.rejects {
            guard_report("--rejects", rejects, &input.source, &mapping)?;
            ensure!(
                resolve(rejects) != resolve(&report),
                "--rejects and the report are the same file, {}",
                report.display()
            );
        }
        if args.limit == Some(0) {
            bail!("--limit must be at least 1");
        }
        let report_format = match report.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("jsonl") => ReportFormat::Jsonl,
            _ => ReportFormat::Csv,
        };
        let (concurrency, adaptive) = match args.concurrency {
            Concurrency::Fixed(n) => (n, false),
            Concurrency::Auto => (args.max_concurrency, true),
        };
        ensure!(
            (1..=MAX_CONCURRENCY).contains(&concurrency),
            "--concurrency and --max-concurrency must be between 1 and {MAX_CONCURRENCY}, \
             not {concurrency}"
        );
        ensure!(!args.timeout.is_zero(), "--timeout must be longer than 0s");
        let rate = match args.rate {
            // Below one request an hour, the wait between two would be absurd.
            Some(rate) if rate.is_finite() && rate >= 1.0 / 3600.0 => {
                Some((rate, args.burst.unwrap_or(1).max(1)))
            }
            Some(rate) => bail!(
                "--rate must be a number of requests a second, at least 0.0003 (one an \
                 hour), not {rate}"
            ),
            None => None,
        };
        let delivery = Delivery {
            concurrency,
            adaptive,
            rate,
            timeout: args.timeout,
            max_retries: args.max_retries,
            retry_for: args.retry_for,
            retry_delay: args.retry_delay,
            max_retry_wait: args.max_retry_wait,
            give_up_after: args.give_up_after,
        };
        ensure!(
            !args.progress_interval.is_zero(),
            "--progress-interval must be longer than zero, such as 10s"
        );
        if let Some(summary) = args
            .summary_json
            .as_deref()
            .filter(|p| *p != Path::new("-"))
        {
            guard_report("--summary-json", summary, &input.source, &mapping)?;
            ensure!(
                resolve(summary) != resolve(&report)
                    && args
                        .rejects
                        .as_deref()
                        .is_none_or(|r| resolve(summary) != resolve(r)),
                "--summary-json would overwrite the report or the rejects file: give it a \
                 file of its own"
            );
            // Find out now, not after every row was sent, that it cannot be written.
            std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(summary)
                .with_context(|| format!("cannot write the summary {}", summary.display()))?;
        }
        if let Some(state) = &args.state {
            ensure!(
                state != Path::new("-"),
                "--state needs a file: a state cannot be kept on stdin or stdout"
            );
            guard_report("--state", state, &input.source, &mapping)?;
            let others = [Some(report.as_path()), args.rejects.as_deref()];
            let summary = args
                .summary_json
                .as_deref()
                .filter(|p| *p != Path::new("-"));
            ensure!(
                others
                    .into_iter()
                    .chain([summary])
                    .flatten()
                    .all(|other| resolve(state) != resolve(other)),
                "--state {} is also the report, the rejects file or the summary: give it a \
                 file of its own",
                state.display()
            );
        }
        let ca_certs = match &args.ca_cert {
            Some(path) => read_ca_certs(path)?,
            None => Vec::new(),
        };
        Ok(ImportSettings {
            input,
            mapping,
            target,
            report,
            report_format,
            delivery,
            ca_certs,
            quiet: args.quiet,
            progress: args.progress,
            progress_interval: args.progress_interval,
            resume: args.resume,
            force: args.force,
            dedupe: args.dedupe,
            state: args.state,
            key: args.key,
            limit: args.limit,
            shard: args.shard,
            rejects: args.rejects,
            max_errors: args.max_errors,
        })
    }
}

fn target(args: &ImportArgs) -> anyhow::Result<Target> {
    if args.dry_run {
        ensure!(
            args.summary_json.as_deref() != Some(Path::new("-")),
            "--summary-json - would mix the summary into the bodies a dry run prints on \
             stdout: give it a file"
        );
        return Ok(Target::DryRun);
    }
    if args.sandbox {
        return Ok(Target::Sandbox);
    }
    let raw = match (&args.url, &args.url_file) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => read_url_file(path)?,
        (None, None) => match std::env::var("FQ_WEBHOOK_URL") {
            Ok(url) if !url.trim().is_empty() => url,
            _ => bail!(
                "no webhook URL: pass --url-file FILE or --url URL, or set FQ_WEBHOOK_URL \
                 (or try --dry-run or --sandbox first)"
            ),
        },
    };
    let url = WebhookUrl::parse(&raw)?;
    if url.scheme() == "http" && !url.is_loopback() {
        ensure!(
            args.allow_http,
            "the webhook URL starts with http://, which would send the hash and every \
             contact unencrypted to {}: use its https:// URL (or pass --allow-http if you \
             really mean it)",
            url.host()
        );
        tracing::warn!(
            "sending to {} over plain http: the hash and the contacts cross the network \
             unencrypted (--allow-http)",
            url.host()
        );
    }
    Ok(Target::Webhook(url))
}

/// The webhook URL from a file: its first line that is not blank or a comment.
fn read_url_file(path: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the webhook URL from {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        if mode & 0o077 != 0 {
            tracing::warn!(
                "{} can be read by other users, and the URL in it is a \
                 credential: chmod 600 {0}",
                path.display()
            );
        }
    }
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_owned)
        .with_context(|| format!("{} holds no webhook URL", path.display()))
}

/// The certificate authorities in a PEM file, to trust besides the system's.
fn read_ca_certs(path: &Path) -> anyhow::Result<Vec<reqwest::Certificate>> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read the certificate file {}", path.display()))?;
    let certs = reqwest::Certificate::from_pem_bundle(&pem)
        .with_context(|| format!("{} is not a PEM file of certificates", path.display()))?;
    ensure!(
        !certs.is_empty(),
        "{} holds no certificate (a PEM file, with -----BEGIN CERTIFICATE----- lines)",
        path.display()
    );
    Ok(certs)
}

fn format_from_extension(source: &Source) -> anyhow::Result<Format> {
    let Source::File(path) = source else {
        bail!("reading from stdin needs --format csv, tsv, jsonl or json");
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") => Ok(Format::Csv),
        Some("tsv") | Some("tab") => Ok(Format::Tsv),
        Some("jsonl") | Some("ndjson") => Ok(Format::Jsonl),
        Some("json") => Ok(Format::Json),
        _ => bail!(
            "cannot tell the format of {} from its extension; pass --format csv, tsv, jsonl \
             or json",
            path.display()
        ),
    }
}

/// Refuse a path to write (the report, the rejects file, the summary, the state) that would
/// overwrite the input or the mapping.
fn guard_report(flag: &str, written: &Path, source: &Source, mapping: &Path) -> anyhow::Result<()> {
    let Some(target) = resolve(written) else {
        return Ok(());
    };
    let input = match source {
        Source::File(path) => resolve(path),
        Source::Stdin => None,
    };
    for (what, path) in [("input", input), ("mapping", resolve(mapping))] {
        if path.as_ref() == Some(&target) {
            bail!(
                "{flag} {} would overwrite the {what}: give it a file of its own",
                written.display()
            );
        }
    }
    Ok(())
}

/// What a path names, to tell whether two paths are one file.
#[derive(Debug, PartialEq, Eq)]
enum FileId {
    /// A file that exists: its device and inode, so that a hard link is one file too.
    Inode(u64, u64),
    /// A file that does not exist yet: the absolute path it would have.
    Path(PathBuf),
}

/// The file a path names, following links, even to a file that does not exist yet.
fn resolve(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::MetadataExt;
        return Some(FileId::Inode(meta.dev(), meta.ino()));
    }
    // A link to a file not made yet: where the link points (a loop of links ends somewhere).
    let mut path = path.to_owned();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = path.parent().unwrap_or(Path::new("")).join(target);
    }
    let path = path.as_path();
    if let Ok(found) = std::fs::canonicalize(path) {
        return Some(FileId::Path(found));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let found = std::fs::canonicalize(parent).ok()?.join(path.file_name()?);
    Some(FileId::Path(found))
}

/// `<input>.report.csv` beside the input; `stdin.report.csv` in the current folder. A shard
/// writes `<input>.shard-K-of-N.report.csv`, so that shards in one folder keep apart.
fn default_report(source: &Source, shard: Option<(u64, u64)>) -> PathBuf {
    let suffix = match shard {
        Some((k, n)) => format!(".shard-{k}-of-{n}.report.csv"),
        None => ".report.csv".to_owned(),
    };
    match source {
        Source::File(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        }
        Source::Stdin => PathBuf::from(format!("stdin{suffix}")),
    }
}
