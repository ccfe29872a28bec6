//! The island's state (`FormState`): the answers as typed, re-checked with the same pure
//! rules as the server's, and the error summary.

use super::*;
use crate::domain::{
    reference::TariffBasis,
    tariff::{self},
    vehicle::field,
};
use std::collections::BTreeMap;

/// The state of a vehicle form's island (all handles: `Copy`).
#[derive(Clone, Copy)]
pub struct FormState {
    pub data: StoredValue<TariffData>,
    pub text: StoredValue<FormText>,
    /// The answers as the browser holds them (as the server received them, before).
    pub values: RwSignal<BTreeMap<String, String>>,
    pub submitted: RwSignal<bool>,
    /// The campaign year the category's tariff is read for.
    pub year: Signal<Option<i32>>,
    /// Every (field, problem code) of the answers, as they stand.
    pub problems: Signal<Vec<(String, String)>>,
    /// The problems when the form was last sent: the summary lists these and changes only
    /// when the form is sent again (a summary growing or shrinking as fields are left would
    /// move the button from under the user's finger).
    pub summary: RwSignal<Vec<(String, String)>>,
}

impl FormState {
    pub fn new(
        data: StoredValue<TariffData>,
        text: StoredValue<FormText>,
        values: RwSignal<BTreeMap<String, String>>,
        submitted: bool,
        year: Signal<Option<i32>>,
        problems: Signal<Vec<(String, String)>>,
    ) -> Self {
        let summary = if submitted {
            problems.get_untracked()
        } else {
            Vec::new()
        };
        Self {
            data,
            text,
            values,
            submitted: RwSignal::new(submitted),
            year,
            problems,
            summary: RwSignal::new(summary),
        }
    }

    /// The form was sent: every problem shows, and the summary lists them.
    pub fn sent(self) {
        if !self.submitted.get_untracked() {
            self.submitted.set(true);
        }
        self.summary.set(self.problems.get_untracked());
    }

    pub fn t(self, key: &str) -> String {
        self.text.with_value(|t| t.get(key))
    }

    /// What the chosen category's outcome depends on, once a category and a campaign are known.
    fn asked(self) -> Option<tariff::Asked> {
        let category = self
            .values
            .with(|v| v.get(field::CATEGORY).and_then(|c| c.trim().parse().ok()));
        let (c, y) = category.zip(self.year.get())?;
        Some(self.data.with_value(|d| d.asked(c, y)))
    }

    /// Whether the chosen category's tariff is measured on `basis`.
    pub fn needs(self, basis: TariffBasis) -> bool {
        self.asked().is_some_and(|a| a.basis == Some(basis))
    }

    /// Whether the fuel can change the outcome (asked until a category says otherwise).
    pub fn asks_fuel(self) -> bool {
        self.asked().is_none_or(|a| a.fuel)
    }

    /// Whether the first registration is in the campaign's year (then its day is asked).
    pub fn registered_in_campaign_year(self) -> bool {
        let year = self
            .values
            .with(|v| v.get(field::YEAR).map(|y| y.trim().to_string()));
        year.zip(self.year.get())
            .is_some_and(|(y, c)| y == c.to_string())
    }
}

/// The problems when the form was last sent, above it, each linking to its field.
#[component]
pub fn ProblemSummary(state: FormState) -> impl IntoView {
    let autofocus = state.submitted.get_untracked();
    move || {
        let problems = state.summary.get();
        (!problems.is_empty()).then(|| {
            let items = problems
                .into_iter()
                .map(|(field, code)| {
                    let message = state.t(&format!("err_{code}"));
                    view! { <li><a href=format!("#{field}")>{message}</a></li> }
                })
                .collect_view();
            view! {
                <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus=autofocus id="error-summary">
                    <h2 id="error-summary-title" class="error-summary__title">{state.t("summary_title")}</h2>
                    <ul class="error-summary__list">{items}</ul>
                </div>
            }
        })
    }
}

/// The server's form inside an island, with the problem summary above it. In the browser its
/// fields follow `state` (see `browser::follow`), every change reads the answers back into
/// `state.values` (after `before_read`), and sending reads them, marks the form sent and then
/// runs `after_submit`, which decides whether the post goes ahead.
#[component]
pub fn FollowedForm<F>(
    state: FormState,
    fields: &'static [&'static str],
    #[prop(optional)] before_read: Option<Callback<()>>,
    after_submit: F,
    children: Children,
) -> impl IntoView
where
    F: Fn(leptos::ev::SubmitEvent) + 'static,
{
    let root = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    let (on_change, on_submit) = {
        super::browser::follow(state, fields);
        let read = move || {
            if let Some(f) = root
                .get_untracked()
                .and_then(|r| super::browser::form_in(&r))
            {
                if let Some(before) = before_read {
                    before.run(());
                }
                state.values.set(super::browser::read(&f, fields));
            }
        };
        let on_submit = move |e: leptos::ev::SubmitEvent| {
            read();
            state.sent();
            after_submit(e);
        };
        (move |_: leptos::ev::Event| read(), on_submit)
    };
    #[cfg(not(feature = "hydrate"))]
    let (on_change, on_submit) = {
        let _ = (fields, before_read, after_submit);
        (|_: leptos::ev::Event| {}, |_: leptos::ev::SubmitEvent| {})
    };
    view! {
        <ProblemSummary state />
        <div node_ref=root on:input=on_change on:change=on_change on:submit=on_submit>
            {children()}
        </div>
    }
}
