//! Journey drafts: the answers so far, saved after every page.
//!
//! Who keeps a draft decides how long it lives (`Keeper`): a signed-in person's answers belong
//! to the account and are never discarded by signing out or by a session ending (UX.md); a
//! visitor's answers live with the browser's session and move to the account at sign-in; what
//! only the browser may see (the steps of a sign-in, a code just sent) stays with the session.

use super::{
    db::{Db, DbError},
    session::{Session, SessionId},
};
use crate::domain::journey::{Answers, Draft, JourneyDef, Next, Rejected, StepDef};

/// Who a draft belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keeper {
    /// The session's own state: ends with the session, never leaves the browser.
    Session(SessionId),
    /// A visitor's answers to a journey: kept with the session until sign-in, then moved to
    /// the account (`session::sign_in`).
    Visitor(SessionId),
    /// A signed-in person's answers: survive sign-out and expiry, shown on every device.
    Account(String),
}

impl From<&SessionId> for Keeper {
    fn from(id: &SessionId) -> Self {
        Keeper::Session(id.clone())
    }
}

impl Keeper {
    /// Who keeps the answers a person gives in `session`: the account when signed in.
    pub fn of_answers(session: &Session) -> Self {
        match &session.account_id {
            Some(account) => Keeper::Account(account.clone()),
            None => Keeper::Visitor(session.id.clone()),
        }
    }

    /// The table, its owner column and the owner's key.
    fn row(&self) -> (&'static str, &'static str, &str) {
        match self {
            Keeper::Session(id) | Keeper::Visitor(id) => ("drafts", "session_id_hash", id.hash()),
            Keeper::Account(account) => ("account_drafts", "account_id", account),
        }
    }
}

/// In a page's load: who keeps the request's answers, if it has a session at all.
pub fn answers_keeper() -> Option<Keeper> {
    super::session::for_request().map(|s| Keeper::of_answers(&s))
}

/// Who keeps the answers given in the request's session `id` (the account when signed in).
pub fn answers_in(id: SessionId) -> Keeper {
    match super::session::for_request().and_then(|s| s.account_id) {
        Some(account) => Keeper::Account(account),
        None => Keeper::Visitor(id),
    }
}

/// In a server function that saves answers: who keeps them, a session started if needed.
pub async fn ensure_answers_keeper(state: &super::state::AppState) -> Result<Keeper, DbError> {
    Ok(answers_in(super::session::ensure_for_request(state).await?))
}

/// A journey's draft as the request's answers keeper has it (empty without a session).
pub async fn load_answers(db: &Db, journey: &str) -> Result<Draft, DbError> {
    match answers_keeper() {
        None => Ok(Draft::default()),
        Some(keeper) => load(db, keeper, journey).await,
    }
}

pub async fn load(db: &Db, keeper: impl Into<Keeper>, journey: &str) -> Result<Draft, DbError> {
    let keeper = keeper.into();
    let (table, owner, key) = keeper.row();
    let row: Option<(String,)> = sqlx::query_as(&format!(
        "SELECT answers FROM {table} WHERE {owner} = $1 AND journey = $2"
    ))
    .bind(key)
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
    keeper: impl Into<Keeper>,
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
    let keeper = keeper.into();
    let (table, owner, key) = keeper.row();
    let follows = if table == "drafts" {
        ", follows_account"
    } else {
        ""
    };
    let follows_value = match keeper {
        Keeper::Session(_) => ", 0",
        Keeper::Visitor(_) => ", 1",
        Keeper::Account(_) => "",
    };
    sqlx::query(&format!(
        "INSERT INTO {table} ({owner}, journey, answers, updated_at{follows})
         VALUES ($1, $2, $3, $4{follows_value})
         ON CONFLICT ({owner}, journey)
         DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at"
    ))
    .bind(key)
    .bind(journey)
    .bind(json)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Keeps a refused one-page form (what was typed and its problems) for the page to show again
/// with its errors, with or without JavaScript, without putting the answers in the address.
pub async fn keep_refused(
    db: &Db,
    keeper: impl Into<Keeper>,
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
    save(db, keeper, name, &draft, now).await
}

/// Forgets a draft, once its journey is finished or the user starts again.
pub async fn discard(db: &Db, keeper: impl Into<Keeper>, journey: &str) -> Result<(), DbError> {
    let mut conn = db.writer().acquire().await?;
    discard_in(&mut conn, keeper, journey).await
}

/// `discard`, inside the transaction that finishes the journey (a submission that freezes
/// the answers elsewhere).
pub async fn discard_in(
    conn: &mut sqlx::AnyConnection,
    keeper: impl Into<Keeper>,
    journey: &str,
) -> Result<(), DbError> {
    let keeper = keeper.into();
    let (table, owner, key) = keeper.row();
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE {owner} = $1 AND journey = $2"
    ))
    .bind(key)
    .bind(journey)
    .execute(conn)
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
    keeper: &Keeper,
    journey: &JourneyDef,
    base: &str,
    step: &StepDef,
    posted: Vec<(&str, Option<String>)>,
    validate: impl FnOnce(&Answers, &Answers) -> Vec<(String, String)>,
) -> Result<String, DbError> {
    let after = |answers: &Answers| match journey.next(step.id, answers) {
        Next::Step(next) => format!("{base}/{next}"),
        Next::CheckAnswers => format!("{base}/check"),
    };
    let here = format!("{base}/{}", step.id);
    record_page(db, keeper, journey, step, posted, validate, after, here).await
}

/// `record_answer` for a journey that decides itself where an accepted page leads (`after`,
/// given the answers with the page's in them; a task list goes back to its list) and where a
/// refused one is shown again (`here`).
#[allow(clippy::too_many_arguments)] // record_answer's six, and the two places it decides.
pub async fn record_page(
    db: &Db,
    keeper: &Keeper,
    journey: &JourneyDef,
    step: &StepDef,
    posted: Vec<(&str, Option<String>)>,
    validate: impl FnOnce(&Answers, &Answers) -> Vec<(String, String)>,
    after: impl FnOnce(&Answers) -> String,
    here: String,
) -> Result<String, DbError> {
    let mut draft = load(db, keeper.clone(), journey.id).await?;
    let submitted: Answers = posted
        .into_iter()
        .filter(|(k, _)| step.fields.contains(k))
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), journey.received(k, &v))))
        .collect();
    let problems = validate(&submitted, &draft.answers);
    let target = if problems.is_empty() {
        journey.merge(step, &submitted, &mut draft.answers);
        draft.rejected = None;
        after(&draft.answers)
    } else {
        draft.rejected = Some(Rejected {
            step: step.id.to_string(),
            values: submitted,
            problems,
        });
        here
    };
    save(
        db,
        keeper.clone(),
        journey.id,
        &draft,
        super::session::now_secs(),
    )
    .await?;
    Ok(target)
}

/// The whole of a journey page's server function: the page named `step` is saved or refused
/// (see `record_answer`) for the request's answers keeper (a session is started here if the
/// user had none), and the browser is sent where "Continue" leads.
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
    let keeper = ensure_answers_keeper(&state).await.or_unavailable()?;
    let target = record_answer(&state.db, &keeper, journey, base, page, posted, validate)
        .await
        .or_unavailable()?;
    leptos_axum::redirect(&target);
    Ok(())
}
