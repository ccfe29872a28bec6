//! The two pages every journey has: a question page (the way back, where the user is, the
//! errors, one form that posts the page's fields) and the check-your-answers list. The
//! registration and the ID card's eligibility both use them, and the next journey should.

use super::{
    form::{BackLink, Button, ErrorSummary, FieldError, StepIndicator, page_title},
    keep_unsent::KeepUnsent,
};
use crate::i18n::*;
use crate::ui::form::PageTitle;
use leptos::prelude::*;

/// One page of a journey. `heading` is false where the page's only question is its heading
/// (a legend shown as `<h1>`), so the title is not said twice.
#[component]
pub fn QuestionPage(
    title: String,
    #[prop(optional)] heading: bool,
    #[prop(into)] back: String,
    progress: (u32, u32),
    errors: Vec<FieldError>,
    /// Where the form posts (the journey's server function).
    #[prop(into)]
    action: String,
    /// The page's id, posted with its fields.
    step: String,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let (current, total) = progress;
    let kept = td_string!(locale, common.answer_kept_offline).to_string();
    view! {
        <PageTitle text=page_title(locale, &title, !errors.is_empty()) />
        <BackLink href=back />
        // "Step 1 of 1" says nothing: a one-page section goes without it.
        {(total > 1).then(|| view! { <StepIndicator current total /> })}
        <ErrorSummary errors />
        {heading.then(|| view! { <h1>{title}</h1> })}
        <KeepUnsent message=kept>
            <form method="post" action=action novalidate="">
                <input type="hidden" name="step" value=step />
                {children()}
                <Button>{t!(i18n, common.continue_button)}</Button>
            </form>
        </KeepUnsent>
    }
}

/// One answer on a check page: the page it was given on (under `base`), what was asked, and
/// the answer as shown.
pub type CheckRow = (&'static str, String, AnyView);

/// The answers so far, each with a "Change" link back to its page (none when `read_only`:
/// answers as submitted).
#[component]
pub fn CheckAnswers(
    #[prop(into)] base: String,
    rows: Vec<CheckRow>,
    #[prop(optional)] read_only: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <dl class="summary-list">
            {rows
                .into_iter()
                .map(|(step, label, answer)| {
                    view! {
                        <div class="summary-list__row">
                            <dt class="summary-list__key">{label.clone()}</dt>
                            <dd class="summary-list__value">{answer}</dd>
                            {(!read_only).then(|| view! {
                                <dd class="summary-list__actions">
                                    <a href=format!("{base}/{step}")>
                                        {t!(i18n, common.change)}
                                        <span class="visually-hidden">" " {label}</span>
                                    </a>
                                </dd>
                            })}
                        </div>
                    }
                })
                .collect_view()}
        </dl>
    }
}
