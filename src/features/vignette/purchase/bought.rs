//! `/vignette/bought/:order`: the vignette bought (the confirmation page, and the page kept
//! afterwards), its PDF, and a free duplicate for a lost one.

use super::*;
#[cfg(feature = "ssr")]
use crate::error::OrUnavailable;
use crate::features::vignette::form::FormText;
use crate::ui::form::PageTitle;
use crate::{
    error::AppError,
    features::payments::pages::{Waiting, order_path},
    ui::text::{Ltr, LtrLong, MoneyText, SummaryRow},
};
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

/// A vignette as its owner's page shows it: what its PDF shows, and where its e-mail went.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VignetteView {
    pub order_id: String,
    pub document: crate::features::vignette::document::VignetteDocument,
    pub email: String,
    /// The QR code as SVG (the address it holds is `document.qr`).
    pub qr_svg: Option<String>,
}

/// What the confirmation address shows: the vignette, or that the payment is not through yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Bought {
    Vignette(Box<VignetteView>),
    /// Paid but not confirmed by the bank yet, or not paid: the order's page says which.
    NotYet {
        order_id: String,
    },
}

/// "I lost my vignette": a duplicate, free, with the same number and marked with its date,
/// e-mailed again (the PDF attached) in the transaction that marks it.
#[server(endpoint = "vignette/reissue")]
pub async fn reissue(order_id: String) -> Result<(), AppError> {
    use crate::features::vignette::store;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    let now = crate::platform::session::now_secs();
    let order = crate::features::payments::engine::owned_order(&state.db, &account, &order_id)
        .await
        .map_err(crate::features::payments::pages::server::not_found)?;
    let mut tx = state.db.begin_write().await.or_unavailable()?;
    let Some(vignette) = store::mark_duplicate(&mut tx, &account, &order_id, now)
        .await
        .or_unavailable()?
    else {
        return Err(AppError::refused("vignette order"));
    };
    let payer = super::fulfil::payer_of(&mut tx, &order)
        .await
        .or_unavailable()?;
    if let Some((email, language)) = &payer {
        let mut outgoing = crate::platform::outbox::Outgoing::default();
        let to = (email.as_str(), language.as_str());
        let public_url = &state.config.public_url;
        super::fulfil::send_vignette(&mut outgoing, &order, &vignette, to, public_url);
        outgoing.write(&mut tx, now).await.or_unavailable()?;
    }
    tx.commit().await.or_unavailable()?;
    leptos_axum::redirect(&format!("{}?reissued=1", bought_path(&order_id)));
    Ok(())
}

#[server(endpoint = "vignette/bought")]
pub async fn load_bought(order_id: String) -> Result<Bought, AppError> {
    use crate::features::vignette::store;
    let state = expect_context::<crate::platform::state::AppState>();
    let account = crate::platform::request::owner("vignette purchase")?;
    // The vignette is looked up with its owner: found, it is this account's.
    let Some((v, email)) = store::vignette_of_order_and_email(&state.db, &account, &order_id)
        .await
        .or_unavailable()?
    else {
        // Someone else's order is "not found", like one that does not exist.
        crate::features::payments::engine::owned_order(&state.db, &account, &order_id)
            .await
            .map_err(crate::features::payments::pages::server::not_found)?;
        return Ok(Bought::NotYet { order_id });
    };
    let document =
        crate::features::vignette::document::VignetteDocument::new(&v, &state.config.public_url);
    Ok(Bought::Vignette(Box::new(VignetteView {
        order_id: v.order_id,
        qr_svg: document
            .qr
            .as_deref()
            .and_then(crate::platform::qr::seal_svg),
        document,
        email,
    })))
}

/// `GET /vignette/bought/{order}/pdf`: the vignette and its receipt as a PDF, in the reader's
/// language, for its owner only (anyone else: 404, as for the page).
#[cfg(feature = "ssr")]
pub async fn download(
    axum::extract::State(state): axum::extract::State<crate::platform::state::AppState>,
    axum::extract::Path(order_id): axum::extract::Path<String>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use crate::features::vignette::document::{VignetteDocument, pdf};
    let account = crate::platform::session::account_of(&req).ok_or(AppError::NotFound)?;
    let vignette =
        crate::features::vignette::store::vignette_of_order(&state.db, &account, &order_id)
            .await
            .or_unavailable()?
            .ok_or(AppError::NotFound)?;
    let doc = VignetteDocument::new(&vignette, &state.config.public_url);
    let locale = crate::platform::locale::from_headers(req.headers());
    let bytes = pdf(&doc, locale).or_unavailable()?;
    Ok(crate::platform::http::attachment(
        "application/pdf",
        &doc.file_name(),
        bytes,
    ))
}

/// `/vignette/bought/:order`: the vignette, number in large type (the confirmation page after
/// paying, and the vignette's page afterwards).
#[component]
pub fn BoughtPage() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let params = use_params_map();
    let query = use_query_map();
    let id = params.read_untracked().get("order").unwrap_or_default();
    crate::ui::problem::loaded_for(id, load_bought, move |bought| match bought {
        Bought::NotYet { order_id } => view! {
            <Waiting>
                <p>{t!(i18n, purchase.not_yet)}</p>
                <p><a href=order_path(&order_id)>{t!(i18n, payments.back_to_order)}</a></p>
            </Waiting>
        }
        .into_any(),
        Bought::Vignette(v) => {
            let reissued = query.read_untracked().get("reissued").is_some();
            view! { <VignetteDetails v=*v locale reissued /> }.into_any()
        }
    })
}

#[component]
fn VignetteDetails(v: VignetteView, locale: Locale, reissued: bool) -> impl IntoView {
    let i18n = use_i18n();
    let text = FormText::build(locale);
    let d = v.document;
    let title = td_string!(locale, purchase.bought_title, year = d.campaign_year).to_string();
    let valid_until = crate::domain::date::Date::parse_iso(&d.valid_until)
        .map(|d| format!("{:02}/{:02}/{}", d.day, d.month, d.year))
        .unwrap_or_else(|| d.valid_until.clone());
    let issued = crate::domain::date::utc_time(d.issued_at);
    let category = text.get(&format!("category_{}", d.category));
    let amount = d.amount();
    let duplicate = d.duplicate_issued_at.map(|at| {
        let text = td_string!(
            locale,
            purchase.pdf_duplicate,
            date = crate::domain::date::utc_time(at)
        )
        .to_string();
        view! { <p class="tag">{text}</p> }
    });
    let qr = v.qr_svg.zip(d.qr.clone()).map(|(svg, address)| view! {
        <figure class="vignette-qr">
            <div role="img" aria-label=td_string!(locale, purchase.qr_label) inner_html=svg></div>
            <figcaption>
                {t!(i18n, purchase.qr_caption)} " "
                <a href=address>{t!(i18n, purchase.qr_check_link)}</a>
            </figcaption>
        </figure>
    });
    view! {
        <PageTitle text=title.clone() />
        {reissued.then(|| view! {
            <div class="panel panel--info" role="status"><p>{t!(i18n, purchase.reissued)}</p></div>
        })}
        <div class="panel panel--success vignette-issued">
            <h1>{title}</h1>
            <p>{t!(i18n, purchase.number_label)}</p>
            <p class="vignette-number" dir="ltr">{d.number}</p>
        </div>
        {duplicate}
        <dl class="summary-list">
            <SummaryRow label=text.get("plate_label")><Ltr>{d.plate}</Ltr></SummaryRow>
            <SummaryRow label=text.get("vin_label")><LtrLong>{d.vin}</LtrLong></SummaryRow>
            <SummaryRow label=text.get("category_label")>{category}</SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_campaign)}>{d.campaign_year}</SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_valid_until)}><Ltr>{valid_until}</Ltr></SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_amount)}>{amount.map(|amount| view! { <MoneyText amount /> })}</SummaryRow>
            <SummaryRow label={t!(i18n, payments.reference)}><LtrLong>{d.payment_reference}</LtrLong></SummaryRow>
            <SummaryRow label={t!(i18n, purchase.row_issued)}><Ltr>{issued}</Ltr></SummaryRow>
        </dl>
        {qr}
        <p><a class="button" href=pdf_path(&v.order_id) download="">{t!(i18n, purchase.download_pdf)}</a></p>
        <p>{t!(i18n, purchase.receipt_emailed)} " " <LtrLong>{v.email.clone()}</LtrLong></p>
        <h2>{t!(i18n, purchase.lost_title)}</h2>
        <p>{t!(i18n, purchase.lost_lead)}</p>
        <form method="post" action=Reissue::url()>
            <input type="hidden" name="order_id" value=v.order_id.clone() />
            <button type="submit" class="button button--secondary">{t!(i18n, purchase.reissue)}</button>
        </form>
        <p><a href=PATH>{t!(i18n, purchase.back_to_vehicles)}</a></p>
    }
}
