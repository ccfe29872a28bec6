//! `platform::db::Conns`: connections kept at hand between statements, handed straight to a task
//! queued for one (which runs at once, while its giver goes on), never kept from a task that waits for sqlx, and given back to sqlx (to be
//! pinged, or closed) when their state is not known. On a database of their own: the app's workers would take connections meanwhile.

use crate::support::app::{Backend, drop_database, fresh_database};
use bawaba::platform::db::{self, Db};
use std::time::Duration;

/// Runs `body` on a new `Db` of `backend` with `connections` reading connections (SQLite's
/// writer has one); `false` when PostgreSQL is not configured.
async fn with_db<F, Fut>(backend: Backend, connections: u32, body: F) -> bool
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let Some((url, data_dir, pg_cleanup)) = fresh_database(backend).await else {
        eprintln!("TEST_DATABASE_URL not set: the PostgreSQL half is skipped");
        return false;
    };
    let db = Db::connect(&url, connections).await.unwrap();
    sqlx::query("CREATE TABLE probe (n INTEGER NOT NULL)")
        .execute(db.writer())
        .await
        .unwrap();
    body(db.clone()).await;
    db.close().await;
    drop_database(data_dir, pg_cleanup).await;
    true
}

async fn many_at_once(db: Db) {
    // More tasks than connections, each kind of use at once: single writes and reads (kept at
    // hand), transactions and acquired connections (given back to sqlx). A task left waiting
    // for sqlx while a connection sat kept would time out.
    let tasks: Vec<_> = (0..400)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                match i % 4 {
                    0 => {
                        sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                            .bind(i as i64)
                            .execute(db.writer())
                            .await
                            .unwrap();
                    }
                    1 => {
                        let mut tx = db.begin_write().await.unwrap();
                        sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                            .bind(i as i64)
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        tx.commit().await.unwrap();
                    }
                    2 => {
                        let _: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
                            .fetch_one(db.pool())
                            .await
                            .unwrap();
                    }
                    _ => {
                        let mut conn = db.pool().acquire().await.unwrap();
                        let _: Vec<(i64,)> = sqlx::query_as("SELECT n FROM probe")
                            .fetch_all(&mut *conn)
                            .await
                            .unwrap();
                    }
                }
            })
        })
        .collect();
    // A wait for sqlx's pool past its 10 s is an error, and the task's unwrap fails the test.
    for t in tasks {
        t.await.unwrap();
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 200, "every write once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_share_few_connections_and_none_waits_out_the_timeout() {
    with_db(Backend::Sqlite, 2, many_at_once).await;
    with_db(Backend::Postgres, 2, many_at_once).await;
}

/// A statement that runs for a long while on `backend`, to be dropped mid-way.
fn slow(backend: db::Backend) -> &'static str {
    match backend {
        db::Backend::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
             SELECT COUNT(*) FROM c"
        }
        db::Backend::Postgres => "SELECT COUNT(*) FROM (SELECT pg_sleep(1)) s",
    }
}

async fn kept_and_given_back(db: Db) {
    let backend = db.backend();
    let reads = db.pool();
    let _: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(reads)
        .await
        .unwrap();
    // One at most: each statement here waits for the last.
    assert_eq!(reads.kept_at_hand(), 1, "kept after its statement");
    if backend == db::Backend::Postgres {
        // The next statement runs on the same connection (the same server process).
        let pid = || async {
            let (pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()")
                .fetch_one(reads)
                .await
                .unwrap();
            pid
        };
        assert_eq!(pid().await, pid().await, "the kept connection is reused");
    }
    // The database's refusal leaves the connection as it was: kept.
    let refused = sqlx::query("SELECT no_such_column FROM probe")
        .fetch_all(reads)
        .await;
    assert!(refused.is_err_and(|e| e.as_database_error().is_some()));
    assert_eq!(reads.kept_at_hand(), 1, "kept after the database's refusal");
    // A statement dropped mid-way: its connection goes back to sqlx, not to the others' hand.
    let cut = tokio::time::timeout(
        Duration::from_millis(50),
        sqlx::query(slow(backend)).fetch_all(reads),
    )
    .await;
    assert!(cut.is_err(), "the slow statement was cut");
    assert_eq!(reads.kept_at_hand(), 0, "not kept after it was dropped");
    // Statements after it run, on that connection once sqlx has it back or on another.
    let _: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(reads)
        .await
        .unwrap();
    // A connection kept a second or more goes back to sqlx (pinged there) when next asked for.
    assert_eq!(reads.kept_at_hand(), 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let conn = reads.acquire().await.unwrap();
    assert_eq!(reads.kept_at_hand(), 0);
    drop(conn);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_kept_after_its_statement_and_given_back_when_cut_or_idle() {
    with_db(Backend::Sqlite, 2, kept_and_given_back).await;
    with_db(Backend::Postgres, 2, kept_and_given_back).await;
}

async fn insert(tx: &mut bawaba::platform::db::WriteTx, n: i64) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO probe (n) VALUES ($1)")
        .bind(n)
        .execute(&mut **tx)
        .await
        .map(|_| ())
}

async fn transactions_end_and_keep(db: Db) {
    let writer = db.writer();
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
            .fetch_one(db.pool())
            .await
            .unwrap();
        n
    };
    // Committed: the row is there, the connection kept at hand.
    let mut tx = db.begin_write().await.unwrap();
    insert(&mut tx, 1).await.unwrap();
    assert_eq!(writer.kept_at_hand(), 0, "the transaction holds it");
    tx.commit().await.unwrap();
    assert_eq!(count().await, 1);
    assert!(writer.kept_at_hand() >= 1, "kept after its commit");
    // Rolled back: no row, kept.
    let mut tx = db.begin_write().await.unwrap();
    insert(&mut tx, 2).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(count().await, 1);
    // Dropped unfinished (an error's `?`): rolled back, and its connection left to sqlx.
    let kept = writer.kept_at_hand();
    let mut tx = db.begin_write().await.unwrap();
    insert(&mut tx, 3).await.unwrap();
    drop(tx);
    assert_eq!(writer.kept_at_hand(), kept - 1, "not kept unfinished");
    assert_eq!(
        count().await,
        1,
        "the dropped transaction's row is not there"
    );
    // The writing connection is free again (on SQLite there is one): the next one commits.
    let mut tx = db.begin_write().await.unwrap();
    insert(&mut tx, 4).await.unwrap();
    tx.commit().await.unwrap();
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT n FROM probe ORDER BY n")
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(rows, vec![(1,), (4,)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_keeps_its_connection_once_ended_and_rolls_back_when_dropped() {
    with_db(Backend::Sqlite, 2, transactions_end_and_keep).await;
    with_db(Backend::Postgres, 2, transactions_end_and_keep).await;
}

/// Waits until `n` tasks are queued on `conns` (each has found every connection busy).
async fn until_queued(conns: &db::Conns, n: usize) {
    for _ in 0..500 {
        if conns.queued() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("{n} tasks never queued (queued: {})", conns.queued());
}

async fn queued_tasks_are_handed_the_connection(db: Db) {
    // Every writing connection busy in a transaction (one on SQLite, two on PostgreSQL).
    let busy = if db.backend() == db::Backend::Sqlite {
        1
    } else {
        2
    };
    let mut open = Vec::new();
    for n in 0..busy {
        let mut tx = db.begin_write().await.unwrap();
        insert(&mut tx, 100 + n).await.unwrap();
        open.push(tx);
    }
    let writer = db.writer().clone();
    let before = writer.handed_on();
    // Three statements queue for a connection; each runs when the one before gives it back.
    let waiting: Vec<_> = (0..3_i64)
        .map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                    .bind(n)
                    .execute(db.writer())
                    .await
                    .unwrap();
            })
        })
        .collect();
    until_queued(&writer, 3).await;
    // Two more queue and give up (a client gone, a request's timeout): their turns pass on.
    let gave_up: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let cut = tokio::time::timeout(
                    Duration::from_millis(30),
                    sqlx::query("SELECT COUNT(*) FROM probe").fetch_all(db.writer()),
                )
                .await;
                assert!(cut.is_err(), "queued behind the open transactions");
            })
        })
        .collect();
    for t in gave_up {
        t.await.unwrap();
    }
    for tx in open {
        tx.commit().await.unwrap();
    }
    for t in waiting {
        t.await.unwrap();
    }
    assert!(
        writer.handed_on() >= before + 3,
        "each queued statement was handed a connection, not sent to sqlx's pool (handed on: {})",
        writer.handed_on() - before
    );
    assert_eq!(writer.queued(), 0);
    // Nothing was lost to the tasks that gave up: every connection is usable at once.
    let mut again = Vec::new();
    for n in 0..busy {
        let mut tx = tokio::time::timeout(Duration::from_secs(2), db.begin_write())
            .await
            .expect("a connection is free")
            .unwrap();
        insert(&mut tx, 200 + n).await.unwrap();
        again.push(tx);
    }
    for tx in again {
        tx.commit().await.unwrap();
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 3 + 2 * busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_queued_for_a_busy_connection_is_handed_it_and_one_that_gives_up_loses_none() {
    with_db(Backend::Sqlite, 2, queued_tasks_are_handed_the_connection).await;
    with_db(Backend::Postgres, 2, queued_tasks_are_handed_the_connection).await;
}

/// A transaction (a worker's, a request's) still open when the pool is closed: `close` waits
/// for it, and its connection, once committed, goes back to sqlx instead of being kept at hand
/// where `close` would wait for it for ever (a test's cleanup hung so, rarely, in CI).
async fn closing_waits_for_the_open_transaction(db: Db) {
    let mut tx = db.begin_write().await.unwrap();
    insert(&mut tx, 1).await.unwrap();
    let closing = tokio::spawn({
        let db = db.clone();
        async move { db.close().await }
    });
    // `close` marks the pool closed before it waits: from then on no statement starts.
    for _ in 0..500 {
        if db.writer().is_closed() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(db.writer().is_closed(), "close has begun");
    assert!(matches!(
        sqlx::query("SELECT 1").execute(db.writer()).await,
        Err(sqlx::Error::PoolClosed)
    ));
    assert!(
        !closing.is_finished(),
        "close waits for the open transaction"
    );
    tx.commit().await.unwrap();
    // A liveness check, not a timing: without the fix this never ends.
    tokio::time::timeout(Duration::from_secs(30), closing)
        .await
        .expect("close ends once the transaction's connection is back")
        .unwrap();
    assert_eq!(db.writer().kept_at_hand(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_pool_waits_for_an_open_transaction_and_then_ends() {
    with_db(Backend::Sqlite, 2, closing_waits_for_the_open_transaction).await;
    with_db(Backend::Postgres, 2, closing_waits_for_the_open_transaction).await;
}

/// The database's own file (not its write-ahead log), as SQLite names it.
async fn database_file(db: &Db) -> std::path::PathBuf {
    let (_, _, file): (i64, String, String) = sqlx::query_as("PRAGMA database_list")
        .fetch_one(db.pool())
        .await
        .unwrap();
    file.into()
}

async fn checkpointed_by_housekeeping(db: Db) {
    // SQLite's own checkpoints wait for a log of 20,000 pages: the writes below stay in the log.
    let (threshold,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
        .fetch_one(db.writer())
        .await
        .unwrap();
    assert_eq!(threshold, 20_000);
    let mut tx = db.begin_write().await.unwrap();
    for n in 0..5_000 {
        insert(&mut tx, n).await.unwrap();
    }
    tx.commit().await.unwrap();
    let file = database_file(&db).await;
    let before = std::fs::metadata(&file).unwrap().len();
    let job =
        bawaba::platform::housekeeping::spawn_checkpoints(db.clone(), Duration::from_millis(20));
    let mut after = before;
    for _ in 0..100 {
        after = std::fs::metadata(&file).unwrap().len();
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    job.abort();
    assert!(
        after > before,
        "the log was copied into the file ({before} → {after} bytes)"
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 5_000);
}

#[tokio::test]
async fn on_sqlite_housekeeping_copies_the_write_ahead_log_into_the_file() {
    with_db(Backend::Sqlite, 2, checkpointed_by_housekeeping).await;
}

async fn handed_on_while_the_giver_goes_on(db: Db) {
    let writer = db.writer().clone();
    let (holding, holds) = tokio::sync::oneshot::channel::<()>();
    let (commit, may_commit) = tokio::sync::oneshot::channel::<()>();
    let (written, has_written) = std::sync::mpsc::channel::<()>();
    // Holds every writing connection (SQLite's one; the pool of one here on PostgreSQL), then
    // commits and goes on without awaiting anything, as a request renders its page after its
    // commit: it blocks its worker until the queued task has written.
    let giver = tokio::spawn({
        let db = db.clone();
        async move {
            let mut tx = db.begin_write().await.unwrap();
            insert(&mut tx, 1).await.unwrap();
            holding.send(()).unwrap();
            may_commit.await.unwrap();
            tx.commit().await.unwrap();
            has_written.recv_timeout(Duration::from_secs(10)).is_ok()
        }
    });
    holds.await.unwrap();
    let queued = tokio::spawn({
        let db = db.clone();
        async move {
            sqlx::query("INSERT INTO probe (n) VALUES (2)")
                .execute(db.writer())
                .await
                .unwrap();
            written.send(()).unwrap();
        }
    });
    until_queued(&writer, 1).await;
    commit.send(()).unwrap();
    // Woken from the giver's worker, the queued task sits in that worker's LIFO slot, which
    // the other worker never steals: unless the giver yields when it hands the connection on,
    // the queued task runs only once the giver's poll ends, here never (a liveness check, not
    // a timing).
    assert!(
        giver.await.unwrap(),
        "the task handed the connection wrote while its giver went on"
    );
    queued.await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM probe")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_handed_the_writing_connection_runs_while_its_giver_goes_on() {
    with_db(Backend::Sqlite, 1, handed_on_while_the_giver_goes_on).await;
    with_db(Backend::Postgres, 1, handed_on_while_the_giver_goes_on).await;
}
