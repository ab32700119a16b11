//! One graph served to many connections at once: each connection has its own `Session`
//! (parameters, explicit transaction, cancel flag) over the shared graph. Read-only
//! statements run in parallel under a read lock; writes take the write lock one at a time,
//! and an explicit transaction keeps it from its first write until it commits or rolls back,
//! so nobody reads its uncommitted changes. Protocols (Bolt in `crate::bolt`) sit on top.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{RawRwLock, RwLock, lock_api::ArcRwLockWriteGuard};

use crate::ast::Statement;
use crate::error::{QueryError, Result};
use crate::graph::Graph;
use crate::parser;
use crate::result::ResultSet;
use crate::session::{Session, TransactionSummary};

/// The graph a server shares between its connections.
#[derive(Debug)]
pub struct Database {
    graph: Arc<RwLock<Graph>>,
    /// Counts committed changes; bookmarks name them.
    commits: AtomicU64,
}

impl Database {
    /// Serves `graph`.
    pub fn new(graph: Graph) -> Arc<Database> {
        Arc::new(Database {
            graph: Arc::new(RwLock::new(graph)),
            commits: AtomicU64::new(0),
        })
    }

    /// A new connection's view of the database.
    pub fn connect(self: &Arc<Self>) -> Connection {
        Connection {
            db: self.clone(),
            session: Session::new(),
            writer: None,
        }
    }

    /// Calls `f` with the graph under a read lock (e.g. to count it).
    pub fn read<R>(&self, f: impl FnOnce(&Graph) -> R) -> R {
        f(&self.graph.read())
    }

    /// The bookmark of the latest commit, e.g. `kg:12`.
    pub fn bookmark(&self) -> String {
        format!("kg:{}", self.commits.load(Ordering::SeqCst))
    }

    fn committed(&self) {
        self.commits.fetch_add(1, Ordering::SeqCst);
    }
}

type WriteGuard = ArcRwLockWriteGuard<RawRwLock, Graph>;

/// One client's session over a shared `Database`.
pub struct Connection {
    db: Arc<Database>,
    /// Its own graph stays empty: the shared graph is lent to it, under the write lock,
    /// for statements that write.
    session: Session,
    /// The write lock, held by an explicit transaction that has written.
    writer: Option<WriteGuard>,
}

/// Moves the shared graph into the session for `f` and back afterwards, even if `f` panics.
fn lend<R>(session: &mut Session, graph: &mut Graph, f: impl FnOnce(&mut Session) -> R) -> R {
    struct Return<'a> {
        session: &'a mut Session,
        graph: &'a mut Graph,
    }
    impl Drop for Return<'_> {
        fn drop(&mut self) {
            *self.graph = std::mem::take(self.session.graph_mut());
        }
    }
    session.set_graph(std::mem::take(graph));
    let back = Return { session, graph };
    f(back.session)
}

impl Connection {
    /// The connection's session: its parameters and procedures (its graph is not the served one).
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Mutable access, e.g. to set parameters.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The database this connection talks to.
    pub fn database(&self) -> &Arc<Database> {
        &self.db
    }

    /// Setting the flag stops the running statement (see `Session::cancel_handle`).
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        self.session.cancel_handle()
    }

    /// Runs the one statement of `text` (a trailing `;` is fine).
    pub fn run(&mut self, text: &str) -> Result<ResultSet> {
        let mut statements = parser::parse(text)?;
        if statements.len() != 1 {
            return Err(QueryError::syntax(
                format!(
                    "expected one statement, found {} (send them one at a time)",
                    statements.len()
                ),
                Default::default(),
            ));
        }
        let statement = statements.remove(0);
        self.run_statement(&statement)
    }

    /// Runs one parsed statement: under the read lock if it only reads, else under the
    /// write lock.
    pub fn run_statement(&mut self, statement: &Statement) -> Result<ResultSet> {
        if let Some(guard) = &mut self.writer {
            return lend(&mut self.session, guard, |s| s.run_statement(statement));
        }
        if let Some(result) = self
            .session
            .run_read_statement(statement, &self.db.graph.read())?
        {
            return Ok(result);
        }
        if self.session.in_transaction() {
            let guard = self.writer.insert(self.db.graph.write_arc());
            lend(&mut self.session, guard, |s| s.run_statement(statement))
        } else {
            let mut guard = self.db.graph.write();
            let result = lend(&mut self.session, &mut guard, |s| {
                s.run_statement(statement)
            });
            if result.as_ref().is_ok_and(|r| !r.stats.is_empty()) {
                self.db.committed();
            }
            result
        }
    }

    /// Opens an explicit transaction.
    pub fn begin(&mut self) -> Result<()> {
        self.session.begin()
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.session.in_transaction()
    }

    /// Keeps the transaction's changes and releases the write lock.
    pub fn commit(&mut self) -> Result<TransactionSummary> {
        let summary = self.session.commit()?;
        if self.writer.take().is_some() && summary.changed {
            self.db.committed();
        }
        Ok(summary)
    }

    /// Undoes the transaction's changes and releases the write lock.
    pub fn rollback(&mut self) -> Result<TransactionSummary> {
        match self.writer.take() {
            Some(mut guard) => lend(&mut self.session, &mut guard, |s| s.rollback()),
            None => self.session.rollback(),
        }
    }
}

impl Drop for Connection {
    /// A connection that goes away mid-transaction leaves nothing behind.
    fn drop(&mut self) {
        if self.in_transaction() {
            let _ = self.rollback();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transactions_hide_their_writes_until_commit_and_roll_back() {
        let db = Database::new(Graph::new());
        let mut a = db.connect();
        let mut b = db.connect();
        a.begin().expect("opens");
        a.run("CREATE (:T)").expect("writes");
        a.rollback().expect("rolls back");
        assert_eq!(db.read(Graph::node_count), 0);
        a.begin().expect("opens");
        a.run("CREATE (:T)").expect("writes");
        a.commit().expect("commits");
        let count = b.run("MATCH (n:T) RETURN count(n)").expect("reads");
        assert_eq!(count.rows, vec![vec![crate::Value::Int(1)]]);
        assert_eq!(db.bookmark(), "kg:1");
    }

    #[test]
    fn a_dropped_connection_rolls_back() {
        let db = Database::new(Graph::new());
        let mut a = db.connect();
        a.begin().expect("opens");
        a.run("CREATE (:T)").expect("writes");
        drop(a);
        assert_eq!(db.read(Graph::node_count), 0);
    }

    #[test]
    fn reads_share_the_graph() {
        let db = Database::new(Graph::new());
        db.connect().run("CREATE (:T {v: 1})").expect("writes");
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let mut c = db.connect();
                std::thread::spawn(move || c.run("MATCH (n:T) RETURN n.v").expect("reads").rows)
            })
            .collect();
        for t in threads {
            assert_eq!(
                t.join().expect("no panic"),
                vec![vec![crate::Value::Int(1)]]
            );
        }
    }
}
