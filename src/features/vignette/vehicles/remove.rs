//! Archive (sold, scrapped) or remove (added by mistake: `/vehicles/:id/remove` asks first).

// A server function's arguments are its form's fields.
#![allow(clippy::too_many_arguments)]

use super::edit::{VehicleFormData, load_vehicle_form};
use super::*;

#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    ui::form::{BackLink, Button, ButtonKind},
    ui::problem::NotFound,
};
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_params_map;

/// Archives one of the account's vehicles: it leaves the list and frees its plate.
#[server(endpoint = "vehicles/archive")]
pub async fn archive_vehicle(id: String) -> Result<(), AppError> {
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    let now = crate::platform::session::now_secs();
    if !crate::features::vignette::store::archive_vehicle(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
    {
        return Err(AppError::refused("vehicle"));
    }
    leptos_axum::redirect(&format!("{PATH}?archived={id}"));
    Ok(())
}

/// Deletes one of the account's vehicles (added by mistake). A vehicle that has had a
/// vignette is archived instead: the vignette stays valid and checkable by its plate.
#[server(endpoint = "vehicles/remove")]
pub async fn remove_vehicle(id: String) -> Result<(), AppError> {
    use crate::features::vignette::store;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vehicle")?;
    if store::remove_vehicle(&state.db, &account, &id)
        .await
        .or_unavailable()?
    {
        leptos_axum::redirect(&format!("{PATH}?removed=1"));
        return Ok(());
    }
    let now = crate::platform::session::now_secs();
    if !store::archive_vehicle(&state.db, &account, &id, now)
        .await
        .or_unavailable()?
    {
        return Err(AppError::refused("vehicle"));
    }
    leptos_axum::redirect(&format!("{PATH}?archived={id}"));
    Ok(())
}

/// Archive (sold, scrapped) or remove (added by mistake: asks first). A vehicle that has had a
/// vignette is only archived: the vignette stays valid and checkable by its plate.
#[component]
pub(super) fn ArchiveOrRemove(vehicle: VehicleView, removable: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="vehicle-actions">
            <form method="post" action=ArchiveVehicle::url()>
                <input type="hidden" name="id" value=vehicle.id.clone() />
                <p class="field__hint">{t!(i18n, vehicles.archive_hint)}</p>
                <Button kind=ButtonKind::Secondary>{t!(i18n, vehicles.archive)}</Button>
            </form>
            {if removable {
                view! { <p><a href=remove_path(&vehicle.id)>{t!(i18n, vehicles.remove)}</a></p> }.into_any()
            } else {
                view! { <p class="field__hint">{t!(i18n, vehicles.kept_for_vignette)}</p> }.into_any()
            }}
        </section>
    }
}

/// `/vehicles/:id/remove`: asks before deleting.
#[component]
pub fn RemovePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = params.read_untracked().get("id").unwrap_or_default();
    let locale = i18n.get_locale_untracked();
    crate::ui::problem::loaded_for(id, load_vehicle_form, move |form| {
        let (vehicle, kept) = match form {
            VehicleFormData {
                vehicle: Some(v),
                has_vignette,
                ..
            } if !v.archived => (v, has_vignette),
            _ => return view! { <NotFound /> }.into_any(),
        };
        // A vehicle that has had a vignette is kept (its vignette stays checkable by
        // its plate): the page says so and archives it.
        let sentence = if kept {
            td_string!(locale, vehicles.archive_title)
        } else {
            td_string!(locale, vehicles.remove_title)
        };
        let title = sentence.replace("{plate}", &vehicle.plate);
        let heading = sentence_with_plate(sentence, vehicle.plate.clone());
        let (lead, action, kind, confirm) = if kept {
            (
                td_string!(locale, vehicles.archive_lead),
                ArchiveVehicle::url(),
                ButtonKind::Secondary,
                td_string!(locale, vehicles.archive_confirm),
            )
        } else {
            (
                td_string!(locale, vehicles.remove_lead),
                RemoveVehicle::url(),
                ButtonKind::Warning,
                td_string!(locale, vehicles.remove_confirm),
            )
        };
        view! {
            <PageTitle text=title />
            <BackLink href=vehicle_path(&vehicle.id) />
            <h1>{heading}</h1>
            <p>{lead.to_string()}</p>
            <form method="post" action=action>
                <input type="hidden" name="id" value=vehicle.id.clone() />
                <Button kind>{confirm.to_string()}</Button>
            </form>
            <p><a href=vehicle_path(&vehicle.id)>{t!(i18n, vehicles.cancel)}</a></p>
        }
        .into_any()
    })
}
