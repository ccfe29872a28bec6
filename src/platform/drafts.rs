//! Journey drafts: the answers so far, saved after every page under the user's session.

use super::{
    db::{Db, DbError},
    session::SessionId,
};
use crate::domain::journey::Draft;

pub async fn load(db: &Db, session: &SessionId, journey: &str) -> Result<Draft, DbError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT answers FROM drafts WHERE session_id_hash = $1 AND journey = $2")
            .bind(session.hash())
            .bind(journey)
            .fetch_optional(db.pool())
            .await?;
    match row {
        None => Ok(Draft::default()),
        Some((json,)) => serde_json::from_str(&json).map_err(|e| {
            DbError::Sqlx(sqlx::Error::Decode(format!("draft {journey}: {e}").into()))
        }),
    }
}

/// Replaces the draft (one statement: insert, or update the existing draft).
pub async fn save(
    db: &Db,
    session: &SessionId,
    journey: &str,
    draft: &Draft,
    now: i64,
) -> Result<(), DbError> {
    let json = serde_json::to_string(draft)
        .map_err(|e| DbError::Sqlx(sqlx::Error::Encode(format!("draft {journey}: {e}").into())))?;
    sqlx::query(
        "INSERT INTO drafts (session_id_hash, journey, answers, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (session_id_hash, journey)
         DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
    )
    .bind(session.hash())
    .bind(journey)
    .bind(json)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Forgets a draft, once its journey is finished or the user starts again.
pub async fn discard(db: &Db, session: &SessionId, journey: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM drafts WHERE session_id_hash = $1 AND journey = $2")
        .bind(session.hash())
        .bind(journey)
        .execute(db.pool())
        .await?;
    Ok(())
}
