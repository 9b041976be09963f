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
  0    every row was imported, or needed no sending (duplicate, unchanged); in a dry run:
       every row is ready, duplicate or unchanged
  1    the run finished, but some rows are invalid or failed (see the report)
  2    usage or configuration error, found before anything was sent
  3    the run was aborted: the webhook answered 404, no TLS connection could be made,
       it was down for --give-up-after, --max-errors was passed, or a fatal I/O error
  130  interrupted";

const IMPORT_EXAMPLES: &str = "\
Examples:
  A first dry run: map and check every row, print the bodies, send nothing:
    fq-import import contacts.csv --mapping contacts.toml --dry-run

  Rehearse the whole import against a local stand-in of the webhook:
    fq-import import contacts.csv --mapping contacts.toml --sandbox

  A trial of 10 rows, then the rest (the second run skips what the first imported):
    fq-import import contacts.csv --mapping contacts.toml --url-file ~/.fq-webhook --limit 10
    fq-import import contacts.csv --mapping contacts.toml --url-file ~/.fq-webhook --resume

  A cron line for a CRM's nightly full export in the home folder: every night at 2:00, send
  only the contacts that are new or changed since the last run, each once, and say something
  only when rows failed:
    0 2 * * * fq-import import crm.csv -m crm.toml --url-file .fq-url --state crm.state --dedupe -q

  A CI step that seeds a workspace; a non-zero exit fails the job:
    FQ_WEBHOOK_URL=\"$WEBHOOK\" fq-import import seed.csv -m seed.toml --max-errors 0 --progress lines";

const ROOT_EXAMPLES: &str = "\
Examples:
  fq-import mapping init contacts.csv > contacts.toml     # suggest a mapping
  fq-import check contacts.csv --mapping contacts.toml    # list every problem
  fq-import import contacts.csv -m contacts.toml --dry-run
  fq-import import contacts.csv -m contacts.toml --url-file ~/.fq-webhook --limit 10
  fq-import import contacts.csv -m contacts.toml --url-file ~/.fq-webhook --resume

  See `fq-import import --help` for cron and CI examples, and `fq-import man` for the
  manual page.";

const RETRIED: &str = "\
Answers:
  200                     imported
  429                     every worker pauses for its Retry-After, then the row is retried
  408, 425, 500, 502, 503, 504, timeouts, connection errors
                          retried with exponential backoff and jitter, within
                          --max-retries and --retry-for
  404                     the URL or its hash is wrong: sending stops, exit 3
  3xx                     never followed: the row fails
  any other 4xx           not retried: the row fails with the server's message";

/// Stream CSV and JSONL contact exports into a FirstQuadrant import webhook.
#[derive(Debug, Parser)]
#[command(name = "fq-import", version, after_help = format!("{ROOT_EXAMPLES}\n\n{EXIT_CODES}"))]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Say more on stderr: -v adds each retry and each failed row with its status and the
    /// answer's X-Request-Id; -vv each request and its timing. RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Colour the messages: `auto` on a terminal, unless NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub color: ColorChoice,
}

/// When to colour messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Map every row of a CSV or JSONL file and send it to the import webhook.
    #[command(after_help = format!("{IMPORT_EXAMPLES}\n\n{RETRIED}\n\n{EXIT_CODES}"))]
    Import(Box<ImportArgs>),
    /// Map every row without sending and list every problem, grouped by kind.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Work with mapping files.
    #[command(subcommand)]
    Mapping(MappingCommand),
    /// Look into a state file (--state), or make it forget contacts.
    #[command(subcommand)]
    State(StateCommand),
    /// Run a local stand-in of the import webhook, for rehearsals and tests.
    Mock(MockArgs),
    /// Print a shell completion script to stdout.
    Completions {
        /// The shell to write completions for.
        shell: Shell,
    },
    /// Print the manual page (roff) to stdout: `fq-import man > fq-import.1`.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Suggest a mapping for an input from its header, written to stdout.
    #[command(after_help = INIT_HELP)]
    Init(InputArgs),
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// How many contacts a state file holds, what it keys them by, and its oldest and
    /// newest entries.
    Show {
        /// The state file, as given to --state.
        file: PathBuf,
    },
    /// Forget contacts, so that the next run with --state sends them again.
    #[command(after_help = FORGET_HELP)]
    Forget {
        /// The state file, as given to --state.
        file: PathBuf,
        /// The contacts' keys, as the report's key column shows them, or `-` to read them
        /// from stdin, one per line.
        #[arg(required = true, value_name = "KEY", allow_hyphen_values = true)]
        keys: Vec<String>,
    },
    /// Write every entry to stdout as CSV: key, fingerprint (SHA-256 of the body sent),
    /// last_sent (UTC) and row_id.
    Export {
        /// The state file, as given to --state.
        file: PathBuf,
    },
}

const FORGET_HELP: &str = "\
Examples:
  fq-import state forget export.state ann@example.com bob@example.com
  fq-import state forget export.state - < keys.txt";

const CHECK_HELP: &str = "\
Exit codes:
  0  every row maps to a valid body
  1  some rows have problems (listed)
  2  usage or configuration error, such as a mistake in the mapping";

const INIT_HELP: &str = "\
Example:
  fq-import mapping init contacts.csv > contacts.toml
  fq-import check contacts.csv --mapping contacts.toml";

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// A bar on a terminal, status lines otherwise.
    Auto,
    /// A bar.
    Bar,
    /// A status line every --progress-interval.
    Lines,
    /// Nothing until the summary.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// Tab-separated values with a header row.
    Tsv,
    /// One JSON object per line.
    Jsonl,
    /// JSON lines, a top-level array of objects, or one document, told apart by content.
    Json,
}

/// Where the rows come from and how to read them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// The file to read, or `-` for standard input; a `.gz` file is read through gzip.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,

    /// The input's format. [default: from the extension: .csv, .tsv, .jsonl, .ndjson, .json]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// The CSV delimiter: a character, or tab, comma, semicolon, pipe.
    /// [default: found from the header line]
    #[arg(long, value_parser = parse_delimiter, value_name = "CHAR")]
    pub delimiter: Option<u8>,

    /// Skip this many lines before the header. [default: lines of notes before the header
    /// are found and skipped]
    #[arg(long, value_name = "N")]
    pub skip_lines: Option<usize>,

    /// The input's encoding, any WHATWG label: windows-1252, latin1, utf-16le, shift_jis…
    /// [default: UTF-8, or what a BOM says]
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,

    /// The most bytes one record may take, as 1MiB, 512KiB or 65536: a larger one (a quote
    /// that never closes, a giant JSON line) is `invalid`, and memory stays bounded.
    #[arg(long, value_name = "SIZE", default_value = "1MiB", value_parser = parse_size)]
    pub max_record_bytes: u64,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The mapping file (TOML) that turns a row into the webhook's body.
    #[arg(short, long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// Show the first N bodies beside the rows they come from.
    #[arg(long, value_name = "N")]
    pub preview: Option<usize>,

    /// How many rows to show for each kind of problem.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub examples: usize,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The mapping file (TOML) that turns a row into the webhook's body.
    #[arg(short, long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,

    /// The import's webhook URL: https://…/v5/imports/{importId}/trigger/{hash}. Its hash
    /// is a credential, which a command line leaves in shell history and process lists:
    /// prefer --url-file or the FQ_WEBHOOK_URL environment variable.
    /// [default: --url-file, else $FQ_WEBHOOK_URL]
    #[arg(long, value_name = "URL", conflicts_with = "url_file")]
    pub url: Option<String>,

    /// Read the webhook URL from FILE: its first line that is not blank or a # comment.
    /// Keep the file readable by you only. Without --url or --url-file, the URL is taken
    /// from FQ_WEBHOOK_URL.
    #[arg(long, value_name = "FILE")]
    pub url_file: Option<PathBuf>,

    /// Send to a plain http:// URL on another machine, unencrypted. Without it, only
    /// loopback hosts (localhost, 127.0.0.0/8, ::1) may be reached over http.
    #[arg(long)]
    pub allow_http: bool,

    /// Trust the certificate authority in FILE (PEM) as well as the system's, as a company
    /// proxy that inspects TLS needs.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Start a local stand-in of the webhook on a free loopback port and import into it.
    /// The stand-in is used even when FQ_WEBHOOK_URL is set.
    #[arg(long)]
    pub sandbox: bool,

    /// Map and check every row without sending; the bodies go to stdout as JSON lines.
    #[arg(long, conflicts_with = "sandbox")]
    pub dry_run: bool,

    /// Carry on from the report of an earlier run: rows already imported are skipped, every
    /// other row is sent. With no report yet, it starts from the first row.
    #[arg(long)]
    pub resume: bool,

    /// With --resume, carry on even when the input, the mapping or the shard changed.
    #[arg(long, requires = "resume")]
    pub force: bool,

    /// Send each contact once: a later row with the same key (see --key; email addresses
    /// ignoring case and spaces) is `duplicate` and not sent.
    #[arg(long)]
    pub dedupe: bool,

    /// Remember in FILE what the webhook accepted for each contact, and send only the rows
    /// that are new or changed since: a row whose body the webhook accepted before is
    /// `unchanged` and not sent. FILE is an SQLite database, created on the first run;
    /// several processes (shards) may share it. See `fq-import state`.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The field that tells contacts apart: in the report's key column, for --dedupe and
    /// for --state, such as contact.externalIdApollo. A row without it is `invalid`.
    #[arg(long, value_name = "FIELD", default_value = "contact.email")]
    pub key: String,

    /// Handle only the first N rows, as a trial; a later --resume carries on.
    /// [default: every row]
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    /// Handle only rows K, K+N, K+2N…, so that N processes split one file; each writes its
    /// own report.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,

    /// Write the rows that end invalid or failed to FILE, in the input's format with its
    /// header, to fix and import again.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,

    /// Where to write the report; JSON lines when the name ends in .jsonl.
    /// [default: <INPUT>.report.csv]
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// How many requests may be in flight at once, or `auto` to find the endpoint's pace:
    /// start low, grow while answers come back fast and clean, back off on 429, 503 and
    /// timeouts, and pace by rate once the endpoint has shown its limit.
    #[arg(short, long, default_value = "8", value_parser = parse_concurrency, value_name = "N|auto")]
    pub concurrency: Concurrency,

    /// With --concurrency auto, the most requests in flight.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_concurrency: usize,

    /// At most N requests a second, across all workers, retries included.
    /// [default: no limit]
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,

    /// With --rate, how many requests may go at once after a quiet spell. [default: 1]
    #[arg(long, value_name = "N", requires = "rate")]
    pub burst: Option<u32>,

    /// How long one request may take, e.g. 500ms, 30s, 5m.
    #[arg(long, default_value = "30s", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,

    /// How many times a row is retried after a retryable answer (see below).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_retries: usize,

    /// The most time one row may spend retrying; then it is `failed` with its last answer.
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub retry_for: Duration,

    /// The first retry's delay; each later one doubles it, with jitter.
    #[arg(long, default_value = "500ms", value_parser = parse_duration, value_name = "DURATION")]
    pub retry_delay: Duration,

    /// The longest wait a Retry-After may ask for; a longer one is capped here, with a warning.
    #[arg(long, default_value = "5m", value_parser = parse_duration, value_name = "DURATION")]
    pub max_retry_wait: Duration,

    /// Give up, exit 3, after this long of nothing but connection errors, timeouts and 5xx;
    /// meanwhile the endpoint is probed at a slow pace and no new rows are sent.
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub give_up_after: Duration,

    /// Abort, exit 3, once more rows than N (or N% of the rows, after the first 100) are
    /// invalid or failed.
    /// [default: no limit]
    #[arg(long, value_parser = parse_max_errors, value_name = "N|N%")]
    pub max_errors: Option<MaxErrors>,

    /// Print nothing but errors: no progress, no summary.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// How to show progress on stderr: `auto` is a bar on a terminal and status lines
    /// otherwise; `lines` prints a line of counts, rate and ETA every --progress-interval,
    /// readable in a cron mail or a CI log.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto, value_name = "MODE")]
    pub progress: ProgressMode,

    /// With status lines, how often to print one.
    #[arg(long, default_value = "10s", value_parser = parse_duration, value_name = "DURATION")]
    pub progress_interval: Duration,

    /// When the run ends, write a JSON summary to FILE (`-` for stdout): the counts of each
    /// outcome, retries, elapsed time, the exit code and its meaning, the first error of each
    /// kind. Written whatever the outcome, usage errors included.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
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

/// How many requests may be in flight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Concurrency {
    Fixed(usize),
    Auto,
}

/// When to give up on a run whose rows keep failing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxErrors {
    Rows(u64),
    Percent(f64),
}

fn parse_concurrency(s: &str) -> Result<Concurrency, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Concurrency::Auto);
    }
    s.parse::<usize>()
        .map(Concurrency::Fixed)
        .map_err(|_| format!("write a number of requests or `auto`, not `{s}`"))
}

fn parse_max_errors(s: &str) -> Result<MaxErrors, String> {
    let fail = || format!("write a number of rows, such as 100, or a share, such as 5%; not `{s}`");
    match s.strip_suffix('%') {
        Some(p) => {
            let p: f64 = p.trim().parse().map_err(|_| fail())?;
            (0.0..=100.0)
                .contains(&p)
                .then_some(MaxErrors::Percent(p))
                .ok_or_else(fail)
        }
        None => s.trim().parse().map(MaxErrors::Rows).map_err(|_| fail()),
    }
}

/// Parse a shard written `K/N`, with K from 1 to N.
pub fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let fail = || format!("write the shard as K/N with 1 <= K <= N, such as 2/4; not `{s}`");
    let (k, n) = s.split_once('/').ok_or_else(fail)?;
    let (k, n) = (
        k.trim().parse::<u64>().map_err(|_| fail())?,
        n.trim().parse::<u64>().map_err(|_| fail())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(fail());
    }
    Ok((k, n))
}

/// Parse a delimiter: one ASCII character, or its name.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        "comma" => Ok(b','),
        "semicolon" => Ok(b';'),
        "pipe" => Ok(b'|'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" => Ok(s.as_bytes()[0]),
        _ => Err("write one character, or tab, comma, semicolon, pipe".to_owned()),
    }
}

/// Parse a size in bytes written like `1MiB`, `512KiB`, `64k` or `65536`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let digits = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (number, unit) = s.split_at(digits);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{s}` is not a size: write it like 1MiB, 512KiB or 65536"
            ));
        }
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size: write it like 1MiB, 512KiB or 65536"))?;
    match n.checked_mul(scale) {
        Some(0) | None => Err(format!(
            "`{s}` is not a size above zero that fq-import can hold"
        )),
        Some(bytes) => Ok(bytes),
    }
}

/// Parse a duration written like `500ms`, `30s` or `5m`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (write it like 500ms, 30s or 5m)"))
}

/// Write the completion script for `shell` to stdout.
/// Write the manual page to stdout: the program, then a section for each subcommand with
/// its synopsis, options and examples.
pub fn man() -> Result<crate::exit::Exit, crate::exit::Fatal> {
    use crate::exit::OrExit;
    use clap::CommandFactory;

    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .or_abort()?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let title = format!("fq-import {}", sub.get_name());
        let man = clap_mangen::Man::new(sub.clone().name(title.clone()));
        page.extend_from_slice(format!(".SH \"{}\"\n", title.to_uppercase()).as_bytes());
        man.render_description_section(&mut page).or_abort()?;
        man.render_synopsis_section(&mut page).or_abort()?;
        man.render_options_section(&mut page).or_abort()?;
        man.render_subcommands_section(&mut page).or_abort()?;
        man.render_extra_section(&mut page).or_abort()?;
    }
    std::io::Write::write_all(&mut std::io::stdout(), &page).or_abort()?;
    Ok(crate::exit::Exit::Success)
}

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
