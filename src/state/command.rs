//! `fq-import state show | forget | export`: look into a state file and change it by hand.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::{Meta, fold, folds_case, read_meta};
use crate::cli::StateCommand;
use crate::exit::{Exit, Fatal, OrExit};

pub fn run(command: StateCommand) -> Result<Exit, Fatal> {
    match command {
        StateCommand::Show { file } => show(&file),
        StateCommand::Forget { file, keys } => forget(&file, &keys),
        StateCommand::Export { file } => export(&file),
    }
}

/// Open an existing state file; never create one.
fn open(path: &Path, write: bool) -> Result<(Connection, Meta), Fatal> {
    let conn = match write {
        true => super::open_writable_existing(path),
        false => super::open_read_only(path),
    }
    .or_usage()?;
    let meta = read_meta(&conn, path).or_usage()?;
    Ok((conn, meta))
}

/// One entry, as `show` and `export` print it.
struct Entry {
    key: String,
    fingerprint: Vec<u8>,
    sent_at: String,
    row_id: String,
}

impl Entry {
    fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
        Ok(Entry {
            key: row.get(0)?,
            fingerprint: row.get(1)?,
            sent_at: row.get(2)?,
            row_id: row.get(3)?,
        })
    }
}

const COLUMNS: &str = "key, fingerprint, sent_at, row_id";

fn show(path: &Path) -> Result<Exit, Fatal> {
    let (conn, meta) = open(path, false)?;
    let label = path.display();
    let read = || -> rusqlite::Result<(i64, Option<Entry>, Option<Entry>)> {
        let count = conn.query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))?;
        let at = |order: &str| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM contacts ORDER BY sent_at {order}, key LIMIT 1"),
                [],
                Entry::from_row,
            )
            .optional()
        };
        Ok((count, at("ASC")?, at("DESC")?))
    };
    let (count, oldest, newest) = read()
        .with_context(|| format!("cannot read the state file {label}"))
        .or_abort()?;
    let size = ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(name).ok()
        })
        .map(|m| m.len())
        .sum::<u64>();
    let import = match meta.import.as_str() {
        "" => "none yet".to_owned(),
        import => import.to_owned(),
    };
    let mut out = String::new();
    out.push_str(&format!("{label}\n"));
    out.push_str(&format!("  contacts:  {count}\n"));
    out.push_str(&format!("  key:       {}\n", meta.key_field));
    out.push_str(&format!("  import:    {import}\n"));
    let created = match meta.created.as_str() {
        "" => "nothing recorded yet",
        created => created,
    };
    out.push_str(&format!("  created:   {created}\n"));
    out.push_str(&format!("  size:      {}\n", human_bytes(size)));
    for (name, entry) in [("oldest", oldest), ("newest", newest)] {
        if let Some(e) = entry {
            let row_id = match e.row_id.as_str() {
                "" => String::new(),
                id => format!(", row id {id}"),
            };
            out.push_str(&format!(
                "  {name}:    {} sent {}{row_id}\n",
                e.key, e.sent_at
            ));
        }
    }
    print(&out)
}

fn forget(path: &Path, keys: &[String]) -> Result<Exit, Fatal> {
    let keys = match keys {
        [dash] if dash == "-" => std::io::stdin()
            .lock()
            .lines()
            .collect::<std::io::Result<Vec<_>>>()
            .context("cannot read the keys to forget from stdin")
            .or_usage()?
            .into_iter()
            .filter(|k| !k.trim().is_empty())
            .collect(),
        keys => keys.to_vec(),
    };
    let (mut conn, meta) = open(path, true)?;
    let folds = folds_case(&meta.key_field);
    let keys: Vec<String> = keys.iter().map(|k| fold(live(k), folds)).collect();
    let label = path.display();
    let mut missing = Vec::new();
    let removed = (|| {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut removed = 0;
        {
            let mut delete = tx.prepare("DELETE FROM contacts WHERE key = ?1")?;
            for key in &keys {
                match delete.execute(params_from_iter([key]))? {
                    0 => missing.push(key.as_str()),
                    n => removed += n,
                }
            }
        }
        tx.commit()?;
        Ok::<_, rusqlite::Error>(removed)
    })()
    .with_context(|| format!("cannot change the state file {label}"))
    .or_abort()?;
    for key in &missing {
        tracing::warn!("{key} is not in {label}: nothing to forget");
    }
    match removed {
        0 => tracing::info!("{label}: nothing forgotten"),
        1 => tracing::info!("{label}: forgot 1 contact; the next run with --state sends it again"),
        n => tracing::info!(
            "{label}: forgot {n} contacts; the next run with --state sends them again"
        ),
    }
    Ok(Exit::Success)
}

/// A key as the report and `export` may show it, with the `'` that keeps a spreadsheet
/// from running it taken off again.
fn live(key: &str) -> &str {
    match key.strip_prefix('\'') {
        Some(rest) if crate::report::inert(rest).len() != rest.len() => rest,
        _ => key,
    }
}

fn export(path: &Path) -> Result<Exit, Fatal> {
    let (conn, _) = open(path, false)?;
    let label = path.display();
    let stdout = std::io::stdout().lock();
    let mut out = csv::Writer::from_writer(std::io::BufWriter::new(stdout));
    let written = (|| -> anyhow::Result<()> {
        out.write_record(["key", "fingerprint", "last_sent", "row_id"])?;
        let mut select = conn.prepare(&format!("SELECT {COLUMNS} FROM contacts ORDER BY key"))?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let entry = Entry::from_row(row)?;
            out.write_record([
                &*crate::report::inert(&entry.key),
                &crate::report::hex(&entry.fingerprint),
                &entry.sent_at,
                &*crate::report::inert(&entry.row_id),
            ])?;
        }
        out.flush()?;
        Ok(())
    })();
    match written {
        Err(error) if is_broken_pipe(&error) => Ok(Exit::Success),
        written => written
            .with_context(|| format!("cannot export the state file {label}"))
            .or_abort()
            .map(|()| Exit::Success),
    }
}

fn print(text: &str) -> Result<Exit, Fatal> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        written => written
            .context("cannot write to stdout")
            .or_abort()
            .map(|()| Exit::Success),
    }
}

/// A reader that has seen enough, as `| head`, is no error.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let io = cause
            .downcast_ref::<std::io::Error>()
            .map(|e| e.kind())
            .or_else(|| match cause.downcast_ref::<csv::Error>()?.kind() {
                csv::ErrorKind::Io(e) => Some(e.kind()),
                _ => None,
            });
        io == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn human_bytes(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KiB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MiB", bytes as f64 / MIB),
    }
}
