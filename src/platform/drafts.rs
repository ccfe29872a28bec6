//! Journey drafts: the answers so far, saved after every page under the user's session.

use super::{
    db::{Db, DbError},
    session::SessionId,
};
use crate::domain::journey::{Answers, Draft, JourneyDef, Next, Rejected, StepDef};

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

/// No value a draft keeps is longer than this: the longest free text a form takes is a
/// 1 000-character note, and journeys cut their fields shorter (`JourneyDef::received`).
pub const MAX_VALUE_CHARS: usize = 1000;
/// No draft is larger than this, whatever its forms (issue 18, finding 3: five posts of
/// 1.9 MB grew the database by 10 MB).
pub const MAX_DRAFT_BYTES: usize = 32 * 1024;

/// The draft with every value cut to `MAX_VALUE_CHARS`.
fn bounded(draft: &Draft) -> Draft {
    use crate::domain::text::cut;
    let cut_all = |a: &Answers| -> Answers {
        a.iter()
            .map(|(k, v)| (k.clone(), cut(v, MAX_VALUE_CHARS).to_string()))
            .collect()
    };
    Draft {
        answers: cut_all(&draft.answers),
        rejected: draft.rejected.as_ref().map(|r| Rejected {
            step: r.step.clone(),
            values: cut_all(&r.values),
            problems: r.problems.clone(),
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
    let encode = |why: String| {
        DbError::Sqlx(sqlx::Error::Encode(
            format!("draft {journey}: {why}").into(),
        ))
    };
    let json = serde_json::to_string(&bounded(draft)).map_err(|e| encode(e.to_string()))?;
    if json.len() > MAX_DRAFT_BYTES {
        return Err(encode(format!("{} bytes, over the limit", json.len())));
    }
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

/// Keeps a refused one-page form (what was typed and its problems) for the page to show again
/// with its errors, with or without JavaScript, without putting the answers in the address.
pub async fn keep_refused(
    db: &Db,
    session: &SessionId,
    name: &str,
    typed: &std::collections::BTreeMap<String, String>,
    problems: Vec<(String, String)>,
    now: i64,
) -> Result<(), DbError> {
    let draft = Draft {
        rejected: Some(Rejected {
            step: name.to_string(),
            values: typed.clone().into_iter().collect(),
            problems,
        }),
        ..Draft::default()
    };
    save(db, session, name, &draft, now).await
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

/// Where a journey's "Continue" leads after one page was posted.
///
/// Accepted (no problems): the page's answers join the draft and the user goes on to the next
/// unanswered page, or to the check page. Refused: the submission and its problems are kept
/// in the draft and the same page is shown again with them, with or without JavaScript.
/// `validate` sees the page's own fields and the answers accepted so far.
pub async fn record_answer(
    db: &Db,
    session: &SessionId,
    journey: &JourneyDef,
    base: &str,
    step: &StepDef,
    posted: Vec<(&str, Option<String>)>,
    validate: impl FnOnce(&Answers, &Answers) -> Vec<(String, String)>,
) -> Result<String, DbError> {
    let mut draft = load(db, session, journey.id).await?;
    let submitted: Answers = posted
        .into_iter()
        .filter(|(k, _)| step.fields.contains(k))
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), journey.received(k, &v))))
        .collect();
    let problems = validate(&submitted, &draft.answers);
    let target = if problems.is_empty() {
        journey.merge(step, &submitted, &mut draft.answers);
        draft.rejected = None;
        match journey.next(step.id, &draft.answers) {
            Next::Step(next) => format!("{base}/{next}"),
            Next::CheckAnswers => format!("{base}/check"),
        }
    } else {
        draft.rejected = Some(Rejected {
            step: step.id.to_string(),
            values: submitted,
            problems,
        });
        format!("{base}/{}", step.id)
    };
    save(db, session, journey.id, &draft, super::session::now_secs()).await?;
    Ok(target)
}

/// The whole of a journey page's server function: the page named `step` is saved or refused
/// (see `record_answer`) under the request's session, started here if the user had none, and
/// the browser is sent where "Continue" leads.
pub async fn answer_page(
    journey: &JourneyDef,
    base: &str,
    step: &str,
    posted: Vec<(&str, Option<String>)>,
    validate: impl FnOnce(&Answers, &Answers) -> Vec<(String, String)>,
) -> Result<(), crate::error::AppError> {
    use crate::error::{AppError, OrUnavailable};
    let Some(page) = journey.step(step) else {
        return Err(AppError::refused("no such journey page"));
    };
    let state = leptos::prelude::expect_context::<super::state::AppState>();
    let session = super::session::ensure_for_request(&state)
        .await
        .or_unavailable()?;
    let target = record_answer(&state.db, &session, journey, base, page, posted, validate)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(&target);
    Ok(())
}
