//! Rate limits and lockouts, counted in the database so that every app server sees the same
//! counts. Two shapes: a fixed window ("30 sign-in attempts per 15 minutes from one address")
//! and a lockout with an increasing delay ("after 5 wrong passwords, wait 5, then 10, 20…
//! minutes"). Both answer with how long to wait, which the page tells the user.

use super::db::{Db, DbError};

/// A limit of `max` events per `window_secs`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// Counts one event under `key`; `Err(wait)` when the limit is already spent, with the seconds
/// until the window ends. One statement, so two servers counting at once both count.
pub async fn hit(db: &Db, key: &str, limit: Limit, now: i64) -> Result<Result<(), i64>, DbError> {
    let (count, started): (i64, i64) = sqlx::query_as(
        "INSERT INTO throttles (key, count, window_started_at) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN throttles.window_started_at <= $3 THEN 1 ELSE throttles.count + 1 END,
           window_started_at = CASE WHEN throttles.window_started_at <= $3 THEN $2
                                    ELSE throttles.window_started_at END
         RETURNING count, window_started_at",
    )
    .bind(key)
    .bind(now)
    .bind(now - limit.window_secs)
    .fetch_one(db.writer())
    .await?;
    Ok(if count > limit.max {
        Err((started + limit.window_secs - now).max(1))
    } else {
        Ok(())
    })
}

/// Whether `key`'s limit is spent now, without counting anything: the seconds until its window
/// ends if so. For limits counted after the fact (`hit` once the event happened).
pub async fn spent(db: &Db, key: &str, limit: Limit, now: i64) -> Result<Option<i64>, DbError> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT count, window_started_at FROM throttles WHERE key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    Ok(row
        .filter(|(count, started)| *count >= limit.max && *started > now - limit.window_secs)
        .map(|(_, started)| (started + limit.window_secs - now).max(1)))
}

/// After `free` failures in a row, each further failure locks for `first_lock_secs`, doubled
/// each time, never more than `max_lock_secs`.
#[derive(Clone, Copy, Debug)]
pub struct Lockout {
    pub free: i64,
    pub first_lock_secs: i64,
    pub max_lock_secs: i64,
}

impl Lockout {
    /// The lock that follows the `failures`-th failure in a row (0: none).
    pub fn lock_secs(self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(30) as u32;
        self.first_lock_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_lock_secs)
    }
}

/// Seconds left on `key`'s lock, if it is locked now.
pub async fn locked_for(db: &Db, key: &str, now: i64) -> Result<Option<i64>, DbError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT locked_until FROM throttles WHERE key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    Ok(row
        .and_then(|(until,)| until)
        .filter(|until| *until > now)
        .map(|until| until - now))
}

/// After this long without a failure, the count of failures starts again from one, so a lock
/// that someone else caused does not keep doubling for ever (issue 18, finding 4).
pub const QUIET_SECS: i64 = 24 * 3600;

/// Records a failure under `key`; returns the seconds of the lock it caused, if any. The count
/// resets on `clear` (a success) or after `QUIET_SECS` without a failure; until then each
/// further lock doubles. (`window_started_at` holds the last failure's time for these keys.)
pub async fn fail(db: &Db, key: &str, policy: Lockout, now: i64) -> Result<Option<i64>, DbError> {
    let (failures,): (i64,) = sqlx::query_as(
        "INSERT INTO throttles (key, count, window_started_at) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN throttles.window_started_at <= $3 THEN 1 ELSE throttles.count + 1 END,
           window_started_at = $2
         RETURNING count",
    )
    .bind(key)
    .bind(now)
    .bind(now - QUIET_SECS)
    .fetch_one(db.writer())
    .await?;
    let lock = policy.lock_secs(failures);
    if lock == 0 {
        return Ok(None);
    }
    sqlx::query("UPDATE throttles SET locked_until = $1 WHERE key = $2")
        .bind(now + lock)
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(Some(lock))
}

/// Forgets `key`'s failures (after a success).
pub async fn clear(db: &Db, key: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM throttles WHERE key = $1")
        .bind(key)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Whole minutes to tell the user, rounded up ("try again in 5 minutes").
pub fn minutes(secs: i64) -> i64 {
    (secs.max(1) + 59) / 60
}

/// Counters untouched for a week that hold no lock: forgetting them changes nothing that matters.
pub async fn purge_stale(db: &Db, now: i64) -> Result<u64, DbError> {
    let gone = sqlx::query(
        "DELETE FROM throttles WHERE window_started_at < $1 AND (locked_until IS NULL OR locked_until < $2)",
    )
    .bind(now - 7 * 24 * 3600)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(gone.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_doubles_after_the_free_failures_up_to_its_cap() {
        let p = Lockout {
            free: 5,
            first_lock_secs: 300,
            max_lock_secs: 3600,
        };
        assert_eq!(p.lock_secs(4), 0);
        assert_eq!(p.lock_secs(5), 300);
        assert_eq!(p.lock_secs(6), 600);
        assert_eq!(p.lock_secs(7), 1200);
        assert_eq!(p.lock_secs(9), 3600);
        assert_eq!(p.lock_secs(1000), 3600);
    }

    #[test]
    fn minutes_round_up() {
        assert_eq!(minutes(1), 1);
        assert_eq!(minutes(60), 1);
        assert_eq!(minutes(61), 2);
        assert_eq!(minutes(300), 5);
    }
}
