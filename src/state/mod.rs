//! `--state FILE`: what the webhook last accepted for each contact, kept between runs, so
//! that a nightly import of a whole export sends only the contacts that are new or changed.
//!
//! The store is one SQLite file. For each contact key it holds the SHA-256 of the body the
//! webhook accepted, when, and the row id it gave. The file is in WAL mode: readers never
//! wait for the writer, and several processes (the shards of one file) may share it, their
//! writers taking turns. A row is written only once the webhook accepted it, in a
//! transaction that commits before the report line that says so is flushed.
//!
//! [`command`] holds `fq-import state show`, `forget` and `export`.

pub mod command;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use sha2::{Digest as _, Sha256};

/// The key a state file tracks contacts by, unless `--key` names another field.
pub const DEFAULT_KEY: &str = "contact.email";

/// How long a process waits for another one that is writing the same state file.
const BUSY: Duration = Duration::from_secs(60);

/// How many pages (of 4 KiB) the write-ahead log may hold before they are copied into the
/// file.
const CHECKPOINT_PAGES: i64 = 16 * 1024;

/// The layout of the file, kept in SQLite's `user_version`.
const LAYOUT: i64 = 1;

/// The fingerprint of a body: its SHA-256.
pub type Fingerprint = [u8; 32];

/// A row as the state knows it: its contact key, folded, and its body's fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub key: String,
    pub fingerprint: Fingerprint,
}

impl Tracked {
    pub fn new(key: &str, folds_case: bool, body: &[u8]) -> Tracked {
        Tracked {
            key: fold(key, folds_case),
            fingerprint: Sha256::digest(body).into(),
        }
    }
}

/// A key as the state stores it: trimmed, and lower-cased when it is an email address.
pub fn fold(key: &str, folds_case: bool) -> String {
    let key = key.trim();
    match folds_case {
        true => key.to_lowercase(),
        false => key.to_owned(),
    }
}

/// Whether keys of this field are folded to lower case: email addresses are.
pub fn folds_case(key_field: &str) -> bool {
    key_field.ends_with(".email")
}

/// A state file, checked for this run: it tracks contacts by the same key, and what it
/// holds was sent to the same import.
#[derive(Debug, Clone)]
pub struct State {
    path: PathBuf,
    /// False in a dry run whose state file does not exist yet: every row is new.
    exists: bool,
    /// A dry run reads the file and changes nothing.
    writable: bool,
    /// This run's number in the file: each run that sends takes the next one.
    run: i64,
    /// The import this run sends to, written into a new file with its first row.
    import: String,
    key_field: String,
    /// Held while the run sends: see [`lock`].
    lock: Option<Arc<Vec<File>>>,
}

impl State {
    /// Open the state for a run that sends to `import` (`None` in a dry run, which reads the
    /// file if there is one and writes nothing). A new file is created for a run that sends.
    /// Different shards (`shard`, as `(K, N)`) may share the file with each other; a run of
    /// the whole file has it to itself.
    pub fn open(
        path: &Path,
        key_field: &str,
        import: Option<&str>,
        shard: Option<(u64, u64)>,
    ) -> anyhow::Result<State> {
        let label = path.display();
        let mut state = State {
            path: path.to_owned(),
            exists: path.exists(),
            writable: import.is_some(),
            run: 0,
            import: import.unwrap_or_default().to_owned(),
            key_field: key_field.to_owned(),
            lock: None,
        };
        if import.is_none() {
            match state.exists {
                true => check_meta(&open_read_only(path)?, path, key_field, None)?,
                false => tracing::info!("{label} does not exist yet: every row counts as new"),
            }
            return Ok(state);
        }
        let mut conn = open_writable(path)?;
        state.exists = true;
        state.lock = Some(Arc::new(lock(path, shard)?));
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|error| explain(error, path))?;
        create(&tx).map_err(|error| explain(error, path))?;
        check_meta(&tx, path, key_field, import)?;
        state.run = next_run(&tx).map_err(|error| explain(error, path))?;
        tx.commit().map_err(|error| explain(error, path))?;
        Ok(state)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A connection for one mapping thread to look rows up with.
    pub fn reader(&self) -> anyhow::Result<Reader> {
        let conn = match self.exists {
            true => Some(open_read_only(&self.path)?),
            false => None,
        };
        Ok(Reader {
            conn,
            path: self.path.clone(),
        })
    }

    /// The connection that records accepted rows; `None` in a dry run.
    pub fn recorder(&self) -> anyhow::Result<Option<Recorder>> {
        if !self.writable {
            return Ok(None);
        }
        Ok(Some(Recorder {
            conn: open_writable(&self.path)?,
            path: self.path.clone(),
            run: self.run,
            staged: Vec::new(),
            twice: 0,
            describe: Some([
                ("key", self.key_field.clone()),
                ("import", self.import.clone()),
                ("created", now()),
            ]),
            _lock: self.lock.clone(),
        }))
    }
}

/// Looks rows up in the state, for one mapping thread.
pub struct Reader {
    /// `None` when the file does not exist yet.
    conn: Option<Connection>,
    path: PathBuf,
}

impl Reader {
    /// For each row, the row id the webhook gave it when its body was last accepted
    /// unchanged; `None` for a row that is new or changed. One read transaction for all.
    pub fn unchanged(&mut self, rows: &[&Tracked]) -> anyhow::Result<Vec<Option<String>>> {
        let Some(conn) = &mut self.conn else {
            return Ok(vec![None; rows.len()]);
        };
        let looked = (|| {
            let tx = conn.transaction()?;
            let mut found = Vec::with_capacity(rows.len());
            {
                let mut select =
                    tx.prepare_cached("SELECT fingerprint, row_id FROM contacts WHERE key = ?1")?;
                for row in rows {
                    let known = select
                        .query_row([&row.key], |r| {
                            Ok((r.get_ref(0)?.as_blob()? == row.fingerprint, r.get(1)?))
                        })
                        .optional()?;
                    found.push(known.and_then(|(same, row_id)| same.then_some(row_id)));
                }
            }
            tx.finish()?;
            Ok::<_, rusqlite::Error>(found)
        })();
        looked.map_err(|error| explain(error, &self.path).context("cannot read the state file"))
    }
}

/// Records the rows the webhook accepted, for the report writer.
pub struct Recorder {
    conn: Connection,
    path: PathBuf,
    /// This run's number, written with each row it records.
    run: i64,
    /// Accepted rows not yet written: the row's number, and what to record.
    staged: Vec<(u64, Tracked, String)>,
    /// Contacts this run sent more than once with different bodies.
    twice: u64,
    /// What the file is for, written with the first rows into a file that does not say yet:
    /// a run that sent nothing (a wrong URL) leaves the file free for another import.
    describe: Option<[(&'static str, String); 3]>,
    /// Held until the run's last row is recorded.
    _lock: Option<Arc<Vec<File>>>,
}

/// How many contacts sent twice in one run are named one by one before the rest are only
/// counted.
const TWICE_NAMED: u64 = 5;

impl Recorder {
    /// Note that the webhook accepted row `row`, to be written by the next
    /// [`Recorder::commit`].
    pub fn stage(&mut self, row: u64, tracked: Tracked, row_id: &str) {
        self.staged.push((row, tracked, row_id.to_owned()));
    }

    /// Say how many contacts this run sent more than once with different bodies, when there
    /// were more than the warnings named.
    pub fn finish(&self) {
        if self.twice > TWICE_NAMED {
            tracing::warn!(
                "{} contacts were sent more than once with different bodies; the next run \
                 with --state sends them again: --dedupe sends only the first row of each",
                self.twice
            );
        }
    }

    /// Write the rows noted since the last commit, in one transaction.
    pub fn commit(&mut self) -> anyhow::Result<()> {
        if self.staged.is_empty() {
            return Ok(());
        }
        let now = now();
        let mut twice = Vec::new();
        let written = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let mut earlier = tx.prepare_cached(
                    "SELECT 1 FROM contacts WHERE key = ?1 AND run = ?2 AND fingerprint <> ?3",
                )?;
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO contacts (key, fingerprint, sent_at, row_id, run) \
                     VALUES (?1, ?2, ?3, ?4, ?5) \
                     ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, \
                     sent_at = excluded.sent_at, row_id = excluded.row_id, run = excluded.run",
                )?;
                if let Some(describe) = &self.describe {
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO meta (name, value) VALUES (?1, ?2) \
                         ON CONFLICT (name) DO NOTHING",
                    )?;
                    for (name, value) in describe {
                        insert.execute([name, value.as_str()])?;
                    }
                }
                for (row, tracked, row_id) in &self.staged {
                    let print = &tracked.fingerprint[..];
                    if earlier.exists(params![tracked.key, self.run, print])? {
                        twice.push((*row, tracked.key.as_str()));
                    }
                    upsert.execute(params![tracked.key, print, now, row_id, self.run])?;
                }
            }
            tx.commit()
        })();
        for (row, key) in twice {
            self.twice += 1;
            if self.twice <= TWICE_NAMED {
                tracing::warn!(
                    "row {row} sent {key} again with another body than an earlier row of this \
                     run: --state keeps the last one, so the next run sends the other again; \
                     --dedupe sends only the first"
                );
            }
        }
        self.staged.clear();
        if written.is_ok() {
            self.describe = None;
        }
        written.map_err(|error| {
            explain(error, &self.path)
                .context("cannot record the rows the webhook accepted in the state file")
        })
    }
}

/// The time now as the state writes it: RFC 3339 in UTC, to the second, so that text order
/// is time order.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY)?;
    // Each connection caches up to 16 MiB of pages. The file is not mapped into memory: that
    // would spare a system call per lookup, but make the process's memory grow with the
    // number of contacts.
    conn.pragma_update(None, "cache_size", -16 * 1024)?;
    Ok(())
}

fn open_writable(path: &Path) -> anyhow::Result<Connection> {
    create_private(path)?;
    open_for_writing(path, OpenFlags::SQLITE_OPEN_CREATE)
}

/// A new state file is created readable by its owner only, as the report is: it lists the
/// contacts. SQLite gives its side files (`-wal`, `-shm`) the same mode. An empty file is an
/// empty database.
fn create_private(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "cannot create the state file {}: its folder does not exist",
            path.display()
        ),
        Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => Err(anyhow::Error::new(e)
            .context(format!("cannot create the state file {}", path.display()))),
        _ => Ok(()),
    }
}

/// Take the next run number from the file's description.
fn next_run(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO meta (name, value) VALUES ('runs', '1') \
         ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1 \
         RETURNING CAST(value AS INTEGER)",
        [],
        |r| r.get(0),
    )
}

/// Open a state file that must exist already, to change it.
fn open_writable_existing(path: &Path) -> anyhow::Result<Connection> {
    open_for_writing(path, OpenFlags::empty())
}

fn open_for_writing(path: &Path, create: OpenFlags) -> anyhow::Result<Connection> {
    let opened = (|| {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | create,
        )?;
        tune(&conn)?;
        let mode = use_wal(&conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::debug!("{}: journal mode is {mode}, not WAL", path.display());
        }
        // A commit survives the process dying; only the machine losing power can undo the
        // last ones, and then those rows are sent again.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // The first run records every row, a few at a time as answers come back: copying
        // the log into the file every 64 MiB rather than every 4 MiB writes each page once
        // for many commits instead of once for a few.
        conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        Ok::<_, rusqlite::Error>(conn)
    })();
    opened.map_err(|error| explain(error, path))
}

/// Switch the file to write-ahead logging. When several processes open a new file at once,
/// each tries, and SQLite answers the ones that lose at once with "busy" rather than
/// waiting: they try again, for as long as a writer waits for another.
fn use_wal(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + BUSY;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)) {
            Err(error)
                if error.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            done => return done,
        }
    }
}

/// Open a state file to read it, never to change it. It is opened for writing when the
/// file allows, only so that SQLite can tidy away its side files when done; `query_only`
/// holds every write off.
fn open_read_only(path: &Path) -> anyhow::Result<Connection> {
    let open = |flags: OpenFlags| {
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.pragma_update(None, "query_only", true)?;
        tune(&conn)?;
        // Reading the header now tells a file that is no database at once.
        conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))?;
        Ok::<_, rusqlite::Error>(conn)
    };
    open(OpenFlags::SQLITE_OPEN_READ_WRITE)
        .or_else(|_| open(OpenFlags::SQLITE_OPEN_READ_ONLY))
        .map_err(|error| explain(error, path))
}

/// Say what a failure of the state file means, and what to do about it.
fn explain(error: rusqlite::Error, path: &Path) -> anyhow::Error {
    use rusqlite::ErrorCode as Code;
    let label = path.display();
    let said = match error.sqlite_error_code() {
        _ if path.is_dir() => format!("{label} is a folder: give --state a file"),
        Some(Code::NotADatabase) => format!(
            "{label} is not a state file: it is not an SQLite database; give --state a file \
             of its own (a new one is created)"
        ),
        Some(Code::CannotOpen) if !path.exists() => {
            format!("{label}: no such state file (a run with --state creates it)")
        }
        Some(Code::DatabaseCorrupt) => format!(
            "{label} is damaged: move it away and start a new state file (every contact is \
             then sent once more)"
        ),
        Some(Code::ReadOnly) => {
            format!("{label} cannot be written: it, or its folder, is read-only")
        }
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => format!(
            "{label} stayed locked by another program for {} s (`fuser {label}` names it)",
            BUSY.as_secs()
        ),
        Some(Code::DiskFull) => format!("the disk that holds {label} is full"),
        _ => return anyhow::Error::new(error).context(format!("the state file {label}")),
    };
    anyhow::anyhow!(said)
}

/// Keep other runs from sending with the same state file at once: two runs of the same rows
/// would both find them new, and both send them. A run of the whole file takes `FILE.lock`
/// alone; shards share it, and each also takes `FILE.shard-K-of-N.lock` alone, so that two
/// copies of one shard keep apart too. The system lets go of the locks when the process
/// ends, however it ends.
fn lock(path: &Path, shard: Option<(u64, u64)>) -> anyhow::Result<Vec<File>> {
    let busy = || {
        anyhow::anyhow!(
            "another fq-import is sending with the state file {}: wait for it to end (two \
             runs of the same rows at once would both send the new ones; only different \
             shards of one file, --shard K/N, may share a state file)",
            path.display()
        )
    };
    let whole = take_lock(path, ".lock", shard.is_some())?.ok_or_else(busy)?;
    let Some((k, n)) = shard else {
        return Ok(vec![whole]);
    };
    let own = take_lock(path, &format!(".shard-{k}-of-{n}.lock"), false)?.ok_or_else(busy)?;
    Ok(vec![whole, own])
}

/// Take the lock on the file beside `path` named with `suffix`, shared or alone; `None`
/// when another process holds it.
fn take_lock(path: &Path, suffix: &str, shared: bool) -> anyhow::Result<Option<File>> {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    let lock_path = PathBuf::from(name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(&lock_path)
        .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
    let taken = match shared {
        true => file.try_lock_shared(),
        false => file.try_lock(),
    };
    match taken {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(error)) => Err(anyhow::Error::new(error).context(
            format!("cannot lock the state file {}", lock_path.display()),
        )),
    }
}

fn create(conn: &Connection) -> rusqlite::Result<()> {
    let layout: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    // A file of this layout or a newer one, or a database of another kind, is left as it
    // is: `read_meta` says what it is.
    if layout != 0 || tables > 0 {
        return Ok(());
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (
             name TEXT PRIMARY KEY NOT NULL,
             value TEXT NOT NULL
         ) WITHOUT ROWID;
         CREATE TABLE IF NOT EXISTS contacts (
             key TEXT PRIMARY KEY NOT NULL,
             fingerprint BLOB NOT NULL,
             sent_at TEXT NOT NULL,
             row_id TEXT NOT NULL,
             run INTEGER NOT NULL
         ) WITHOUT ROWID;",
    )?;
    conn.pragma_update(None, "user_version", LAYOUT)
}

/// What a state file says of itself.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub key_field: String,
    /// The import its rows were sent to; empty before the first run that sent.
    pub import: String,
    pub created: String,
}

/// Read the file's description, and check that it is a state file of a layout this build
/// knows.
pub fn read_meta(conn: &Connection, path: &Path) -> anyhow::Result<Meta> {
    let label = path.display();
    let layout: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|error| explain(error, path))?;
    if layout > LAYOUT {
        bail!("{label} was written by a newer fq-import (layout {layout}): upgrade fq-import");
    }
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name IN ('meta', 'contacts')",
            [],
            |r| r.get(0),
        )
        .map_err(|error| explain(error, path))?;
    if layout != LAYOUT || tables != 2 {
        bail!(
            "{label} is not a state file of fq-import: it is an SQLite database of another \
             kind, or its tables were removed; give --state a file of its own (a new one is \
             created)"
        );
    }
    let mut meta = Meta::default();
    let mut rows = conn.prepare("SELECT name, value FROM meta")?;
    let mut rows = rows.query([])?;
    while let Some(row) = rows.next()? {
        let (name, value): (String, String) = (row.get(0)?, row.get(1)?);
        match name.as_str() {
            "key" => meta.key_field = value,
            "import" => meta.import = value,
            "created" => meta.created = value,
            _ => {}
        }
    }
    if meta.key_field.is_empty() {
        meta.key_field = DEFAULT_KEY.to_owned();
    }
    Ok(meta)
}

/// Check that the file tracks contacts by `key_field` and that what it holds went to
/// `import`. A file that says neither yet takes both with the first rows recorded.
fn check_meta(
    conn: &Connection,
    path: &Path,
    key_field: &str,
    import: Option<&str>,
) -> anyhow::Result<()> {
    let label = path.display();
    read_meta(conn, path)?;
    let stored = |name: &str| {
        conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
            r.get::<_, String>(0)
        })
        .optional()
        .map_err(|error| explain(error, path))
    };
    if let Some(stored) = stored("key")?
        && stored != key_field
    {
        bail!(
            "{label} tracks contacts by {stored}, and this run by {key_field}: pass --key \
             {stored} or give this run a state file of its own"
        );
    }
    if let (Some(stored), Some(import)) = (stored("import")?, import)
        && stored != import
    {
        bail!(
            "{label} holds what was sent to import {stored}, and this run sends to import \
             {import}: give each import a state file of its own"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
