//! The `fq-import` binary: parse the command line, run one subcommand, and turn its end
//! into one message and an exit code.

use std::process::ExitCode;

use clap::Parser;

use fq_import::cli::{self, Cli, Command, MappingCommand};
use fq_import::exit::{Exit, Fatal};
use fq_import::log::{self, Verbosity};
use fq_import::{import, inspect, mock, state};

/// Rows are allocated on the reader's thread and freed on others: mimalloc handles that
/// without the lock contention of the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(report_panic));
    let cli = Cli::try_parse().unwrap_or_else(|error| {
        // A summary was asked for: it says this run ended at its command line, too.
        if !error.use_stderr() {
            error.exit()
        }
        summarize_usage_error(&error);
        // The command line may hold a webhook URL given in the wrong place: clap's message
        // repeats it, so its hash is cut out before it is shown.
        let message = fq_import::secret::scrub_url_hashes(&error.render().to_string());
        // Like every other message, it starts with the program's name.
        eprint!("fq-import: {message}");
        std::process::exit(error.exit_code())
    });
    let quiet = matches!(&cli.command, Command::Import(args) if args.quiet);
    log::init(Verbosity::from_flags(quiet, cli.verbose), cli.color);

    match run(cli) {
        Ok(exit) => exit.into(),
        Err(fatal) => {
            tracing::error!("{fatal}");
            fatal.exit.into()
        }
    }
}

/// Write the summary asked for on a command line that clap refused.
fn summarize_usage_error(error: &clap::Error) {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let asked = args.iter().enumerate().find_map(|(i, arg)| {
        let arg = arg.to_str()?;
        match arg.strip_prefix("--summary-json") {
            Some("") => args.get(i + 1).cloned(),
            Some(value) => value.strip_prefix('=').map(Into::into),
            None => None,
        }
    });
    if let Some(to) = asked {
        let message = error
            .kind()
            .as_str()
            .unwrap_or("the command line is not valid");
        let ended = Err(Fatal {
            exit: Exit::Usage,
            error: anyhow::anyhow!("{message}"),
        });
        let facts = fq_import::summary::Facts::new(String::new());
        let _ = fq_import::summary::write(std::path::Path::new(&to), &facts, &ended);
    }
}

/// A panic is a bug: say where, without any webhook hash its message might hold.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let place = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    tracing::error!(
        "internal error{place}: {} (please report it)",
        fq_import::secret::scrub(&message)
    );
}

fn run(cli: Cli) -> Result<Exit, Fatal> {
    match cli.command {
        Command::Import(args) => import::run(*args),
        Command::Check(args) => inspect::check(args),
        Command::Mapping(MappingCommand::Init(args)) => inspect::init(args),
        Command::State(command) => state::command::run(command),
        Command::Mock(args) => mock::run(args),
        Command::Completions { shell } => cli::completions(shell),
        Command::Man => cli::man(),
    }
}
