//! The command line: subcommands, flags, their defaults and help text.
//!
//! These types are only parsed; `settings` turns them into checked settings before any file
//! is read or any request is sent.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

const EXIT_CODES: &str = "\
Exit codes:
  0    every row was imported (in a dry run: every row is ready)
  1    the run finished, but some rows are invalid or failed (see the report)
  2    usage or configuration error, found before anything was sent
  3    the run was aborted: the webhook answered 404, or a fatal I/O error
  130  interrupted";

const IMPORT_EXAMPLES: &str = "\
Examples:
  Check a file and see the bodies it would send, without sending anything:
    fq-import import contacts.csv --mapping contacts.toml --dry-run

  Rehearse the whole import against a local stand-in of the webhook:
    fq-import import contacts.csv --mapping contacts.toml --sandbox

  Import, with the webhook URL taken from the environment:
    export FQ_WEBHOOK_URL='https://api.us.firstquadrant.ai/v5/imports/imp_123/trigger/…'
    fq-import import contacts.csv --mapping contacts.toml";

/// Stream CSV and JSONL contact exports into a FirstQuadrant import webhook.
#[derive(Debug, Parser)]
#[command(name = "fq-import", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Map every row of a CSV or JSONL file and send it to the import webhook.
    #[command(after_help = format!("{IMPORT_EXAMPLES}\n\n{EXIT_CODES}"))]
    Import(ImportArgs),
    /// Run a local stand-in of the import webhook, for rehearsals and tests.
    Mock(MockArgs),
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to write completions for.
        shell: Shell,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import, or `-` for standard input.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,

    /// The mapping file (TOML) that turns a row into the webhook's body.
    #[arg(short, long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// The import's webhook URL: https://…/v5/imports/{importId}/trigger/{hash}.
    #[arg(
        long,
        env = "FQ_WEBHOOK_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub url: Option<String>,

    /// Start a local stand-in of the webhook on a free loopback port and import into it.
    #[arg(long, conflicts_with = "url")]
    pub sandbox: bool,

    /// Map and check every row without sending; the bodies go to stdout as JSON lines.
    #[arg(long, conflicts_with = "sandbox")]
    pub dry_run: bool,

    /// The input's format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Where to write the report; JSON lines when the name ends in .jsonl.
    /// [default: <INPUT>.report.csv]
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// How many requests may be in flight at once.
    #[arg(short, long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,

    /// How long one request may take, e.g. 500ms, 30s, 5m.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// How many times a row is retried after a 429, a 5xx, a timeout or a connection error.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_retries: usize,

    /// The first retry's delay; each later one doubles it, with jitter.
    #[arg(long, default_value = "500ms", value_parser = parse_duration, value_name = "DURATION")]
    pub retry_delay: Duration,

    /// Print nothing but errors: no progress, no summary.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// The address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: String,

    /// Append every accepted body to this file as a JSON line.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// The share of requests, from 0 to 1, that get a 500.
    #[arg(long, default_value_t = 0.0, value_name = "P")]
    pub fail_rate: f64,

    /// Accept at most N requests a second; the rest get 429 with Retry-After.
    #[arg(long, value_name = "N")]
    pub throttle: Option<u32>,

    /// Wait this many milliseconds before answering each request.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency: u64,

    /// Accept only this hash in the URL; any other gets 404. [default: any hash]
    #[arg(long, value_name = "HASH")]
    pub hash: Option<String>,
}

/// Parse a duration written like `500ms`, `30s` or `5m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write it like 500ms, 30s or 5m)"))
}

/// Write the completion script for `shell` to stdout.
pub fn completions(shell: Shell) -> Result<crate::exit::Exit, crate::exit::Fatal> {
    use clap::CommandFactory;

    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "fq-import",
        &mut std::io::stdout(),
    );
    Ok(crate::exit::Exit::Success)
}
