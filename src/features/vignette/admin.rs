//! `/admin/vehicles/conflicts`: plates claimed by two accounts. A plate is active in one
//! account at most; when a second owner is refused, or reports that the vehicle is now theirs,
//! an administrator sees both sides here and either transfers the plate (the holder's vehicle
//! is archived, so the claimant can add it) or closes the case as it stands. Administrators
//! only: anyone else gets "not found".

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageHeading;
use crate::{
    error::AppError,
    i18n::*,
    ui::{
        form::{Button, ButtonKind},
        text::{Ltr, LtrLong, SummaryRow},
    },
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

pub const PATH: &str = "/admin/vehicles/conflicts";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConflictView {
    pub id: String,
    pub plate: String,
    /// `refused` (the second owner was refused) or `reported` (they say the vehicle is theirs).
    pub kind: String,
    pub note: Option<String>,
    pub claimant: (String, String),
    pub holder: (String, String),
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub at: String,
}

#[server(endpoint = "admin/vehicles/conflicts")]
pub async fn load_conflicts() -> Result<Vec<ConflictView>, AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    crate::features::accounts::staff::administrator(&state).await?;
    let rows = super::store::open_conflicts(&state.db)
        .await
        .or_unavailable()?;
    Ok(rows
        .into_iter()
        .map(|c| ConflictView {
            id: c.id,
            plate: c.plate,
            kind: c.kind,
            note: c.note,
            claimant: c.claimed_by,
            holder: c.held_by,
            at: utc_minute(c.created_at),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn utc_minute(secs: i64) -> String {
    let day = crate::domain::date::Date::from_days_since_epoch(secs.div_euclid(86_400));
    let minute = secs.rem_euclid(86_400) / 60;
    format!("{} {:02}:{:02}", day.iso(), minute / 60, minute % 60)
}

/// `decision`: `transfer` (archive the holder's vehicle) or `keep`.
#[server(endpoint = "admin/vehicles/conflicts/resolve")]
pub async fn resolve_conflict(
    id: String,
    decision: String,
    note: Option<String>,
) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let admin = crate::features::accounts::staff::administrator(&state).await?;
    let transfer = match decision.as_str() {
        "transfer" => true,
        "keep" => false,
        _ => return Err(AppError::refused("plate conflict")),
    };
    let note = note
        .map(|n| {
            crate::domain::text::cut(&crate::domain::text::clean_line(n.trim()), 1000).to_string()
        })
        .unwrap_or_default();
    let now = crate::platform::session::now_secs();
    let done = super::store::resolve_conflict(&state.db, &id, &admin, transfer, &note, now)
        .await
        .or_unavailable()?;
    if !done {
        return Err(AppError::refused("plate conflict"));
    }
    leptos_axum::redirect(&format!("{PATH}?closed=1"));
    Ok(())
}

#[component]
pub fn ConflictsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let locale = i18n.get_locale_untracked();
    crate::ui::problem::loaded(load_conflicts, move |conflicts| {
        let closed = query.read_untracked().get("closed").is_some();
        let empty = conflicts.is_empty();
        view! {
            <PageHeading title=td_string!(locale, plate_admin.title) />
            <p class="lead">{t!(i18n, plate_admin.lead)}</p>
            {closed.then(|| view! { <div class="panel panel--success" role="status"><p>{t!(i18n, plate_admin.closed)}</p></div> })}
            {empty.then(|| view! { <p>{t!(i18n, plate_admin.none)}</p> })}
            <ul class="vehicle-list">
                {conflicts.into_iter().map(|c| view! { <Conflict c /> }).collect_view()}
            </ul>
        }
        .into_any()
    })
}

#[component]
fn Conflict(c: ConflictView) -> impl IntoView {
    let i18n = use_i18n();
    let kind = if c.kind == "reported" {
        t!(i18n, plate_admin.kind_reported).into_any()
    } else {
        t!(i18n, plate_admin.kind_refused).into_any()
    };
    let note_id = format!("note-{}", c.id);
    let person = |(name, email): (String, String)| {
        view! { {name} " " <LtrLong>{email}</LtrLong> }
    };
    view! {
        <li class="vehicle-card">
            <h2 class="vehicle-card__plate"><Ltr>{c.plate.clone()}</Ltr></h2>
            <p class="tag">{kind}</p>
            <dl class="summary-list summary-list--compact">
                <SummaryRow label={t!(i18n, plate_admin.holder)}>{person(c.holder)}</SummaryRow>
                <SummaryRow label={t!(i18n, plate_admin.claimant)}>{person(c.claimant)}</SummaryRow>
                <SummaryRow label={t!(i18n, plate_admin.when)}><Ltr>{c.at}</Ltr></SummaryRow>
                {c.note.map(|n| view! {
                    <SummaryRow label={t!(i18n, plate_admin.note)}>{n}</SummaryRow>
                })}
            </dl>
            <form method="post" action=ResolveConflict::url()>
                <input type="hidden" name="id" value=c.id.clone() />
                <div class="field">
                    <label class="field__label" for=note_id.clone()>{t!(i18n, plate_admin.resolution_label)}</label>
                    <textarea class="field__input field__textarea" id=note_id name="note" rows="2" maxlength="1000"></textarea>
                </div>
                <div class="inline-form">
                    <Button kind=ButtonKind::Secondary name="decision" value="transfer">{t!(i18n, plate_admin.transfer)}</Button>
                    <Button kind=ButtonKind::Secondary name="decision" value="keep">{t!(i18n, plate_admin.keep)}</Button>
                </div>
            </form>
        </li>
    }
}
