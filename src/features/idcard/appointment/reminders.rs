//! The reminder the day before an appointment, by e-mail or SMS as the account chooses
//! (`appointment_reminder_hours` before it, from data: early enough that its reschedule and
//! cancel links still work). Exactly once per appointment: the job claims each one with an
//! UPDATE that only a row not yet reminded passes, in the transaction that queues the message,
//! so every app server may run it at the same moment.

use crate::{
    domain::idcard::slots::{self, Rules},
    features::idcard::notices,
    platform::db::{Db, DbError},
};

/// Appointments handled per query: a busy day's reminders go out in slices, each committed.
const BATCH: i64 = 100;

/// Queues the reminders due at `now`; how many.
pub async fn run(db: &Db, rules: &Rules, public_url: &str, now: i64) -> Result<usize, DbError> {
    let (from, to) = slots::reminder_window(now, rules);
    let mut sent = 0;
    loop {
        let due: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM idcard_appointments
             WHERE ended_at IS NULL AND reminded_at IS NULL AND starts_at > $1 AND starts_at <= $2
             ORDER BY starts_at LIMIT $3",
        )
        .bind(from)
        .bind(to)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        for (id,) in &due {
            let mut tx = db.begin_write().await?;
            let claimed = sqlx::query(
                "UPDATE idcard_appointments SET reminded_at = $2
                 WHERE id = $1 AND reminded_at IS NULL AND ended_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // Another server reminded it first, or it was cancelled meanwhile.
            if claimed.rows_affected() != 1 {
                continue;
            }
            remind(&mut tx, id, rules, public_url, now).await?;
            tx.commit().await?;
            sent += 1;
        }
        if (due.len() as i64) < BATCH {
            return Ok(sent);
        }
    }
}

async fn remind(
    conn: &mut sqlx::AnyConnection,
    appointment: &str,
    rules: &Rules,
    public_url: &str,
    now: i64,
) -> Result<(), DbError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        account_id: String,
        language: Option<String>,
        application_id: String,
        reference: String,
        starts_at: i64,
        centre_ar: String,
        centre_en: String,
    }
    let f: Found = sqlx::query_as(
        "SELECT a.account_id, a.language, a.id AS application_id, a.reference, p.starts_at,
           c.name_ar AS centre_ar, c.name_en AS centre_en
         FROM idcard_appointments p
         JOIN idcard_applications a ON a.id = p.application_id
         JOIN service_centres c ON c.code = p.centre_code
         WHERE p.id = $1",
    )
    .bind(appointment)
    .fetch_one(&mut *conn)
    .await?;
    let page = format!(
        "{}{}",
        public_url.trim_end_matches('/'),
        super::appointment_path(&f.application_id)
    );
    let params = serde_json::json!({
        "reference": f.reference,
        "starts_at": f.starts_at,
        "centre_ar": f.centre_ar,
        "centre_en": f.centre_en,
        // The last moment to change or cancel online.
        "changes_until": f.starts_at - i64::from(rules.change_cutoff_hours) * 3600,
        "link": page,
    });
    crate::features::accounts::notifications::enqueue_chosen(
        conn,
        &f.account_id,
        notices::REMINDER,
        notices::REMINDER_SMS,
        f.language.as_deref().unwrap_or("ar"),
        params,
        now,
    )
    .await
}

/// The background loop every app server runs (the database keeps each reminder to once).
pub fn spawn(
    state: crate::platform::state::AppState,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::platform::housekeeping::repeat(every, move || {
        let state = state.clone();
        async move {
            let now = crate::platform::session::now_secs();
            let result = async {
                let terms = crate::features::idcard::store::terms(&state.db).await?;
                run(
                    &state.db,
                    &Rules::from_terms(&terms),
                    &state.config.public_url,
                    now,
                )
                .await
            }
            .await;
            match result {
                Ok(0) => {}
                Ok(n) => tracing::info!(reminded = n, "appointment reminders queued"),
                Err(e) => tracing::warn!(error = %e, "appointment reminders not sent this time"),
            }
            // Replies' message ids are kept a day: a signature older than minutes is refused
            // anyway, so an older id cannot come back.
            let purged = sqlx::query("DELETE FROM sms_inbound_nonces WHERE received_at < $1")
                .bind(now - 86_400)
                .execute(state.db.writer())
                .await;
            if let Err(e) = purged {
                tracing::warn!(error = %e, "old inbound SMS ids not removed");
            }
        }
    })
}
