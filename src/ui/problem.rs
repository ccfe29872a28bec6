//! What a page shows when there is nothing to show: the 404 page, and the notice in place of
//! a section whose data could not be read.

use crate::ui::form::PageTitle;
use crate::{error::AppError, i18n::*};
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <PageTitle text=td_string!(i18n.get_locale_untracked(), not_found.title).to_string() />
        <h1>{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.body)}</p>
        <p><a href="/">{t!(i18n, not_found.home_link)}</a></p>
    }
}

/// Shown in place of a page section whose data could not be loaded.
#[component]
pub fn ServiceProblem() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notice notice--problem" role="status">
            <p>{t!(i18n, common.data_unavailable)}</p>
        </div>
    }
}

/// A page made from what `load` (a server function) returns, once it has loaded. If it could
/// not be loaded: "page not found" when it was refused (another account's record, or none),
/// else the "service problem" notice.
pub fn loaded<T, Fut, V>(
    load: impl Fn() -> Fut + Send + Sync + 'static,
    page: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    loaded_for((), move |()| load(), page)
}

/// [`loaded`], for a page whose data depends on `key` (the record in its address).
pub fn loaded_for<K, T, Fut, V>(
    key: K,
    load: impl Fn(K) -> Fut + Send + Sync + 'static,
    page: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    K: Clone + PartialEq + Send + Sync + 'static,
    T: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let resource = Resource::new(move || key.clone(), load);
    view! {
        <Suspense>
            {move || {
                let page = page.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => page(value).into_any(),
                        Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                        Err(_) => view! { <ServiceProblem /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
