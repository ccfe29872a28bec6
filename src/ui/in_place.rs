//! The steps of one page, loaded in place.
//!
//! A page whose steps are addresses of its own (`?centre=`, then `&day=`) works without
//! JavaScript as plain links and forms, each step a new page. With JavaScript this island
//! keeps the page: a link or a GET form inside it that leads to the same path, and every POST
//! form inside it, is fetched instead of followed, and the region is replaced by the same
//! region of the page the server answers. The server renders every step either way, so the
//! markup, the messages and the checks are the ones a browser without JavaScript gets, and
//! the island carries no view code and no translations.
//!
//! A form marked `data-position="field"` first asks the browser where it is (the browser asks
//! the person) and puts the position, cut to about a kilometre (`domain::geo`), or `unknown`
//! into that field: the centres' list uses it to show the nearest first.
//!
//! What a reload would have done is done by hand: the address goes into the history (Back
//! and Forward load their step), the title and the language links follow the step, focus
//! moves to the error summary or the heading (a screen reader announces the new step), and a
//! second press while a step loads is ignored. When something else comes back (another page,
//! sign-in, an error, no network), the browser is sent there the plain way.

use leptos::prelude::*;

/// The element whose content a step replaces (one per page).
pub const REGION: &str = "in-place";

/// Wraps the page's steps.
#[component]
pub fn InPlace(children: Children) -> impl IntoView {
    view! { <Steps>{children()}</Steps> }
}

#[island(lazy)]
fn Steps(children: Children) -> impl IntoView {
    crate::ui::hydration::needed("Steps");
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let (on_click, on_submit) = browser::wire(root);
    #[cfg(not(feature = "hydrate"))]
    let (on_click, on_submit) = (
        |_: leptos::ev::MouseEvent| {},
        |_: leptos::ev::SubmitEvent| {},
    );
    view! {
        <div id=REGION class="in-place" node_ref=root on:click=on_click on:submit=on_submit>
            {children()}
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::REGION;
    use crate::domain::geo::Point;
    use leptos::{
        ev::{MouseEvent, SubmitEvent},
        prelude::*,
        task::spawn_local,
    };
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        Document, DomParser, Element, FormData, Headers, HtmlElement, HtmlFormElement,
        HtmlInputElement, PositionOptions, RequestInit, Response, SupportedType, Url,
        UrlSearchParams,
    };

    /// What loads a step.
    enum Fetch {
        Get(String),
        Post {
            action: String,
            body: String,
            form: HtmlFormElement,
        },
    }

    /// The address's path and query: what a step is (a fragment is not).
    fn step_of(url: &Url) -> String {
        format!("{}{}", url.pathname(), url.search())
    }

    fn here() -> Option<Url> {
        Url::new(&window().location().href().ok()?).ok()
    }

    /// `href` resolved against this page, if it is a step of this page (same origin and path).
    fn same_page(href: &str) -> Option<Url> {
        let here = here()?;
        let url = Url::new_with_base(href, &here.href()).ok()?;
        (url.origin() == here.origin() && url.pathname() == here.pathname()).then_some(url)
    }

    /// The click and submit handlers of the region, and the history's Back and Forward.
    pub fn wire(
        root: NodeRef<leptos::html::Div>,
    ) -> (
        impl Fn(MouseEvent) + 'static,
        impl Fn(SubmitEvent) + 'static,
    ) {
        let busy = StoredValue::new(false);
        let shown = StoredValue::new(here().map(|u| step_of(&u)).unwrap_or_default());
        // Back or Forward to another step of the page (not a jump to a `#field` on this one).
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            let Some(url) = here() else { return };
            if step_of(&url) != shown.get_value() && !busy.get_value() {
                go(Fetch::Get(url.href()), false, root, busy, shown);
            }
        });
        let on_click = move |ev: MouseEvent| {
            if ev.default_prevented()
                || ev.button() != 0
                || ev.ctrl_key()
                || ev.meta_key()
                || ev.shift_key()
                || ev.alt_key()
            {
                return;
            }
            let Some(link) = ev
                .target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|e| e.closest("a[href]").ok().flatten())
            else {
                return;
            };
            let href = link.get_attribute("href").unwrap_or_default();
            if href.starts_with('#')
                || link.has_attribute("download")
                || link.has_attribute("target")
            {
                return;
            }
            let Some(url) = same_page(&href) else { return };
            ev.prevent_default();
            if !busy.get_value() {
                go(Fetch::Get(url.href()), true, root, busy, shown);
            }
        };
        let on_submit = move |ev: SubmitEvent| {
            if ev.default_prevented() {
                return;
            }
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            // A form that asks where the browser is: the position first, then the step.
            if let Some(field) = form.get_attribute("data-position") {
                ev.prevent_default();
                if !busy.get_value() {
                    busy.set_value(true);
                    spawn_local(async move {
                        let near = position().await;
                        busy.set_value(false);
                        if let Ok(Some(input)) =
                            form.query_selector(&format!("input[name={field}]"))
                            && let Ok(input) = input.dyn_into::<HtmlInputElement>()
                        {
                            input.set_value(&near);
                        }
                        if let Some(url) = encoded(&form, None)
                            .and_then(|body| same_page(&form.action()).map(|u| (u, body)))
                            .map(|(url, body)| {
                                url.set_search(&body);
                                url.href()
                            })
                        {
                            go(Fetch::Get(url), true, root, busy, shown);
                        }
                    });
                }
                return;
            }
            let Some(body) = encoded(&form, ev.submitter()) else {
                return;
            };
            let fetch = if form.method().eq_ignore_ascii_case("post") {
                Fetch::Post {
                    action: form.action(),
                    body,
                    form,
                }
            } else {
                let Some(url) = same_page(&form.action()) else {
                    return;
                };
                url.set_search(&body);
                Fetch::Get(url.href())
            };
            // Also while a step loads: a second press must not post twice.
            ev.prevent_default();
            if !busy.get_value() {
                go(fetch, true, root, busy, shown);
            }
        };
        (on_click, on_submit)
    }

    /// Where the browser is, as `geo::Point::query` writes it (cut to about a kilometre), or
    /// `unknown` when the person declines or the browser cannot tell.
    async fn position() -> String {
        let ask = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
            let answer = |resolve: js_sys::Function| {
                Closure::once_into_js(move |found: JsValue| {
                    let _ = resolve.call1(&JsValue::NULL, &found);
                })
            };
            let (found, failed) = (answer(resolve.clone()), answer(resolve.clone()));
            let options = PositionOptions::new();
            options.set_timeout(15_000);
            options.set_maximum_age(600_000);
            let asked = window().navigator().geolocation().and_then(|g| {
                g.get_current_position_with_error_callback_and_options(
                    found.unchecked_ref(),
                    Some(failed.unchecked_ref()),
                    &options,
                )
            });
            if asked.is_err() {
                let _ = resolve.call1(&JsValue::NULL, &JsValue::NULL);
            }
        });
        let found = JsFuture::from(ask).await.ok();
        let degrees = |of: &JsValue, name: &str| {
            let value = js_sys::Reflect::get(of, &JsValue::from_str(name))
                .ok()?
                .as_f64()?;
            Some((value * 1e6).round() as i32)
        };
        found
            .and_then(|p| js_sys::Reflect::get(&p, &JsValue::from_str("coords")).ok())
            .and_then(|c| Point::new(degrees(&c, "latitude")?, degrees(&c, "longitude")?))
            .map(Point::query)
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// The form's answers url-encoded, with the pressed button's name and value if it has one.
    fn encoded(form: &HtmlFormElement, submitter: Option<HtmlElement>) -> Option<String> {
        let data = FormData::new_with_form(form).ok()?;
        if let Some(button) = submitter
            && let Some(name) = button.get_attribute("name").filter(|n| !n.is_empty())
        {
            let value = button.get_attribute("value").unwrap_or_default();
            data.append_with_str(&name, &value).ok()?;
        }
        let params = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        Some(params.to_string().into())
    }

    /// Loads a step and shows it, or sends the browser there the plain way.
    fn go(
        fetch: Fetch,
        push: bool,
        root: NodeRef<leptos::html::Div>,
        busy: StoredValue<bool>,
        shown: StoredValue<String>,
    ) {
        busy.set_value(true);
        let region = root.get_untracked();
        if let Some(region) = &region {
            let _ = region.set_attribute("aria-busy", "true");
        }
        spawn_local(async move {
            let answer = load(&fetch).await;
            let shown_now = match (&answer, &region) {
                (Some((url, page)), Some(region)) => show(region, url, page, push),
                _ => None,
            };
            if let Some(region) = &region {
                let _ = region.remove_attribute("aria-busy");
            }
            busy.set_value(false);
            match shown_now {
                Some(step) => shown.set_value(step),
                None => plainly(fetch, answer.map(|(url, _)| url)),
            }
        });
    }

    /// The page the server answers (after its redirects) and its address; `None` when it is
    /// not a page (an error status, no network).
    async fn load(fetch: &Fetch) -> Option<(String, Document)> {
        let headers = Headers::new().ok()?;
        let _ = headers.set("Accept", "text/html");
        let init = RequestInit::new();
        init.set_headers(&headers);
        let url = match fetch {
            Fetch::Get(url) => url,
            Fetch::Post { action, body, .. } => {
                let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
                init.set_method("POST");
                init.set_body(&JsValue::from_str(body));
                action
            }
        };
        let response: Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
            .await
            .ok()?
            .unchecked_into();
        if !response.ok() {
            return None;
        }
        let text = JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()?;
        let page = DomParser::new()
            .ok()?
            .parse_from_string(&text, SupportedType::TextHtml)
            .ok()?;
        Some((response.url(), page))
    }

    /// Puts the answered step in place; `None` if the answer is not a step of this page.
    fn show(region: &Element, url: &str, page: &Document, push: bool) -> Option<String> {
        let url = same_page(url)?;
        let step = page.get_element_by_id(REGION)?;
        region.set_inner_html(&step.inner_html());
        let document = document();
        document.set_title(&page.title());
        // The language links carry the address to come back to.
        if let (Ok(Some(mine)), Ok(Some(theirs))) = (
            document.query_selector(".lang-switch"),
            page.query_selector(".lang-switch"),
        ) {
            mine.set_inner_html(&theirs.inner_html());
        }
        if push && let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&url.href()));
        }
        // What a screen reader announces and where the keyboard goes on: the errors, if any,
        // else the step's heading.
        let target = region
            .query_selector(".error-summary")
            .ok()
            .flatten()
            .or_else(|| region.query_selector("h1").ok().flatten());
        window().scroll_to_with_x_and_y(0.0, 0.0);
        if let Some(target) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
            if !target.has_attribute("tabindex") {
                let _ = target.set_attribute("tabindex", "-1");
            }
            let _ = target.focus();
        }
        Some(step_of(&url))
    }

    /// What the browser would have done without the island: follow the link, post the form,
    /// or (a post the server took, answered with another page) open that page.
    fn plainly(fetch: Fetch, answered: Option<String>) {
        match (fetch, answered) {
            (Fetch::Get(url), _) => {
                let _ = window().location().assign(&url);
            }
            // The server took the post and led elsewhere (after its redirect): go there.
            (Fetch::Post { action, .. }, Some(url)) if url != action => {
                let _ = window().location().assign(&url);
            }
            // Refused, or not sent at all: the browser posts it and shows what comes back.
            (Fetch::Post { form, .. }, _) => {
                let _ = form.submit();
            }
        }
    }
}
