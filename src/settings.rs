//! Checked settings for a run, built once from the parsed flags before any I/O.
//!
//! Everything after this point trusts these values: the input's format is known, the URL is
//! parsed, the numbers are in range.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail, ensure};

use crate::cli::{Format, ImportArgs};
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
    pub concurrency: usize,
    pub timeout: Duration,
    pub max_retries: usize,
    pub retry_delay: Duration,
    /// The longest wait a `Retry-After` may impose; longer ones are capped here.
    pub max_retry_wait: Duration,
}

/// Everything an import needs, checked.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    pub source: Source,
    pub format: Format,
    pub mapping: PathBuf,
    pub target: Target,
    pub report: PathBuf,
    pub report_format: ReportFormat,
    pub delivery: Delivery,
    pub quiet: bool,
}

const MAX_CONCURRENCY: usize = 1024;

impl ImportSettings {
    pub fn from_args(args: ImportArgs) -> anyhow::Result<ImportSettings> {
        let source = if args.input.as_os_str() == "-" {
            Source::Stdin
        } else {
            Source::File(args.input.clone())
        };
        let format = match args.format {
            Some(format) => format,
            None => format_from_extension(&source)?,
        };
        let target = target(&args)?;
        let mapping = args.mapping.context(
            "no mapping file: pass --mapping FILE, a TOML file that says which column \
             feeds which webhook field (the README's mapping reference shows how)",
        )?;
        let report = args.report.unwrap_or_else(|| default_report(&source));
        let report_format = match report.extension().and_then(|e| e.to_str()) {
            Some("jsonl") => ReportFormat::Jsonl,
            _ => ReportFormat::Csv,
        };
        ensure!(
            (1..=MAX_CONCURRENCY).contains(&args.concurrency),
            "--concurrency must be between 1 and {MAX_CONCURRENCY}, not {}",
            args.concurrency
        );
        ensure!(!args.timeout.is_zero(), "--timeout must be longer than 0s");
        let delivery = Delivery {
            concurrency: args.concurrency,
            timeout: args.timeout,
            max_retries: args.max_retries,
            retry_delay: args.retry_delay,
            max_retry_wait: Duration::from_secs(300),
        };
        Ok(ImportSettings {
            source,
            format,
            mapping,
            target,
            report,
            report_format,
            delivery,
            quiet: args.quiet,
        })
    }
}

fn target(args: &ImportArgs) -> anyhow::Result<Target> {
    if args.dry_run {
        return Ok(Target::DryRun);
    }
    if args.sandbox {
        return Ok(Target::Sandbox);
    }
    match &args.url {
        Some(url) => Ok(Target::Webhook(WebhookUrl::parse(url)?)),
        None => bail!(
            "no webhook URL: pass --url URL or set FQ_WEBHOOK_URL \
             (or try --dry-run or --sandbox first)"
        ),
    }
}

fn format_from_extension(source: &Source) -> anyhow::Result<Format> {
    let Source::File(path) = source else {
        bail!("reading from stdin needs --format csv, tsv or jsonl");
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("csv") => Ok(Format::Csv),
        Some("tsv") | Some("tab") => Ok(Format::Tsv),
        Some("jsonl") | Some("ndjson") => Ok(Format::Jsonl),
        _ => bail!(
            "cannot tell the format of {} from its extension; pass --format csv, tsv or jsonl",
            path.display()
        ),
    }
}

/// `<input>.report.csv` beside the input; `stdin.report.csv` in the current folder.
fn default_report(source: &Source) -> PathBuf {
    match source {
        Source::File(path) => {
            let mut name = path.as_os_str().to_owned();
            name.push(".report.csv");
            PathBuf::from(name)
        }
        Source::Stdin => Path::new("stdin.report.csv").to_owned(),
    }
}
