//! The database: SQLite by default (a file under the data directory, nothing to install) or
//! PostgreSQL when `DATABASE_URL` says so. One pool type (sqlx's `Any`), one set of migrations
//! written in SQL both accept, one set of store functions. Placeholders are `$1, $2, …`, which
//! both backends understand.

use futures::{StreamExt, TryStreamExt, future::BoxFuture, stream::BoxStream};
use sqlx::{
    Any, AnyConnection, AnyPool, Connection, Database, Describe, Either, Execute, Executor,
    TransactionManager,
    any::AnyPoolOptions,
    migrate::{MigrateError, Migrator},
    pool::PoolConnection,
};
use std::{
    borrow::Cow,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// A connection idle for this long is pinged before it is handed out (`Db::connect`).
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// The migrations under `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!();

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: Conns,
    /// Where writes go. On SQLite, one connection: SQLite lets one writer in at a time, and a
    /// second connection that finds the lock taken sleeps in SQLite's busy handler (1, 2, 5,
    /// 10 ms … between tries) however soon the lock comes free. Under purchases that was about
    /// 14 sleeps a purchase (`payments_bench vignette`, issue 23). Waiting for this pool's one
    /// connection instead is a queue: the next writer starts as soon as the last commits, and
    /// the one writing connection's page cache stays valid, as no other connection of this
    /// process writes. Another process on the same file still meets the busy handler. On
    /// PostgreSQL, which locks rows, the same pool as reads.
    writer: Conns,
    backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot create the database directory {path}: {source}")]
    Directory {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error("{missing} migration(s) not applied yet")]
    NotMigrated { missing: usize },
}

impl Db {
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        if backend == Backend::Sqlite {
            create_sqlite_parent_dir(url)?;
        }
        let pool = Conns::new(Self::options(backend, max_connections).connect(url).await?);
        let writer = match backend {
            Backend::Sqlite => Conns::new(Self::options(backend, 1).connect(url).await?),
            // The same `Conns`, not only the same sqlx pool: a connection kept at hand by one
            // would be out of the other's reach.
            Backend::Postgres => pool.clone(),
        };
        Ok(Self {
            pool,
            writer,
            backend,
        })
    }

    fn options(backend: Backend, max_connections: u32) -> AnyPoolOptions {
        AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings every connection it hands out and again when it takes it back: two
            // extra round trips per statement (on SQLite, two hand-offs to its thread). The
            // ping on return already drops a connection that broke while in use, so the one
            // before use is kept only for a connection that sat idle, which is when a restarted
            // or failed-over database leaves it dead. Under load none has, and none is pinged.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= IDLE_BEFORE_PING {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // sqlx's SQLite defaults are slow and unsafe for a server: WAL lets readers
                        // run beside the writer, NORMAL is durable in WAL mode, the busy timeout
                        // makes a second writer wait instead of failing at once. No memory
                        // map (`mmap_size`): in WAL mode a connection unmaps the whole file
                        // whenever another has written, and under purchases the `munmap`s
                        // (each stopping both cores to flush their TLBs) and the faults that
                        // follow cost more than the `pread` copies they replace (issue 23, perf).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
    }

    /// For reads, and for transactions that only read.
    pub fn pool(&self) -> &Conns {
        &self.pool
    }

    /// For a write outside `begin_write` (one statement, atomic on its own).
    pub fn writer(&self) -> &Conns {
        &self.writer
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Applies every pending migration. Safe when several app servers start at once: on
    /// PostgreSQL the migrator holds an advisory lock; SQLite has no such lock, so two servers
    /// can both try the same migration. Each migration runs in its own transaction, so the
    /// loser's attempt rolls back whole; it then tries again and finds the migration applied.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let attempts = if self.backend == Backend::Sqlite {
            10
        } else {
            1
        };
        let mut last = None;
        for attempt in 0..attempts {
            match MIGRATOR.run(&self.pool.pool).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "migration attempt failed, retrying");
                    last = Some(e);
                    tokio::time::sleep(Duration::from_millis(100 * (attempt + 1))).await;
                }
            }
        }
        Err(last
            .map(DbError::Migrate)
            .unwrap_or(DbError::NotMigrated { missing: 0 }))
    }

    /// A transaction for writing. On SQLite it starts IMMEDIATE, taking the write lock at once:
    /// a deferred transaction that reads and then writes can fail with SQLITE_BUSY mid-way
    /// instead of waiting its turn.
    pub async fn begin_write(&self) -> Result<WriteTx, DbError> {
        let statement = match self.backend {
            Backend::Sqlite => Some(Cow::Borrowed("BEGIN IMMEDIATE")),
            Backend::Postgres => None,
        };
        Ok(WriteTx::begin(&self.writer, statement).await?)
    }

    /// Ready = the database answers and every embedded migration has been applied.
    pub async fn check_ready(&self) -> Result<(), DbError> {
        let applied: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await?;
        let missing = MIGRATOR
            .iter()
            .filter(|m| !applied.iter().any(|(v,)| *v == m.version))
            .count();
        if missing > 0 {
            return Err(DbError::NotMigrated { missing });
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// sqlx's pool, with the connections that just ran a statement or a transaction kept at hand for
/// the next one.
///
/// sqlx takes a connection back by spawning a task that pings it (`PoolConnection`'s `Drop`,
/// sqlx-core 0.8.6, no setting to skip it): on SQLite a hand-off to the connection's thread and
/// back, on PostgreSQL a round trip, for every statement run on the pool, about 30 a vignette
/// purchase (issue 23). A connection whose statement ran to its end, with or without a
/// database error (a refused insert), is in a known state and needs no ping; so is one whose
/// transaction (`WriteTx`) committed or rolled back. Such connections are kept here, newest
/// first, and the next statement takes one. Anything else goes back to sqlx, as before, to be
/// pinged, and closed if broken: a connection taken with `acquire` (a caller may drop it
/// mid-statement or mid-transaction), one whose statement failed otherwise or was dropped
/// before its end, a transaction dropped unfinished (its rollback is sent by that ping on
/// PostgreSQL), and one kept a second or more (sqlx pings it and its idle timeout applies;
/// this is when a restarted database leaves connections dead).
///
/// sqlx does not see the connections kept here: while a task waits for one from sqlx, every
/// connection given back goes to sqlx, so the waiter never waits for a connection kept idle.
///
/// As an executor (`.fetch_all(db.pool())`), it reads a statement's rows whole before yielding
/// them: every caller collects them anyway, and it frees the connection at once.
#[derive(Clone, Debug)]
pub struct Conns {
    pool: AnyPool,
    kept: Arc<Mutex<Kept>>,
}

#[derive(Debug, Default)]
struct Kept {
    idle: Vec<(PoolConnection<Any>, Instant)>,
    /// Tasks waiting for a connection from sqlx's pool.
    waiting: usize,
}

impl Conns {
    fn new(pool: AnyPool) -> Self {
        Self {
            pool,
            kept: Arc::default(),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        // A panic while the lock is held cannot leave `Kept` half-changed: take it as it is.
        self.kept.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection kept at hand, else one from sqlx's pool. It goes back to sqlx's pool when
    /// dropped (see the type's comment).
    pub async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        let mut stale = Vec::new();
        {
            let mut kept = self.kept();
            while let Some((conn, since)) = kept.idle.pop() {
                if since.elapsed() < IDLE_BEFORE_PING {
                    return Ok(conn);
                }
                stale.push(conn);
            }
            kept.waiting += 1;
        }
        drop(stale);
        // Counted down however the wait ends, the task dropped included.
        struct Waiting<'a>(&'a Conns);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.kept().waiting -= 1;
            }
        }
        let _waiting = Waiting(self);
        self.pool.acquire().await
    }

    /// Keeps a connection whose statement ran to its end, unless a task waits for one from
    /// sqlx: then sqlx takes it back and hands it on.
    fn give_back(&self, conn: PoolConnection<Any>) {
        let mut kept = self.kept();
        if kept.waiting == 0 {
            kept.idle.push((conn, Instant::now()));
        } else {
            drop(kept);
            drop(conn);
        }
    }

    /// Gives the connection back after a statement's `outcome`: kept at hand when it ran to its
    /// end, to sqlx (pinged, closed if broken) when the failure was not the database's answer.
    fn after<T>(&self, conn: PoolConnection<Any>, outcome: &Result<T, sqlx::Error>) {
        match outcome {
            Ok(_) | Err(sqlx::Error::Database(_)) => self.give_back(conn),
            Err(_) => drop(conn),
        }
    }

    /// Connections kept at hand now (for tests).
    pub fn kept_at_hand(&self) -> usize {
        self.kept().idle.len()
    }

    pub async fn close(&self) {
        let idle = std::mem::take(&mut self.kept().idle);
        drop(idle);
        self.pool.close().await;
    }
}

/// A transaction on the writing connection (`Db::begin_write`), used as sqlx's `Transaction`
/// is: `&mut *tx` is its connection, `commit` ends it. Committed or rolled back, its connection
/// is kept at hand (`Conns`); dropped unfinished, it is rolled back and its connection goes to
/// sqlx, whose ping sends the rollback.
pub struct WriteTx {
    /// `None` only once `commit` or `rollback` has taken it.
    conn: Option<PoolConnection<Any>>,
    conns: Conns,
}

type Manager = <Any as Database>::TransactionManager;

impl WriteTx {
    async fn begin(
        conns: &Conns,
        statement: Option<Cow<'static, str>>,
    ) -> Result<Self, sqlx::Error> {
        let mut conn = conns.acquire().await?;
        // A failed BEGIN drops the connection to sqlx (pinged, closed if broken).
        Manager::begin(&mut conn, statement).await?;
        Ok(Self {
            conn: Some(conn),
            conns: conns.clone(),
        })
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.end(true).await
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.end(false).await
    }

    async fn end(&mut self, commit: bool) -> Result<(), sqlx::Error> {
        let Some(mut conn) = self.conn.take() else {
            return Ok(());
        };
        let ended = if commit {
            Manager::commit(&mut conn).await
        } else {
            Manager::rollback(&mut conn).await
        };
        match ended {
            Ok(()) => self.conns.give_back(conn),
            Err(_) => {
                // Its state is unknown: rolled back if still open, and left to sqlx.
                Manager::start_rollback(&mut conn);
            }
        }
        ended
    }
}

impl std::ops::Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a transaction has its connection until it ends")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a transaction has its connection until it ends")
    }
}

impl Drop for WriteTx {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            Manager::start_rollback(&mut conn);
        }
    }
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTx")
            .field("open", &self.conn.is_some())
            .finish()
    }
}

impl<'p> Executor<'p> for &'_ Conns {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<
        'e,
        Result<Either<<Any as Database>::QueryResult, <Any as Database>::Row>, sqlx::Error>,
    >
    where
        E: 'q + Execute<'q, Any>,
    {
        let conns = self.clone();
        futures::stream::once(async move {
            let mut conn = conns.acquire().await?;
            let all: Result<Vec<_>, _> = conn.fetch_many(query).try_collect().await;
            conns.after(conn, &all);
            all
        })
        .map_ok(|all| futures::stream::iter(all.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<<Any as Database>::Row>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Any>,
    {
        let conns = self.clone();
        Box::pin(async move {
            let mut conn = conns.acquire().await?;
            let row = conn.fetch_optional(query).await;
            conns.after(conn, &row);
            row
        })
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [<Any as Database>::TypeInfo],
    ) -> BoxFuture<'e, Result<<Any as Database>::Statement<'q>, sqlx::Error>> {
        let conns = self.clone();
        Box::pin(async move {
            let mut conn = conns.acquire().await?;
            let statement = conn.prepare_with(sql, parameters).await;
            conns.after(conn, &statement);
            statement
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>> {
        let conns = self.clone();
        Box::pin(async move {
            let mut conn = conns.acquire().await?;
            let described = conn.describe(sql).await;
            conns.after(conn, &described);
            described
        })
    }
}

fn create_sqlite_parent_dir(url: &str) -> Result<(), DbError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|source| DbError::Directory {
            path: parent.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// A list of columns (`"id, account_id, …"`, as the stores keep them) qualified with a table's
/// alias, for a join: `alias.id, alias.account_id, …`.
pub fn qualified(alias: &str, columns: &str) -> String {
    qualified_as(alias, columns, "")
}

/// `qualified`, each column also renamed `prefix` + its name (`g.id AS g_id, …`), for a join
/// whose tables share column names. No renaming with an empty `prefix`.
pub fn qualified_as(alias: &str, columns: &str, prefix: &str) -> String {
    columns
        .split(',')
        .map(str::trim)
        .map(|c| {
            if prefix.is_empty() {
                format!("{alias}.{c}")
            } else {
                format!("{alias}.{c} AS {prefix}{c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A write that a unique index may refuse. The database decides races and duplicates (two
/// registrations with one address, two vehicles with one plate, a payment key used twice):
/// `Ok(None)` is its "already there", for the caller to explain; other failures stay errors.
pub trait OnUnique<T> {
    fn on_unique(self) -> Result<Option<T>, sqlx::Error>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self) -> Result<Option<T>, sqlx::Error> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e)
                if e.as_database_error()
                    .is_some_and(|d| d.is_unique_violation()) =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_qualified_and_renamed_for_joins() {
        let columns = "id, account_id, \
            plate";
        assert_eq!(qualified("v", columns), "v.id, v.account_id, v.plate");
        assert_eq!(
            qualified_as("g", columns, "g_"),
            "g.id AS g_id, g.account_id AS g_account_id, g.plate AS g_plate"
        );
    }
}
