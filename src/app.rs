//! The HTML shell, the root component and the routes table (the site map).

use crate::{
    features::{accounts, home::HomePage, idcard, info, payments, vignette},
    i18n::*,
    ui::{layout::Layout, problem::NotFound},
};
use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The document around the app, rendered on the server only. `<html lang dir>` is filled in by
/// the localisation context (see `App`) through leptos_meta.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        set_page_headers();
        crate::ui::hydration::prepare(options.clone());
    }
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <meta name="theme-color" content="#0b5d4b" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                // The offline page and the precached shell, on every page (most load no
                // WebAssembly: see ui::hydration). Without JavaScript, a plain website.
                <script type="module" nonce=leptos::nonce::use_nonce()>
                    "if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});"
                </script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy carries the nonce Leptos puts on its inline scripts.
/// The language depends on the cookie and Accept-Language, so caches must key on both.
#[cfg(feature = "ssr")]
fn set_page_headers() {
    use http::{HeaderValue, header};
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(csp) = HeaderValue::from_str(&crate::platform::security::page_csp(&nonce)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, csp);
    }
    res.insert_header(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_locale();
    view! {
        <Html
            attr:lang=move || leptos_i18n::Locale::as_str(i18n.get_locale())
            attr:dir=move || leptos_i18n::Locale::direction(i18n.get_locale()).as_str()
        />
        <Titles />
        <Router>
            <Layout account=accounts::account_link::AccountLink>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/vignette") view=vignette::StartPage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/calculator") view=vignette::calculator::CalculatorPage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/buy") view=vignette::purchase::choose::ChoosePage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/buy/:vehicle") view=vignette::purchase::quote::QuotePage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/bought/:order") view=vignette::purchase::bought::BoughtPage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/verify") view=vignette::verify::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/verify/offline") view=vignette::verify::OfflinePage ssr=SsrMode::Async />
                    <Route path=path!("/vignette/reminders/stop/:token") view=vignette::reminders::StopPage ssr=SsrMode::Async />
                    <Route path=path!("/vehicles") view=vignette::vehicles::VehiclesPage ssr=SsrMode::Async />
                    <Route path=path!("/vehicles/add") view=vignette::vehicles::edit::VehicleFormPage ssr=SsrMode::Async />
                    <Route path=path!("/vehicles/import") view=vignette::import::ImportPage />
                    <Route path=path!("/vehicles/import/report/:id") view=vignette::import::ReportPage ssr=SsrMode::Async />
                    <Route path=path!("/vehicles/:id") view=vignette::vehicles::edit::VehicleFormPage ssr=SsrMode::Async />
                    <Route path=path!("/vehicles/:id/remove") view=vignette::vehicles::remove::RemovePage ssr=SsrMode::Async />
                    <Route path=path!("/id-card") view=idcard::StartPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/eligibility/check") view=idcard::eligibility::CheckPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/eligibility/result") view=idcard::eligibility::ResultPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/eligibility/:step") view=idcard::eligibility::StepPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/apply") view=idcard::apply::ApplyPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications") view=idcard::list::ApplicationsPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id") view=idcard::tasks::TaskListPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/documents") view=idcard::documents::DocumentsPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/check") view=idcard::check::CheckPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/pay") view=idcard::pay::PayPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/appointment") view=idcard::appointment::page::AppointmentPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/appointment/waitlist") view=idcard::appointment::waitlist::page::WaitlistPage ssr=SsrMode::Async />
                    <Route path=path!("/id-card/applications/:id/:step") view=idcard::pages::FormPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=accounts::register::StartPage />
                    <Route path=path!("/register/check") view=accounts::register::check::CheckPage ssr=SsrMode::Async />
                    <Route path=path!("/register/:step") view=accounts::register::steps::StepPage ssr=SsrMode::Async />
                    <Route path=path!("/account") view=|| view! { <accounts::profile::ProfilePage links=PROFILE_LINKS /> } ssr=SsrMode::Async />
                    <Route path=path!("/account/verify-email") view=accounts::verify::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/account/verify-email/done") view=accounts::verify::DonePage />
                    <Route path=path!("/account/verify-email/link/problem/:reason") view=accounts::verify::LinkProblemPage />
                    <Route path=path!("/account/verify-email/link/:token") view=accounts::verify::LinkPage />
                    <Route path=path!("/account/change-email") view=accounts::contact_change::ChangeEmailPage ssr=SsrMode::Async />
                    <Route path=path!("/account/change-email/code") view=accounts::contact_change::ChangeEmailCodePage ssr=SsrMode::Async />
                    <Route path=path!("/account/change-mobile") view=accounts::contact_change::ChangeMobilePage ssr=SsrMode::Async />
                    <Route path=path!("/account/change-mobile/code") view=accounts::contact_change::ChangeMobileCodePage ssr=SsrMode::Async />
                    <Route path=path!("/account/notifications") view=accounts::notifications::NotificationsPage ssr=SsrMode::Async />
                    <Route path=path!("/account/activity") view=accounts::activity::ActivityPage ssr=SsrMode::Async />
                    <Route path=path!("/account/two-step") view=accounts::two_step::TwoStepPage ssr=SsrMode::Async />
                    <Route path=path!("/account/two-step/app") view=accounts::two_step::app::AppSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/account/two-step/sms") view=accounts::two_step::sms::SmsSetupPage ssr=SsrMode::Async />
                    <Route path=path!("/account/two-step/codes") view=accounts::two_step::codes::RecoveryCodesPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view=accounts::sign_in::SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in/second-step") view=accounts::two_step::second_step::SecondStepPage ssr=SsrMode::Async />
                    <Route path=path!("/sign-in/pass/:token") view=accounts::lock_pass::PassPage />
                    <Route path=path!("/signed-out") view=accounts::sign_in::SignedOutPage />
                    <Route path=path!("/forgotten-password") view=accounts::recovery::RequestPage ssr=SsrMode::Async />
                    <Route path=path!("/forgotten-password/sent") view=accounts::recovery::SentPage />
                    <Route path=path!("/reset-password/done") view=accounts::recovery::DonePage />
                    <Route path=path!("/reset-password/problem/:reason") view=accounts::recovery::ProblemPage />
                    <Route path=path!("/reset-password/:token") view=accounts::recovery::ResetPage ssr=SsrMode::Async />
                    <Route path=path!("/payments/demo") view=payments::pages::DemoPage ssr=SsrMode::Async />
                    <Route path=path!("/payments/order/:id") view=payments::pages::OrderPage ssr=SsrMode::Async />
                    <Route path=path!("/payments/:id") view=payments::pages::PaymentPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/payments") view=payments::admin::report::ReportPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/vehicles/conflicts") view=vignette::admin::ConflictsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/payments/:id") view=payments::admin::payment::PaymentAdminPage ssr=SsrMode::Async />
                    <Route path=path!("/terms") view=info::TermsPage />
                    <Route path=path!("/accessibility") view=info::AccessibilityPage />
                    <Route path=path!("/privacy") view=info::PrivacyPage />
                    <Route path=path!("/help") view=info::HelpPage />
                </Routes>
            </Layout>
        </Router>
    }
}

/// The pages that are the same for every anonymous visitor in a language: the server answers
/// them from memory (`platform::page_cache`, only without a query string and without any cookie
/// but the language's). A page belongs here only if nothing on it depends on who asks;
/// `tests/api/page_cache.rs` renders each twice and compares.
pub const SAME_FOR_EVERYONE: &[&str] = &[
    "/",
    "/vignette",
    "/vignette/calculator",
    "/vignette/verify",
    "/id-card",
    "/terms",
    "/accessibility",
    "/privacy",
    "/help",
];

/// What the services add to the account's profile page.
const PROFILE_LINKS: &[accounts::profile::ServiceLink] = &[
    accounts::profile::ServiceLink {
        href: vignette::vehicles::PATH,
        text: |l| td_string!(l, vehicles.profile_link),
        administrators_only: false,
    },
    accounts::profile::ServiceLink {
        href: payments::admin::REPORT_PATH,
        text: |l| td_string!(l, admin.profile_link),
        administrators_only: true,
    },
    accounts::profile::ServiceLink {
        href: vignette::admin::PATH,
        text: |l| td_string!(l, plate_admin.profile_link),
        administrators_only: true,
    },
];

/// The page's language (the cookie set by `/lang/{code}`, then `Accept-Language`), as the
/// context every `t!` reads. Made here rather than with the library's `I18nContextProvider`
/// because the provider also starts a task that copies the locale into the cookie: on the
/// server that task can first run after the page is rendered and its owner gone, and then
/// panics reading a disposed signal. The context is made under an owner of its own whose side
/// effects are paused (nothing here needs them: pages run on the server, islands carry their
/// own text), kept alive as long as the page.
fn provide_locale() -> leptos_i18n::I18nContext<Locale> {
    // The library reads the language cookie but never writes it: `/lang/{code}` does, with
    // Path=/ and SameSite=Lax. (Written by the library it would lack a Path, and a copy scoped
    // to a deep page would then outlive every later switch.)
    let options = leptos_i18n::context::I18nContextOptions::<Locale>::default()
        .cookie_options(leptos_i18n::context::CookieOptions::<Locale>::default().readonly(true));
    let owner = Owner::new();
    let i18n = owner.with(|| leptos_i18n::context::init_i18n_context_with_options(options));
    owner.pause();
    on_cleanup(move || drop(owner));
    provide_context(i18n);
    i18n
}

/// Every page title ends with the portal's name, in the page's language. (No font to preload:
/// pages use the system's faces, issue 23.)
#[component]
fn Titles() -> impl IntoView {
    let i18n = use_i18n();
    // Read once: the language only changes with a full page load (the switch is a plain link).
    let suffix = td_string!(i18n.get_locale_untracked(), title_suffix).to_string();
    view! { <Title formatter=move |page: String| format!("{page} — {suffix}") /> }
}
