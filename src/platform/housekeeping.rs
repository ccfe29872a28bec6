//! Housekeeping that every app server runs in the background: removing expired sessions and
//! their drafts, so answers are not kept longer than the privacy notice says, and rate-limit
//! counters nobody will read again. Each run is
//! idempotent (a plain DELETE of what has expired), so several servers may run it at once.
//! And, on SQLite, the write-ahead log's checkpoints (`spawn_checkpoints`).

use super::{db::Db, session};
use std::time::Duration;
use tokio::{task::JoinHandle, time::MissedTickBehavior};

/// How often expired sessions are removed in production: often enough that nothing outlives
/// its expiry by much, rarely enough to cost nothing.
pub const EVERY: Duration = Duration::from_secs(10 * 60);

/// Starts the background loop; the first run happens at once. Abort the handle on shutdown.
pub fn spawn(db: Db, every: Duration) -> JoinHandle<()> {
    repeat(every, move || {
        let db = db.clone();
        async move {
            match session::purge_expired(&db, session::now_secs()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
                // The next run tries again; a database that stays down shows in /readyz.
                Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
            }
            if let Err(e) = super::throttle::purge_stale(&db, session::now_secs()).await {
                tracing::warn!(error = %e, "removing stale rate-limit counters failed");
            }
        }
    })
}

/// How often the SQLite write-ahead log is copied back into the database file: the log holds
/// about a second of writes (megabytes under load), and a page written many times in that
/// second is copied once.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Starts the loop that checkpoints the database (`Db::checkpoint`); several servers on one
/// file take turns (SQLite lets one checkpoint run at a time, another finds it busy and waits
/// for its next turn).
pub fn spawn_checkpoints(db: Db, every: Duration) -> JoinHandle<()> {
    repeat(every, move || {
        let db = db.clone();
        async move {
            if let Err(e) = db.checkpoint().await {
                tracing::debug!(error = %e, "checkpoint not done; the next one tries again");
            }
        }
    })
}

/// Runs `job` every `period` on this server, the first time at once; a run that overruns
/// delays the next rather than bunching them. The background jobs (this one, the payment
/// poller, the nightly comparison, the vignette reminders) are all such loops.
pub fn repeat<F, Fut>(period: Duration, mut job: F) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            job().await;
        }
    })
}
