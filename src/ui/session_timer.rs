//! The idle-session warning of UX.md: two minutes before a signed-in session would end for
//! lack of activity, a dialog says so and offers to stay signed in; if nothing is done, it
//! says the session has ended and links to the sign-in page. Saved answers are in the
//! database, so nothing typed on an earlier page is lost either way.
//!
//! "Stay signed in" posts to `/account/session/extend`, which (like any request) slides the
//! session and answers the seconds now left as plain text (no JSON library in the bundle).
//! Without JavaScript nothing shows: the session simply ends after 30 idle minutes.

use super::island_data::{IslandData, WithIslandData, island_data};
use crate::i18n::*;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Quiet,
    Warning,
    Ended,
}

/// Shown this long before the session ends.
pub const WARN_SECS: i64 = 120;

/// What the island is given: the time left, and the sentences in the page's language
/// (islands carry no translations).
#[derive(Clone)]
struct Timer {
    /// Seconds until the session ends if no request comes.
    seconds_left: i64,
    warning: String,
    extend_label: String,
    ended: String,
    sign_in_label: String,
    sign_in_href: String,
}

impl IslandData for Timer {
    const ID: &'static str = "session-timer";

    fn write(&self) -> Vec<(&'static str, String)> {
        vec![
            ("seconds_left", self.seconds_left.to_string()),
            ("warning", self.warning.clone()),
            ("extend_label", self.extend_label.clone()),
            ("ended", self.ended.clone()),
            ("sign_in_label", self.sign_in_label.clone()),
            ("sign_in_href", self.sign_in_href.clone()),
        ]
    }

    fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        Some(Self {
            seconds_left: text("seconds_left")?.parse().ok()?,
            warning: text("warning")?,
            extend_label: text("extend_label")?,
            ended: text("ended")?,
            sign_in_label: text("sign_in_label")?,
            sign_in_href: text("sign_in_href")?,
        })
    }
}

/// The dialog for a session ending in `seconds_left`, in the page's language.
#[component]
pub fn SessionTimer(
    seconds_left: i64,
    /// Where "Sign in again" leads once the session has ended.
    sign_in_href: &'static str,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let timer = Timer {
        seconds_left,
        warning: td_string!(locale, account.timeout_warning).to_string(),
        extend_label: td_string!(locale, account.timeout_extend).to_string(),
        ended: td_string!(locale, account.timeout_ended).to_string(),
        sign_in_label: td_string!(locale, account.sign_in_link).to_string(),
        sign_in_href: sign_in_href.to_string(),
    };
    view! {
        <WithIslandData data=timer>
            <SessionTimerIsland />
        </WithIslandData>
    }
}

// Not lazy: it is on every signed-in page, so its code is in the main module rather than in
// chunks of its own (which cost more bytes and a fetch; issue 23).
#[island]
fn SessionTimerIsland() -> impl IntoView {
    crate::ui::hydration::needed_eager();
    // Without it (never on a page the server made) nothing shows, as without JavaScript.
    let Timer {
        seconds_left,
        warning,
        extend_label,
        ended,
        sign_in_label,
        sign_in_href,
    } = island_data::<Timer>()?;
    let phase = RwSignal::new(Phase::Quiet);
    let button = NodeRef::<leptos::html::Button>::new();
    #[cfg(feature = "hydrate")]
    let extend = browser::start(phase, button, seconds_left);
    #[cfg(not(feature = "hydrate"))]
    let extend = {
        let _ = (seconds_left, button);
        |_: leptos::ev::MouseEvent| {}
    };
    Some(view! {
        <div
            class="session-timer"
            role="alertdialog"
            aria-labelledby="session-timer-text"
            hidden=move || phase.get() != Phase::Warning
        >
            <p id="session-timer-text">{warning}</p>
            <button type="button" class="button" node_ref=button on:click=extend>
                {extend_label}
            </button>
        </div>
        <div class="session-timer" role="alert" hidden=move || phase.get() != Phase::Ended>
            {move || (phase.get() == Phase::Ended).then(|| view! {
                <p>{ended.clone()} " " <a href=sign_in_href.clone()>{sign_in_label.clone()}</a></p>
            })}
        </div>
    })
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Phase, WARN_SECS};
    use gloo_timers::callback::Timeout;
    use leptos::{prelude::*, task::spawn_local};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{RequestInit, Response};

    const EXTEND_URL: &str = "/account/session/extend";

    /// Arms the timers for a session ending in `seconds_left`; returns the button's handler.
    /// Arming again (after "Stay signed in") replaces the timers: a dropped `Timeout` is
    /// cleared, so the earlier ones never fire.
    pub fn start(
        phase: RwSignal<Phase>,
        button: NodeRef<leptos::html::Button>,
        seconds_left: i64,
    ) -> impl Fn(leptos::ev::MouseEvent) + 'static {
        let timers = StoredValue::new_local(Vec::<Timeout>::new());
        let arm = move |seconds: i64| {
            let ms = |s: i64| (s.max(0) as u32).saturating_mul(1000);
            let warn = Timeout::new(ms(seconds - WARN_SECS), move || {
                phase.set(Phase::Warning);
                if let Some(b) = button.get_untracked() {
                    let _ = b.focus();
                }
            });
            let end = Timeout::new(ms(seconds), move || phase.set(Phase::Ended));
            timers.set_value(vec![warn, end]);
        };
        arm(seconds_left);
        move |_| {
            spawn_local(async move {
                match extend().await {
                    Some(seconds) if seconds > 0 => {
                        phase.set(Phase::Quiet);
                        arm(seconds);
                    }
                    _ => phase.set(Phase::Ended),
                }
            })
        }
    }

    /// The seconds left after the extension, or `None` if the session has already ended.
    /// Written with web-sys, as the kept-answers island's post is (gloo-net costs 3 KiB).
    async fn extend() -> Option<i64> {
        let init = RequestInit::new();
        init.set_method("POST");
        let response = JsFuture::from(window().fetch_with_str_and_init(EXTEND_URL, &init))
            .await
            .ok()?;
        let response: Response = response.unchecked_into();
        if !response.ok() {
            return None;
        }
        let text = JsFuture::from(response.text().ok()?).await.ok()?;
        JsValue::as_string(&text)?.trim().parse().ok()
    }
}
