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
    collections::VecDeque,
    path::Path,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use tokio::sync::oneshot;

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
                        //
                        // Checkpoints (copying the log back into the file, with two `fsync`s)
                        // are `Db::checkpoint`'s, run by each server's housekeeping every
                        // second, off the writing connection. SQLite's own, after the commit
                        // that fills 1,000 pages, ran on the writer, inside that commit, and
                        // every write queued behind it. Its threshold stays, raised, for a
                        // process that runs no housekeeping (the operator's commands, tests).
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                            "PRAGMA wal_autocheckpoint = 20000",
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

    /// On SQLite, copies the write-ahead log back into the database file as far as no reader
    /// still needs it (a passive checkpoint: it waits for no writer and none waits for it); once
    /// all of it is copied, the next write starts the log again from its beginning. PostgreSQL
    /// checkpoints on its own.
    pub async fn checkpoint(&self) -> Result<(), DbError> {
        if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// sqlx's pool, with the connections that just ran a statement or a transaction kept at hand for
/// the next one, and handed straight to a task that waits for one.
///
/// sqlx takes a connection back by spawning a task that pings it (`PoolConnection`'s `Drop`,
/// sqlx-core 0.8.6, no setting to skip it): on SQLite a hand-off to the connection's thread and
/// back, on PostgreSQL a round trip, for every statement run on the pool, about 30 a vignette
/// purchase (issue 23). A connection whose statement ran to its end, with or without a
/// database error (a refused insert), is in a known state and needs no ping; so is one whose
/// transaction (`WriteTx`) committed or rolled back. Such a connection goes to the oldest task
/// waiting here, else is kept, newest first, for the next statement. Anything else goes back to
/// sqlx, as before, to be pinged, and closed if broken: a connection taken with `acquire` (a
/// caller may drop it mid-statement or mid-transaction), one whose statement failed otherwise
/// or was dropped before its end, a transaction dropped unfinished (its rollback is sent by
/// that ping on PostgreSQL), and one kept a second or more (sqlx pings it and its idle timeout
/// applies; this is when a restarted database leaves connections dead).
///
/// Statements and transactions take their connections through `Conns::take`, which counts
/// them (`Kept::held`): below sqlx's maximum it asks sqlx; at it, all are busy with statements
/// here, and the task queues for the next one given back. Under load SQLite's one writing
/// connection thus passes from transaction to transaction without a ping in between (it nearly
/// always has a waiter). sqlx does not see the connections held here: while a task waits for
/// one from sqlx (a connection taken with `acquire` holds the place it needs), every
/// connection given back goes to sqlx, so that waiter never waits for one kept here.
///
/// As an executor (`.fetch_all(db.pool())`), it reads a statement's rows whole before yielding
/// them: every caller collects them anyway, and it frees the connection at once.
#[derive(Clone, Debug)]
pub struct Conns {
    pool: AnyPool,
    kept: Arc<Mutex<Kept>>,
}

#[derive(Default)]
struct Kept {
    idle: Vec<(PoolConnection<Any>, Instant)>,
    /// Connections taken from sqlx through `take` and not given back to it: running a
    /// statement or a transaction, kept idle, or on their way to a queued task. At most sqlx's
    /// maximum.
    held: usize,
    /// Tasks waiting for a connection from sqlx's pool.
    waiting: usize,
    /// Tasks waiting for one of the `held` connections, oldest first. Not empty only when
    /// every place is held and none is idle.
    queue: VecDeque<oneshot::Sender<Handed>>,
    /// Connections handed from a task straight to a queued one, since the start.
    handed_on: u64,
    /// Connections taken through `take` and the time they were held, since the start: from
    /// being taken (or handed on) to being given back or dropped, including the time a
    /// transaction's task waits to be resumed between its statements.
    uses: u64,
    in_use: Duration,
    /// Set by `close`: from then on every connection goes back to sqlx, whose `close` waits
    /// for all of them (one kept here after it would keep that wait from ever ending).
    closed: bool,
}

/// What a queued task is handed: a connection, or a place freed under sqlx's maximum (a
/// connection went back to sqlx), to be filled from sqlx.
enum Handed {
    Conn(Taken),
    Place(Place),
}

/// A connection counted in `Kept::held`. Dropped without `Conns::give_back` (a statement that
/// failed or was cut, a transaction dropped unfinished, a task cancelled while it was being
/// handed one), it goes back to sqlx, to be pinged, and frees its place.
struct Taken {
    conn: Option<PoolConnection<Any>>,
    conns: Conns,
    since: Instant,
}

/// A place counted in `Kept::held` with no connection yet. Dropped unused, it is freed.
struct Place(Option<Conns>);

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

    fn max(&self) -> usize {
        self.pool.options().get_max_connections() as usize
    }

    /// A connection kept at hand, else one from sqlx's pool, for a caller that uses it as it
    /// likes: it goes back to sqlx's pool when dropped (see the type's comment).
    pub async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        let (fresh, stale) = {
            let mut kept = self.kept();
            let found = kept.pop_fresh();
            if found.0.is_some() {
                // It leaves the places counted here: its owner gives it to sqlx.
                kept.held -= 1;
            }
            found
        };
        drop(stale);
        match fresh {
            Some(conn) => Ok(conn),
            None => self.ask_sqlx().await,
        }
    }

    /// sqlx's `acquire`, counted in `Kept::waiting` however the wait ends.
    async fn ask_sqlx(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        struct Waiting<'a>(&'a Conns);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.kept().waiting -= 1;
            }
        }
        self.kept().waiting += 1;
        let _waiting = Waiting(self);
        self.pool.acquire().await
    }

    /// A connection for a statement or a transaction: kept at hand, else from sqlx while
    /// places are free, else the next one given back here (see the type's comment).
    async fn take(&self) -> Result<Taken, sqlx::Error> {
        enum Next {
            Ready(PoolConnection<Any>),
            Ask(Place),
            Queued(oneshot::Receiver<Handed>),
        }
        let (next, stale) = {
            let mut kept = self.kept();
            if kept.closed {
                return Err(sqlx::Error::PoolClosed);
            }
            let (fresh, stale) = kept.pop_fresh();
            let next = if let Some(conn) = fresh {
                Next::Ready(conn)
            } else if kept.held < self.max() {
                kept.held += 1;
                Next::Ask(Place(Some(self.clone())))
            } else {
                let (tx, rx) = oneshot::channel();
                kept.queue.push_back(tx);
                Next::Queued(rx)
            };
            (next, stale)
        };
        // To sqlx, which pings them, outside the lock.
        drop(stale);
        let place = match next {
            Next::Ready(conn) => return Ok(self.taken(conn)),
            Next::Ask(place) => place,
            Next::Queued(rx) => {
                let wait = self.pool.options().get_acquire_timeout();
                match tokio::time::timeout(wait, rx).await {
                    Ok(Ok(Handed::Conn(taken))) => return Ok(taken),
                    Ok(Ok(Handed::Place(place))) => place,
                    // The queue was emptied by `close`.
                    Ok(Err(_)) => return Err(sqlx::Error::PoolClosed),
                    Err(_) => return Err(sqlx::Error::PoolTimedOut),
                }
            }
        };
        // A failed or cancelled wait drops `place`, which frees it.
        let conn = self.ask_sqlx().await?;
        place.fill();
        Ok(self.taken(conn))
    }

    fn taken(&self, conn: PoolConnection<Any>) -> Taken {
        Taken {
            conn: Some(conn),
            conns: self.clone(),
            since: Instant::now(),
        }
    }

    /// A connection whose statement or transaction ran to its end: to the oldest queued task,
    /// else kept; unless a task waits for one from sqlx (then sqlx takes it back and hands it
    /// on) or the pool is closing (then sqlx takes it back and closes it). Async only to let a
    /// queued task run at once when it was handed the connection (`handed_on`).
    async fn give_back(&self, taken: Taken) {
        if self.hand_back(taken) {
            // The task handed the connection was woken from this worker thread, so tokio put
            // it in this worker's LIFO slot, which no other worker steals: it would wait there
            // until this task's poll ends, which after a commit is often a page's rendering, a
            // millisecond or more, while the connection sits idle. On SQLite's one writing
            // connection that wait held up every write behind it. Yielding ends this poll now:
            // the queued task runs next, and this one soon after. `payments_bench vignette`
            // on SQLite: 193 → 230 purchases/s, the writer held 99 % → 97 % (issue 23).
            tokio::task::yield_now().await;
        }
    }

    /// `give_back`'s bookkeeping; true when the connection went to a queued task.
    fn hand_back(&self, mut taken: Taken) -> bool {
        let Some(mut conn) = taken.conn.take() else {
            return false;
        };
        let mut kept = self.kept();
        if kept.waiting > 0 || kept.closed {
            drop(kept);
            // Counted as used when dropped.
            drop(Taken {
                conn: Some(conn),
                conns: self.clone(),
                since: taken.since,
            });
            return false;
        }
        kept.used(taken.since);
        while let Some(waiter) = kept.queue.pop_front() {
            match waiter.send(Handed::Conn(self.taken(conn))) {
                Ok(()) => {
                    kept.handed_on += 1;
                    return true;
                }
                // That task stopped waiting (its send failed, so nothing was dropped): the
                // next one, or kept.
                Err(Handed::Conn(mut back)) => match back.conn.take() {
                    Some(c) => conn = c,
                    None => return false,
                },
                Err(Handed::Place(_)) => unreachable!("a connection was sent"),
            }
        }
        kept.idle.push((conn, Instant::now()));
        false
    }

    /// Frees a place counted here (its connection went to sqlx, or was never taken): to the
    /// oldest queued task, which then asks sqlx, else no longer counted.
    fn free_place(&self) {
        let mut kept = self.kept();
        while let Some(waiter) = kept.queue.pop_front() {
            match waiter.send(Handed::Place(Place(Some(self.clone())))) {
                Ok(()) => return,
                // Not dropped: its `Drop` would take the lock held here.
                Err(Handed::Place(unused)) => unused.fill(),
                Err(Handed::Conn(_)) => unreachable!("a place was sent"),
            }
        }
        kept.held -= 1;
    }

    /// Gives the connection back after a statement's `outcome`: kept at hand (or handed on)
    /// when it ran to its end, to sqlx (pinged, closed if broken) when the failure was not the
    /// database's answer.
    async fn after<T>(&self, taken: Taken, outcome: &Result<T, sqlx::Error>) {
        match outcome {
            Ok(_) | Err(sqlx::Error::Database(_)) => self.give_back(taken).await,
            Err(_) => drop(taken),
        }
    }

    /// `close` has begun: no statement starts any more.
    pub fn is_closed(&self) -> bool {
        self.kept().closed
    }

    /// Connections kept at hand now (for tests).
    pub fn kept_at_hand(&self) -> usize {
        self.kept().idle.len()
    }

    /// Tasks queued for a connection now (for tests).
    pub fn queued(&self) -> usize {
        self.kept().queue.len()
    }

    /// Connections handed from one task straight to a queued one so far (for tests and
    /// benchmarks).
    pub fn handed_on(&self) -> u64 {
        self.kept().handed_on
    }

    /// Statements and transactions run so far, and the time their connections were held (for
    /// benchmarks: on SQLite's one writing connection, held time against wall time is how busy
    /// the one place every write passes through is).
    pub fn uses(&self) -> (u64, Duration) {
        let kept = self.kept();
        (kept.uses, kept.in_use)
    }

    /// Closes sqlx's pool once every connection is back: those kept here at once, those still
    /// running a statement or a transaction (a worker's, a request's) when it ends.
    pub async fn close(&self) {
        let (idle, queue) = {
            let mut kept = self.kept();
            kept.closed = true;
            let idle = std::mem::take(&mut kept.idle);
            kept.held -= idle.len();
            (idle, std::mem::take(&mut kept.queue))
        };
        // Queued tasks find their sender gone: `PoolClosed`.
        drop(queue);
        drop(idle);
        self.pool.close().await;
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kept")
            .field("idle", &self.idle.len())
            .field("held", &self.held)
            .field("waiting", &self.waiting)
            .field("queued", &self.queue.len())
            .field("handed_on", &self.handed_on)
            .field("uses", &self.uses)
            .field("closed", &self.closed)
            .finish()
    }
}

impl Kept {
    fn used(&mut self, since: Instant) {
        self.uses += 1;
        self.in_use += since.elapsed();
    }

    /// The newest idle connection if it has been idle less than a second, and those idle
    /// longer, taken out of the count, for the caller to drop to sqlx outside the lock.
    fn pop_fresh(&mut self) -> (Option<PoolConnection<Any>>, Vec<PoolConnection<Any>>) {
        // Newest last: the stale ones are at the front.
        let stale_count = self
            .idle
            .iter()
            .take_while(|(_, since)| since.elapsed() >= IDLE_BEFORE_PING)
            .count();
        let stale: Vec<_> = self.idle.drain(..stale_count).map(|(c, _)| c).collect();
        self.held -= stale.len();
        (self.idle.pop().map(|(c, _)| c), stale)
    }
}

impl Drop for Taken {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Back to sqlx (its ping, or its close if broken), then the place is freed.
            drop(conn);
            self.conns.kept().used(self.since);
            self.conns.free_place();
        }
    }
}

impl std::ops::Deref for Taken {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .expect("a taken connection until given back")
    }
}

impl std::ops::DerefMut for Taken {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .expect("a taken connection until given back")
    }
}

impl Place {
    /// The place has its connection (or is being handled by the caller): no longer freed on
    /// drop.
    fn fill(mut self) {
        self.0 = None;
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Some(conns) = self.0.take() {
            conns.free_place();
        }
    }
}

/// A transaction on the writing connection (`Db::begin_write`), used as sqlx's `Transaction`
/// is: `&mut *tx` is its connection, `commit` ends it. Committed or rolled back, its connection
/// goes to the next task waiting for one, or is kept at hand (`Conns`); dropped unfinished, it is
/// rolled back and its connection goes to sqlx, whose ping sends the rollback.
pub struct WriteTx {
    /// `None` only once `commit` or `rollback` has taken it.
    conn: Option<Taken>,
}

type Manager = <Any as Database>::TransactionManager;

impl WriteTx {
    async fn begin(
        conns: &Conns,
        statement: Option<Cow<'static, str>>,
    ) -> Result<Self, sqlx::Error> {
        let mut conn = conns.take().await?;
        // A failed BEGIN drops the connection to sqlx (pinged, closed if broken).
        Manager::begin(&mut conn, statement).await?;
        Ok(Self { conn: Some(conn) })
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
            Ok(()) => {
                let conns = conn.conns.clone();
                conns.give_back(conn).await;
            }
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
            .as_deref()
            .expect("a transaction has its connection until it ends")
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_deref_mut()
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
            let mut conn = conns.take().await?;
            let all: Result<Vec<_>, _> = (&mut *conn).fetch_many(query).try_collect().await;
            conns.after(conn, &all).await;
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
            let mut conn = conns.take().await?;
            let row = (&mut *conn).fetch_optional(query).await;
            conns.after(conn, &row).await;
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
            let mut conn = conns.take().await?;
            let statement = (&mut *conn).prepare_with(sql, parameters).await;
            conns.after(conn, &statement).await;
            statement
        })
    }

    fn describe<'e, 'q: 'e>(
        self,
        sql: &'q str,
    ) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>> {
        let conns = self.clone();
        Box::pin(async move {
            let mut conn = conns.take().await?;
            let described = (&mut *conn).describe(sql).await;
            conns.after(conn, &described).await;
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
