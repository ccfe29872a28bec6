//! Form building blocks for the journeys: a field with label, hint and error; the error
//! summary; the step indicator; buttons and the back link. Following UX.md: labels above
//! inputs, hints under labels, the same message next to the field and in the summary.

use crate::i18n::*;
use leptos::prelude::*;

/// One error of a submitted form: the id of the field it belongs to and its message,
/// already in the user's language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field_id: String,
    pub message: String,
}

impl FieldError {
    /// The errors of a refused form: each (field, problem code) with its message.
    pub fn all<'a>(
        problems: impl IntoIterator<Item = &'a (String, String)>,
        message: impl Fn(&str) -> String,
    ) -> Vec<FieldError> {
        problems
            .into_iter()
            .map(|(field, code)| FieldError {
                field_id: field.clone(),
                message: message(code),
            })
            .collect()
    }

    /// The message of `field`'s error, if it has one.
    pub fn of(errors: &[FieldError], field: &str) -> Option<String> {
        errors
            .iter()
            .find(|e| e.field_id == field)
            .map(|e| e.message.clone())
    }
}

/// A page's title, "Error:" first when its form came back with problems: the title is the
/// first thing a screen reader announces (WCAG 3.3.1).
pub fn page_title(locale: Locale, title: &str, has_errors: bool) -> String {
    if has_errors {
        format!("{} {title}", td_string!(locale, common.error_prefix))
    } else {
        title.to_string()
    }
}

/// Listed at the top of a page that came back with errors: each links to its field. It takes
/// focus on load (`autofocus`: every page comes from the server, with or without JavaScript)
/// so screen readers announce it first.
#[component]
pub fn ErrorSummary(errors: Vec<FieldError>) -> impl IntoView {
    let i18n = use_i18n();
    (!errors.is_empty()).then(|| {
        view! {
            <div
                class="error-summary"
                role="alert"
                aria-labelledby="error-summary-title"
                tabindex="-1"
                autofocus
            >
                <h2 id="error-summary-title" class="error-summary__title">
                    {t!(i18n, common.error_summary_title)}
                </h2>
                <ul class="error-summary__list">
                    {errors
                        .into_iter()
                        .map(|e| {
                            // A field of this page, or (a path) the page where it is fixed.
                            let href = if e.field_id.starts_with('/') {
                                e.field_id
                            } else {
                                format!("#{}", e.field_id)
                            };
                            view! { <li><a href=href>{e.message}</a></li> }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// How a text input should behave: its `type`, keyboard, autofill and direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputKind {
    pub input_type: &'static str,
    pub inputmode: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    /// Plates, VINs, ID numbers, phone numbers, e-mail: typed left to right even in Arabic.
    pub ltr: bool,
}

impl InputKind {
    pub const TEXT: Self = Self {
        input_type: "text",
        inputmode: None,
        autocomplete: None,
        ltr: false,
    };
    pub const DIGITS: Self = Self {
        input_type: "text",
        inputmode: Some("numeric"),
        autocomplete: None,
        ltr: true,
    };
    pub const EMAIL: Self = Self {
        input_type: "email",
        inputmode: Some("email"),
        autocomplete: Some("email"),
        ltr: true,
    };
    pub const PHONE: Self = Self {
        input_type: "tel",
        inputmode: Some("tel"),
        autocomplete: Some("tel"),
        ltr: true,
    };
    pub const CODE: Self = Self {
        input_type: "text",
        inputmode: None,
        autocomplete: Some("off"),
        ltr: true,
    };
    /// A code sent by SMS or e-mail: the phone offers it from the message.
    pub const ONE_TIME_CODE: Self = Self {
        input_type: "text",
        inputmode: Some("numeric"),
        autocomplete: Some("one-time-code"),
        ltr: true,
    };
    pub const CURRENT_PASSWORD: Self = Self {
        input_type: "password",
        inputmode: None,
        autocomplete: Some("current-password"),
        ltr: true,
    };
    pub const NEW_PASSWORD: Self = Self {
        input_type: "password",
        inputmode: None,
        autocomplete: Some("new-password"),
        ltr: true,
    };
}

/// A labelled text input. The current value is rendered as a `value` attribute (not only a
/// property) so that a page re-rendered by the server after an error keeps what was typed.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: Signal<String>,
    /// Under the label; `None` (or no prop) for none.
    #[prop(optional, into)]
    hint: MaybeProp<String>,
    /// The field's message when the page came back refused.
    #[prop(default = None)]
    error: Option<String>,
    #[prop(optional, into)] value: String,
    #[prop(default = InputKind::TEXT)] kind: InputKind,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint = hint.get_untracked();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = [
        hint.is_some().then(|| hint_id.clone()),
        error.is_some().then(|| error_id.clone()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let has_error = error.is_some();
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=id.clone()>{move || label.get()}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            {error.map(|e| view! { <p class="field__error" id=error_id.clone()>{e}</p> })}
            <input
                class="field__input"
                id=id
                name=name
                type=kind.input_type
                inputmode=kind.inputmode
                autocomplete=kind.autocomplete
                dir=kind.ltr.then_some("ltr")
                value=value
                required=required
                aria-invalid=has_error.then_some("true")
                aria-describedby=(!described_by.is_empty()).then_some(described_by)
            />
        </div>
    }
}

/// The message for a problem code that has none. That is a mistake in the code: it fails
/// every debug build (tests included) where it is shown; a release logs it and shows the
/// general message rather than a wrong specific one. (Only for codes the server made: a code
/// read from the address is the user's, and gets the general message without a fuss.)
pub fn unknown_problem(locale: Locale, code: &str) -> String {
    debug_assert!(false, "no message for the problem code `{code}`");
    #[cfg(feature = "ssr")]
    tracing::error!(code, "no message for a problem code");
    td_string!(locale, common.problem_generic).to_string()
}

/// The tab's title and the page's heading, the same words (and the page's description, see
/// `PageTitle`).
#[component]
pub fn PageHeading(
    #[prop(into)] title: String,
    #[prop(optional, into)] description: Option<String>,
) -> impl IntoView {
    view! {
        <PageTitle text=title.clone() description />
        <h1>{title}</h1>
    }
}

/// The tab's title (the portal's name is added by the app) and the page's description for
/// search engines and shared links, in the page's language: `description` (a start page's
/// lead), else the title with the portal's name and tagline. Pages use this, not leptos_meta's
/// `Title`, so that none lacks a description.
#[component]
pub fn PageTitle(
    #[prop(into)] text: String,
    #[prop(default = None)] description: Option<String>,
) -> impl IntoView {
    view! {
        <Description title=text.clone() description />
        <leptos_meta::Title text />
    }
}

/// `<meta name="description">` (see `PageTitle`).
#[component]
fn Description(title: String, description: Option<String>) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    let content = description.unwrap_or_else(|| {
        format!(
            "{title} — {}: {}",
            td_string!(locale, portal_name),
            td_string!(locale, portal_tagline)
        )
    });
    view! { <leptos_meta::Meta name="description" content /> }
}

/// The head of a one-form page: the tab's title (marked while the form shows errors), the
/// error summary, a notice of what just happened ("a new code was sent"), then the heading.
#[component]
pub fn FormHeading(
    #[prop(into)] title: String,
    errors: Vec<FieldError>,
    #[prop(default = None)] notice: Option<String>,
    /// The page's description (see `PageTitle`), if not the title's.
    #[prop(default = None)]
    description: Option<String>,
) -> impl IntoView {
    let locale = use_i18n().get_locale_untracked();
    view! {
        <Description title=title.clone() description />
        <leptos_meta::Title text=page_title(locale, &title, !errors.is_empty()) />
        <ErrorSummary errors />
        {notice.map(|n| view! { <div class="panel panel--info" role="status"><p>{n}</p></div> })}
        <h1>{title}</h1>
    }
}

/// "Step 2 of 5", for multi-step journeys.
#[component]
pub fn StepIndicator(current: u32, total: u32) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="step-indicator">
            {t!(i18n, common.step_of, current = move || current, total = move || total)}
        </p>
    }
}

/// A link back to the previous step: a plain link, so it never re-submits anything.
#[component]
pub fn BackLink(#[prop(into)] href: String) -> impl IntoView {
    let i18n = use_i18n();
    view! { <a class="back-link" href=href>{t!(i18n, common.back)}</a> }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ButtonKind {
    #[default]
    Primary,
    Secondary,
    /// Destructive: the page must ask for confirmation before acting.
    Warning,
}

/// A submit button; its text says what it does ("Pay 2 000 DZD").
#[component]
pub fn Button(
    children: Children,
    #[prop(optional)] kind: ButtonKind,
    #[prop(optional, into)] name: Option<String>,
    #[prop(optional, into)] value: Option<String>,
) -> impl IntoView {
    let class = match kind {
        ButtonKind::Primary => "button",
        ButtonKind::Secondary => "button button--secondary",
        ButtonKind::Warning => "button button--warning",
    };
    view! { <button type="submit" class=class name=name value=value>{children()}</button> }
}

/// A link styled as the main call to action ("Start now").
#[component]
pub fn StartButton(#[prop(into)] href: String, children: Children) -> impl IntoView {
    view! { <a class="button button--start" href=href role="button" draggable="false">{children()}</a> }
}

/// The ids a field's `aria-describedby` names: its hint and its error, when shown.
pub fn described_by(hint: bool, error: bool, base: &str) -> Option<String> {
    let ids: Vec<String> = [
        hint.then(|| format!("{base}-hint")),
        error.then(|| format!("{base}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A fieldset's legend with its hint and error. On a one-question page the legend is the
/// page's only heading (`heading`); in a grouped form it is a plain label.
#[component]
pub fn Legend(
    title: String,
    #[prop(optional)] heading: bool,
    hint: Option<String>,
    hint_id: String,
    error: Option<String>,
    error_id: String,
) -> impl IntoView {
    view! {
        <legend class="fieldset__legend">
            {if heading {
                view! { <h1 class="fieldset__heading">{title}</h1> }.into_any()
            } else {
                view! { <span class="field__label">{title}</span> }.into_any()
            }}
        </legend>
        {hint.map(|h| view! { <p class="field__hint" id=hint_id>{h}</p> })}
        {error.map(|e| view! { <p class="field__error" id=error_id>{e}</p> })}
    }
}

/// Day, month and year as three boxes (people know their birth date as numbers; a picker is
/// slower and fails with screen readers). Named `{prefix}_day`, `_month`, `_year`; errors link
/// to the day box. Arabic-Indic digits are accepted by the server.
#[component]
pub fn DateInput(
    prefix: &'static str,
    legend: String,
    #[prop(optional)] heading: bool,
    hint: Option<String>,
    error: Option<String>,
    /// Day, month, year as last typed.
    values: [String; 3],
    /// `bday` for a date of birth: browsers then offer the saved one.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let has_error = error.is_some();
    let describedby = described_by(hint.is_some(), has_error, prefix);
    let [day, month, year] = values;
    let part = move |part: &'static str, label: String, width: &'static str, value: String| {
        let name = format!("{prefix}_{part}");
        view! {
            <div class="date-input__item">
                <label class="field__label" for=name.clone()>{label}</label>
                <input
                    class=format!("field__input field__input--{width}")
                    id=name.clone()
                    name=name
                    type="text"
                    inputmode="numeric"
                    dir="ltr"
                    autocomplete=autocomplete.map(|a| format!("{a}-{part}"))
                    value=value
                    aria-invalid=has_error.then_some("true")
                />
            </div>
        }
    };
    let locale = i18n.get_locale_untracked();
    view! {
        <div class="field" class:field--error=has_error>
            <fieldset class="fieldset" role="group" aria-describedby=describedby>
                <Legend
                    title=legend
                    heading
                    hint
                    hint_id=format!("{prefix}-hint")
                    error
                    error_id=format!("{prefix}-error")
                />
                <div class="date-input">
                    {part("day", td_string!(locale, common.day).to_string(), "2", day)}
                    {part("month", td_string!(locale, common.month).to_string(), "2", month)}
                    {part("year", td_string!(locale, common.year).to_string(), "4", year)}
                </div>
            </fieldset>
        </div>
    }
}

/// One choice of a `SelectField` or `Radios`: the value posted, what it says, and for a radio
/// an optional hint under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub hint: Option<String>,
    /// Shown but not choosable (a full appointment time: hiding it would hide the fact).
    pub disabled: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: label.into(),
            hint: None,
            disabled: false,
        }
    }

    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// A labelled drop-down list (a long list such as countries). `prompt` is the first, empty
/// choice ("Choose a country"), so that nothing is chosen for the user.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    #[prop(into)] label: String,
    #[prop(into)] prompt: String,
    choices: Vec<Choice>,
    #[prop(into)] value: String,
    error: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
) -> impl IntoView {
    let has_error = error.is_some();
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=id.clone()>{label}</label>
            {error.map(|e| view! { <p class="field__error" id=error_id.clone()>{e}</p> })}
            <select
                class="field__select"
                id=id.clone()
                name=id
                autocomplete=autocomplete
                aria-invalid=has_error.then_some("true")
                aria-describedby=has_error.then_some(error_id.clone())
            >
                <option value="" selected=value.is_empty()>{prompt}</option>
                {choices
                    .into_iter()
                    .map(|c| {
                        let selected = c.value == value;
                        view! { <option value=c.value selected=selected>{c.label}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A question answered by one of a few choices, as radio buttons in a fieldset. The first
/// radio carries the field's id, so that the error summary's link lands on it. `heading`
/// makes the legend the page's `<h1>` (a one-question page).
#[component]
pub fn Radios(
    #[prop(into)] name: String,
    #[prop(into)] legend: String,
    #[prop(optional)] heading: bool,
    #[prop(default = None)] hint: Option<String>,
    choices: Vec<Choice>,
    #[prop(into)] value: String,
    error: Option<String>,
) -> impl IntoView {
    let has_error = error.is_some();
    let describedby = described_by(hint.is_some(), has_error, &name);
    view! {
        <div class="field" class:field--error=has_error>
            <fieldset class="fieldset" aria-describedby=describedby>
                <Legend
                    title=legend
                    heading
                    hint
                    hint_id=format!("{name}-hint")
                    error
                    error_id=format!("{name}-error")
                />
                <div class="radios">
                    {choices
                        .into_iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let id = if i == 0 { name.clone() } else { format!("{name}-{}", c.value) };
                            let hint_id = format!("{id}-item-hint");
                            let checked = c.value == value;
                            view! {
                                <div class="radios__item">
                                    <input
                                        class="radios__input"
                                        id=id.clone()
                                        name=name.clone()
                                        type="radio"
                                        value=c.value
                                        checked=checked
                                        disabled=c.disabled
                                        aria-describedby=c.hint.is_some().then(|| hint_id.clone())
                                    />
                                    <label class="radios__label" for=id>{c.label}</label>
                                    {c.hint.map(|h| view! { <p class="radios__hint field__hint" id=hint_id>{h}</p> })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
