//! Databases on disk: a directory holding a snapshot of the graph and a write-ahead log of
//! the transactions committed since, so that every committed change survives a crash.
//!
//! ```text
//! PATH/KG_DATABASE   marker: "kg database" and the format version
//! PATH/snapshot      the graph as of transaction N (`snapshot`), replaced atomically
//! PATH/wal           one record per committed transaction after N (`wal`, `redo`)
//! PATH/lock          held by the one writer (exclusive) or by readers (shared); the pid
//! ```
//!
//! The graph stays in memory: a commit appends one record and syncs the log before the
//! statement's result is reported (`Durability::commit`, called by `Session`). When the
//! log outgrows `Options::checkpoint_bytes`, and on `checkpoint`, the snapshot is rewritten
//! (temporary file, fsync, rename, fsync of the directory) and the log emptied. Opening
//! reads the snapshot and replays the log; a torn record at its end is cut off with a
//! warning, any other damage is an error that leaves the files as they were.
//! Not here: concurrent writers (one process writes; `--read-only` openers share).

mod codec;
mod redo;
mod snapshot;
mod wal;

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{QueryError, Result as QueryResult};
use crate::exec::UndoLog;
use crate::graph::Graph;
use crate::session::Durability;

/// The database format this build writes; directories of a newer one are refused.
pub const FORMAT_VERSION: u32 = 1;

const MARKER: &str = "KG_DATABASE";
const SNAPSHOT: &str = "snapshot";
const WAL: &str = "wal";
const LOCK: &str = "lock";
const MARKER_TEXT: &str = "kg database\nformat ";

/// The log size past which a commit also writes a checkpoint.
pub const DEFAULT_CHECKPOINT_BYTES: u64 = 64 << 20;

/// How to open a database.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read without writing: a shared lock, and commits are refused.
    pub read_only: bool,
    /// Log size that triggers a checkpoint.
    pub checkpoint_bytes: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            read_only: false,
            checkpoint_bytes: DEFAULT_CHECKPOINT_BYTES,
        }
    }
}

/// Why a database could not be opened or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "{path} is not a kg database (it is not empty and has no {MARKER} file); give a new or empty directory"
    )]
    NotADatabase { path: PathBuf },
    #[error(
        "{path} holds a database of format {found}, newer than this kg reads ({FORMAT_VERSION}); open it with a newer kg"
    )]
    NewerFormat { path: PathBuf, found: u32 },
    #[error(
        "{path} is in use by another kg process{}; close it first{}",
        holder.map_or_else(|| " (a reader, or one whose pid is unknown)".to_string(), |pid| format!(" (pid {pid})")),
        if *read_only { "" } else { " (or open with --read-only alongside other readers)" }
    )]
    Locked {
        path: PathBuf,
        holder: Option<u32>,
        read_only: bool,
    },
    #[error("{path}: no database there to open read-only")]
    Missing { path: PathBuf },
    #[error(
        "{path} is damaged at byte {offset}: {reason}; nothing was changed (restore the directory from a backup)"
    )]
    Corrupt {
        path: PathBuf,
        offset: usize,
        reason: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> DbError + '_ {
    move |source| DbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A database opened: the graph it holds, and what opening it found.
#[derive(Debug)]
pub struct Opened {
    pub database: Database,
    pub graph: Graph,
    /// The directory was created (or was empty) just now.
    pub created: bool,
    /// Transactions replayed from the log.
    pub replayed: usize,
    /// Things worth telling, e.g. a torn record cut off the log.
    pub warnings: Vec<String>,
}

/// An open database directory: the lock held, the log ready for appends.
#[derive(Debug)]
pub struct Database {
    dir: PathBuf,
    options: Options,
    /// Held for as long as the database is open (the OS releases it if the process dies).
    lock: File,
    /// `None` when read-only.
    wal: Option<File>,
    wal_len: u64,
    /// The last transaction number written.
    lsn: u64,
    /// Set when a failed append could not be cut back off the log: later appends would
    /// follow the damage, so writes are refused until the database is reopened.
    broken: bool,
}

impl Database {
    /// Opens the database in directory `path`, creating an empty one if `path` does not
    /// exist (or is an empty directory), and recovers it: snapshot, then log replay.
    pub fn open(path: &Path, options: Options) -> Result<Opened, DbError> {
        let dir = path.to_path_buf();
        let mut created = false;
        match fs::metadata(&dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if options.read_only {
                    return Err(DbError::Missing { path: dir });
                }
                fs::create_dir_all(&dir).map_err(io_error(&dir))?;
                created = true;
            }
            Err(e) => return Err(io_error(&dir)(e)),
            Ok(meta) if !meta.is_dir() => return Err(DbError::NotADatabase { path: dir }),
            Ok(_) => {}
        }
        if !dir.join(MARKER).exists() {
            // Empty, or what a creation cut short left: nothing but our own files.
            let foreign = fs::read_dir(&dir)
                .map_err(io_error(&dir))?
                .filter_map(|entry| entry.ok())
                .any(|entry| {
                    let name = entry.file_name();
                    let name = name.to_string_lossy();
                    ![LOCK, SNAPSHOT, WAL].contains(&&*name) && !name.ends_with(".tmp")
                });
            if foreign {
                return Err(DbError::NotADatabase { path: dir });
            }
            if options.read_only {
                return Err(DbError::Missing { path: dir });
            }
        }
        let lock = lock(&dir, options.read_only)?;
        // Checked again under the lock: another process may have created it meanwhile.
        if !dir.join(MARKER).exists() {
            initialize(&dir)?;
            created = true;
        }
        check_marker(&dir)?;
        let snapshot_path = dir.join(SNAPSHOT);
        let loaded = read_snapshot(&dir, &snapshot_path)?;
        let mut graph = loaded.graph;
        let wal_path = dir.join(WAL);
        let log = match fs::read(&wal_path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            other => other.map_err(io_error(&wal_path))?,
        };
        let scan = wal::scan(&log);
        let corrupt = |offset: usize, reason: String| DbError::Corrupt {
            path: wal_path.clone(),
            offset,
            reason,
        };
        if let Some((offset, reason)) = scan.damage {
            return Err(corrupt(offset, reason));
        }
        let mut lsn = loaded.lsn;
        let mut replayed = 0;
        for &(offset, payload) in &scan.records {
            let at = |m: codec::Malformed| corrupt(offset + wal::HEADER + m.offset, m.reason);
            let record = redo::lsn_of(payload).map_err(at)?;
            // Records the snapshot already holds: a checkpoint ended before emptying the log.
            if record <= loaded.lsn {
                continue;
            }
            if record != lsn + 1 {
                return Err(corrupt(
                    offset,
                    format!("transaction {record} follows {lsn}: the log has a gap"),
                ));
            }
            redo::apply(&mut graph, payload).map_err(at)?;
            lsn = record;
            replayed += 1;
        }
        let mut warnings = Vec::new();
        let torn = log.len() - scan.valid_len;
        if torn > 0 {
            warnings.push(format!(
                "{}: dropped {torn} bytes of an incomplete record at the end of the log (a write cut short by a crash; it was never acknowledged)",
                wal_path.display()
            ));
        }
        let wal = if options.read_only {
            None
        } else {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&wal_path)
                .map_err(io_error(&wal_path))?;
            if torn > 0 {
                file.set_len(scan.valid_len as u64)
                    .and_then(|()| file.sync_all())
                    .map_err(io_error(&wal_path))?;
            }
            Some(file)
        };
        let database = Database {
            dir,
            options,
            lock,
            wal,
            wal_len: scan.valid_len as u64,
            lsn,
            broken: false,
        };
        Ok(Opened {
            database,
            graph,
            created,
            replayed,
            warnings,
        })
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Opened with `Options::read_only`.
    pub fn is_read_only(&self) -> bool {
        self.options.read_only
    }

    /// The log's size in bytes.
    pub fn log_len(&self) -> u64 {
        self.wal_len
    }

    /// Makes a transaction durable: appends its record and syncs the log. On failure the
    /// log is cut back to where it was, so nothing of the transaction is kept.
    pub fn append(&mut self, graph: &Graph, undo: &UndoLog) -> Result<(), DbError> {
        let wal_path = self.dir.join(WAL);
        if self.options.read_only || self.broken {
            return Err(io_error(&wal_path)(io::Error::new(
                io::ErrorKind::PermissionDenied,
                if self.broken {
                    "an earlier write failed and could not be undone; reopen the database"
                } else {
                    "the database is open read-only"
                },
            )));
        }
        let Some(payload) = redo::encode(graph, undo, self.lsn + 1) else {
            return Ok(());
        };
        if u32::try_from(payload.len()).is_err() {
            return Err(io_error(&wal_path)(io::Error::new(
                io::ErrorKind::InvalidInput,
                "one transaction's changes exceed 4 GiB; split it into smaller ones",
            )));
        }
        let framed = wal::frame(&payload);
        let Some(file) = self.wal.as_mut() else {
            return Ok(());
        };
        let written = file.write_all(&framed).and_then(|()| file.sync_data());
        if let Err(err) = written {
            if file
                .set_len(self.wal_len)
                .and_then(|()| file.sync_all())
                .is_err()
            {
                self.broken = true;
            }
            return Err(io_error(&wal_path)(err));
        }
        self.wal_len += framed.len() as u64;
        self.lsn += 1;
        Ok(())
    }

    /// Rewrites the snapshot from `graph` (which must hold exactly the committed
    /// transactions) and empties the log.
    pub fn write_checkpoint(&mut self, graph: &Graph) -> Result<(), DbError> {
        let snapshot_path = self.dir.join(SNAPSHOT);
        if self.options.read_only {
            return Err(io_error(&snapshot_path)(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the database is open read-only",
            )));
        }
        let lsn = self.lsn;
        write_atomically(&self.dir, SNAPSHOT, |out| snapshot::write(graph, lsn, out))?;
        // The new snapshot holds every record, so the log can go; a crash before this
        // leaves records the snapshot already has, which replay skips by number.
        let wal_path = self.dir.join(WAL);
        if let Some(file) = &self.wal {
            file.set_len(0)
                .and_then(|()| file.sync_all())
                .map_err(io_error(&wal_path))?;
        }
        self.wal_len = 0;
        Ok(())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if !self.options.read_only {
            // The pid would name this process after it has gone (best effort).
            let _ = self.lock.set_len(0);
        }
    }
}

impl Durability for Database {
    fn commit(&mut self, graph: &Graph, undo: &UndoLog) -> QueryResult<()> {
        if self.options.read_only {
            return Err(QueryError::transaction(format!(
                "{} is open read-only, so nothing can change (open it without --read-only to write)",
                self.dir.display()
            )));
        }
        self.append(graph, undo).map_err(|e| {
            QueryError::transaction(format!(
                "the transaction could not be made durable and was rolled back: {e}"
            ))
        })?;
        if self.wal_len > self.options.checkpoint_bytes {
            // The commit is durable already; a failed checkpoint only leaves a longer log.
            // Retry it after the log has grown by as much again.
            if self.write_checkpoint(graph).is_err() {
                self.options.checkpoint_bytes = self.options.checkpoint_bytes.saturating_mul(2);
            }
        }
        Ok(())
    }

    fn checkpoint(&mut self, graph: &Graph) -> QueryResult<()> {
        self.write_checkpoint(graph)
            .map_err(|e| QueryError::transaction(format!("checkpoint failed: {e}")))
    }

    fn pending(&self) -> bool {
        self.wal_len > 0
    }
}

fn read_snapshot(dir: &Path, path: &Path) -> Result<snapshot::Loaded, DbError> {
    let file = File::open(path).map_err(io_error(path))?;
    let size = file.metadata().map_err(io_error(path))?.len() as usize;
    let mut input = io::BufReader::with_capacity(1 << 20, file);
    snapshot::read(&mut input, size).map_err(|e| match e {
        snapshot::ReadError::Newer(found) => DbError::NewerFormat {
            path: dir.to_path_buf(),
            found,
        },
        snapshot::ReadError::Malformed(m) => DbError::Corrupt {
            path: path.to_path_buf(),
            offset: m.offset,
            reason: m.reason,
        },
        snapshot::ReadError::Io(e) => io_error(path)(e),
    })
}

/// Whether `path` is a kg database directory.
pub fn is_database(path: &Path) -> bool {
    path.join(MARKER).is_file()
}

/// Takes the lock file: exclusively for a writer (writing its pid for others' errors),
/// shared for a reader.
fn lock(dir: &Path, read_only: bool) -> Result<File, DbError> {
    let path = dir.join(LOCK);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io_error(&path))?;
    let taken = if read_only {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match taken {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            return Err(DbError::Locked {
                path: dir.to_path_buf(),
                // A pid left by a writer that has gone is not the holder (readers write none).
                holder: text.trim().parse().ok().filter(|&pid| is_alive(pid)),
                read_only,
            });
        }
        Err(TryLockError::Error(e)) => return Err(io_error(&path)(e)),
    }
    if !read_only {
        // Only for naming the holder in another process's error; not synced.
        file.set_len(0)
            .and_then(|()| file.write_all(std::process::id().to_string().as_bytes()))
            .map_err(io_error(&path))?;
    }
    Ok(file)
}

fn is_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// Writes the files of an empty database; the marker last, so a directory with a marker
/// is complete.
fn initialize(dir: &Path) -> Result<(), DbError> {
    write_atomically(dir, SNAPSHOT, |out| snapshot::write(&Graph::new(), 0, out))?;
    let wal_path = dir.join(WAL);
    File::create(&wal_path)
        .and_then(|f| f.sync_all())
        .map_err(io_error(&wal_path))?;
    write_atomically(dir, MARKER, |out| {
        writeln!(out, "{MARKER_TEXT}{FORMAT_VERSION}")
    })
}

fn check_marker(dir: &Path) -> Result<(), DbError> {
    let path = dir.join(MARKER);
    let text = fs::read_to_string(&path).map_err(io_error(&path))?;
    let version = text
        .strip_prefix(MARKER_TEXT)
        .and_then(|rest| rest.trim().parse::<u32>().ok());
    match version {
        Some(found) if found > FORMAT_VERSION => Err(DbError::NewerFormat {
            path: dir.to_path_buf(),
            found,
        }),
        Some(_) => Ok(()),
        None => Err(DbError::NotADatabase {
            path: dir.to_path_buf(),
        }),
    }
}

/// Writes `dir/name` through a temporary file: written, fsynced, renamed over, and the
/// directory fsynced, so a crash leaves the old file or the new one, whole.
fn write_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut io::BufWriter<File>) -> io::Result<()>,
) -> Result<(), DbError> {
    let path = dir.join(name);
    let temp = dir.join(format!("{name}.tmp"));
    let result = (|| {
        let mut out = io::BufWriter::with_capacity(1 << 20, File::create(&temp)?);
        write(&mut out)?;
        let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.sync_all()?;
        fs::rename(&temp, &path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result.map_err(io_error(&path))
}

#[cfg(test)]
mod tests;
