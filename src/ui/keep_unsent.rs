//! An island around a journey page's form, so that no answer is lost on a phone that drops out
//! of coverage between two pages.
//!
//! Without JavaScript the form is a plain POST to its server function, which answers with a
//! redirect; nothing here runs. With JavaScript the island sends the same url-encoded body
//! itself and follows the server's redirect. When the answer cannot reach the server (the
//! browser is offline, the network fails, a gateway answers 502–504), the island keeps it in
//! `localStorage`, says so in a live region, and sends it by itself when the connection returns
//! (`online` event, a retry every 20 seconds, or the next time a page with the same form opens).
//! Any other answer from the server (an error page) is left to the browser: the form is posted
//! the plain way, exactly as without JavaScript.
//!
//! Kept: the last unsent body of each form action, for a day at most, removed once sent.
//! Nothing is translated here: islands carry no translations, so the page passes its message in.

use super::island_data::{WithIslandData, island_data};
use crate::island_texts;
use leptos::prelude::*;

/// The page's sentence for the island.
#[derive(Clone)]
struct Waiting {
    message: String,
}
island_texts!(Waiting, "keep-unsent", [message]);

/// The page's form(s) in the island (one per page).
#[component]
pub fn KeepUnsent(
    /// Shown (and announced) while an answer waits for the connection, in the page's language.
    message: String,
    children: Children,
) -> impl IntoView {
    view! {
        <WithIslandData data=Waiting { message }>
            <Keeper>{children()}</Keeper>
        </WithIslandData>
    }
}

#[island(lazy)]
fn Keeper(children: Children) -> impl IntoView {
    crate::ui::hydration::needed("Keeper");
    // Without it (never on a page the server made) the status is announced without words.
    let message = island_data::<Waiting>()
        .map(|w| w.message)
        .unwrap_or_default();
    let waiting = RwSignal::new(false);
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let on_submit = browser::wire(root, waiting);
    #[cfg(not(feature = "hydrate"))]
    let on_submit = |_: leptos::ev::SubmitEvent| {};
    view! {
        <div class="keep-unsent" node_ref=root on:submit=on_submit>
            {children()}
            <p class="form-status" role="status">
                {move || waiting.get().then(|| message.clone())}
            </p>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use gloo_timers::callback::Interval;
    use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        FormData, Headers, HtmlButtonElement, HtmlFormElement, HtmlInputElement, RequestInit,
        Response, UrlSearchParams,
    };

    /// A kept answer older than this is dropped: the server's draft is gone by then.
    const MAX_AGE_MS: i64 = 24 * 3600 * 1000;
    /// While an answer waits although the browser believes it is online (the server, not the
    /// phone, was unreachable), it is retried this often.
    const RETRY_MS: u32 = 20_000;

    /// One submission: where it goes and its url-encoded body.
    #[derive(Clone)]
    struct Submission {
        action: String,
        body: String,
    }

    /// The time in whole milliseconds: an integer, so that writing and reading it does not
    /// bring floating-point formatting and parsing into the bundle.
    fn now_ms() -> i64 {
        js_sys::Date::now() as i64
    }

    fn key(action: &str) -> String {
        format!("bawaba.unsent:{action}")
    }

    fn storage() -> Option<web_sys::Storage> {
        window().local_storage().ok().flatten()
    }

    fn online() -> bool {
        window().navigator().on_line()
    }

    /// Stored as three lines: time, action, body (an URL and an url-encoded body have no
    /// newline), which spares the bundle a JSON library.
    fn keep(s: &Submission) {
        let line = format!("{}\n{}\n{}", now_ms(), s.action, s.body);
        if let Some(storage) = storage() {
            // A full or disabled storage leaves the answer on screen only: nothing else to do.
            let _ = storage.set_item(&key(&s.action), &line);
        }
    }

    fn kept(action: &str) -> Option<Submission> {
        let storage = storage()?;
        let line = storage.get_item(&key(action)).ok()??;
        let mut parts = line.splitn(3, '\n');
        let saved_at: i64 = parts.next()?.parse().ok()?;
        let (action, body) = (parts.next()?.to_string(), parts.next()?.to_string());
        if now_ms() - saved_at > MAX_AGE_MS {
            forget(&action);
            return None;
        }
        Some(Submission { action, body })
    }

    fn forget(action: &str) {
        if let Some(storage) = storage() {
            let _ = storage.remove_item(&key(action));
        }
    }

    enum Outcome {
        /// The server took it and says where to go next.
        Redirect(String),
        /// The answer never reached the server, or a gateway in front of it said so.
        Unreachable,
        /// The server answered something else: let the browser show it the plain way.
        Other,
    }

    /// Posts like the plain form would, but asks for the server function's JSON answer, so the
    /// redirect comes back as a `Location` header instead of being followed. Written with
    /// web-sys: gloo-net's request builder cost this island 3 KiB brotli (measured with
    /// gloo-timers, docs/BENCHMARKS.md), over the 2 KiB a convenience may cost.
    async fn post(s: &Submission) -> Outcome {
        let Ok(headers) = Headers::new() else {
            return Outcome::Other;
        };
        let _ = headers.set("Content-Type", "application/x-www-form-urlencoded");
        let _ = headers.set("Accept", "application/json");
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&s.body));
        let Ok(value) = JsFuture::from(window().fetch_with_str_and_init(&s.action, &init)).await
        else {
            return Outcome::Unreachable;
        };
        let response: Response = value.unchecked_into();
        match response.status() {
            502..=504 => Outcome::Unreachable,
            200..=299 => match response.headers().get("Location") {
                Ok(Some(location)) => Outcome::Redirect(location),
                _ => Outcome::Other,
            },
            _ => Outcome::Other,
        }
    }

    /// Posts a submission as a plain form, the way the browser would without JavaScript.
    fn post_plainly(s: &Submission) {
        let document = document();
        let Ok(form) = document.create_element("form") else {
            return;
        };
        let form: HtmlFormElement = form.unchecked_into();
        form.set_method("post");
        form.set_action(&s.action);
        form.set_hidden(true);
        if let Ok(params) = UrlSearchParams::new_with_str(&s.body) {
            for pair in params.entries() {
                let Ok(pair) = pair else { continue };
                let pair: js_sys::Array = pair.unchecked_into();
                let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string())
                else {
                    continue;
                };
                if let Ok(input) = document.create_element("input") {
                    let input: HtmlInputElement = input.unchecked_into();
                    input.set_type("hidden");
                    input.set_name(&name);
                    input.set_value(&value);
                    let _ = form.append_child(&input);
                }
            }
        }
        if let Some(body) = document.body() {
            let _ = body.append_child(&form);
            let _ = form.submit();
        }
    }

    /// Sends one submission and acts on the outcome; `busy` prevents a second send meanwhile.
    fn send(s: Submission, waiting: RwSignal<bool>, busy: StoredValue<bool>) {
        if busy.get_value() {
            return;
        }
        busy.set_value(true);
        spawn_local(async move {
            match post(&s).await {
                Outcome::Redirect(location) => {
                    forget(&s.action);
                    let _ = window().location().assign(&location);
                }
                Outcome::Unreachable => {
                    keep(&s);
                    waiting.set(true);
                    busy.set_value(false);
                }
                Outcome::Other => {
                    forget(&s.action);
                    post_plainly(&s);
                }
            }
        });
    }

    /// The actions of the forms inside the island.
    fn actions(root: NodeRef<leptos::html::Div>) -> Vec<String> {
        let Some(root) = root.get_untracked() else {
            return Vec::new();
        };
        let Ok(forms) = root.query_selector_all("form") else {
            return Vec::new();
        };
        (0..forms.length())
            .filter_map(|i| forms.item(i))
            .filter_map(|node| node.dyn_into::<HtmlFormElement>().ok())
            .map(|form| form.action())
            .collect()
    }

    /// Sends whatever this island's forms have kept, if the browser is online.
    fn resend(root: NodeRef<leptos::html::Div>, waiting: RwSignal<bool>, busy: StoredValue<bool>) {
        for action in actions(root) {
            if let Some(s) = kept(&action) {
                waiting.set(true);
                if online() {
                    send(s, waiting, busy);
                }
            }
        }
    }

    /// Sets up keeping and resending for the island; returns its submit handler.
    pub fn wire(
        root: NodeRef<leptos::html::Div>,
        waiting: RwSignal<bool>,
    ) -> impl Fn(SubmitEvent) + 'static {
        let busy = StoredValue::new(false);
        // An answer kept on an earlier visit is sent now, or shown as waiting.
        Effect::new(move |_| resend(root, waiting, busy));
        let on_online =
            window_event_listener(leptos::ev::online, move |_| resend(root, waiting, busy));
        // Dropped with the island, which clears it.
        let retry = StoredValue::new_local(Some(Interval::new(RETRY_MS, move || {
            if waiting.get_untracked() {
                resend(root, waiting, busy)
            }
        })));
        on_cleanup(move || {
            on_online.remove();
            retry.set_value(None);
        });

        move |ev: SubmitEvent| {
            let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            else {
                return;
            };
            if !form.method().eq_ignore_ascii_case("post") {
                return;
            }
            // The button pressed is part of the answer ("Continue" or "Back" in one form).
            let Ok(data) = FormData::new_with_form(&form) else {
                return; // the browser posts it the plain way
            };
            if let Some(button) = ev
                .submitter()
                .and_then(|b| b.dyn_into::<HtmlButtonElement>().ok())
                .filter(|b| !b.name().is_empty())
            {
                let _ = data.append_with_str(&button.name(), &button.value());
            }
            let Ok(params) = UrlSearchParams::new_with_str_sequence_sequence(&data) else {
                return; // the browser posts it the plain way
            };
            ev.prevent_default();
            let s = Submission {
                action: form.action(),
                body: params.to_string().into(),
            };
            if online() {
                send(s, waiting, busy);
            } else {
                keep(&s);
                waiting.set(true);
            }
        }
    }
}
