//! The exit codes, their meaning in words, and the one error type that carries a code.
//!
//! Scripts and cron lines branch on these numbers, so they are part of the interface: a code
//! never changes its meaning.

use std::fmt;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every row was imported, or needed no sending (a duplicate, unchanged); in a dry run,
    /// every row is ready.
    Success,
    /// The run finished, but some rows are invalid or failed; the report says which.
    RowsFailed,
    /// A usage or configuration mistake, found before anything was sent.
    Usage,
    /// The run was aborted: the webhook answered 404, or a fatal I/O error.
    Aborted,
    /// Interrupted by Ctrl-C or SIGTERM.
    Interrupted,
}

impl Exit {
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::RowsFailed => 1,
            Exit::Usage => 2,
            Exit::Aborted => 3,
            Exit::Interrupted => 130,
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "every row was imported, or needed no sending",
            Exit::RowsFailed => "the run finished, but some rows are invalid or failed",
            Exit::Usage => "usage or configuration error; nothing was sent",
            Exit::Aborted => "the run was aborted",
            Exit::Interrupted => "interrupted",
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// An error that ends the run, with the exit code it ends it with.
#[derive(Debug)]
pub struct Fatal {
    pub exit: Exit,
    pub error: anyhow::Error,
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

/// Attach an exit code to the error of a `Result`.
pub trait OrExit<T> {
    /// The error is the user's mistake, found before anything was sent: exit 2.
    fn or_usage(self) -> Result<T, Fatal>;
    /// The error stops a run that has started: exit 3.
    fn or_abort(self) -> Result<T, Fatal>;
}

impl<T, E: Into<anyhow::Error>> OrExit<T> for Result<T, E> {
    fn or_usage(self) -> Result<T, Fatal> {
        self.map_err(|e| Fatal {
            exit: Exit::Usage,
            error: e.into(),
        })
    }

    fn or_abort(self) -> Result<T, Fatal> {
        self.map_err(|e| Fatal {
            exit: Exit::Aborted,
            error: e.into(),
        })
    }
}
