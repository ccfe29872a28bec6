//! The island's hands on the server's markup (browser only): reading the answers, showing a
//! field's problem, hiding a field the category does not need.

use super::{FormState, error_id};
use crate::domain::{reference::TariffBasis, vehicle::field};
use leptos::prelude::*;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, FormData, HtmlElement};

/// The form's answers as the browser holds them (`names`: the fields to read).
pub fn read(form: &web_sys::HtmlFormElement, names: &[&str]) -> BTreeMap<String, String> {
    let Ok(data) = FormData::new_with_form(form) else {
        return BTreeMap::new();
    };
    super::answers(
        names
            .iter()
            .filter_map(|f| data.get(f).as_string().map(|v| (f.to_string(), v))),
    )
}

/// The form inside an island's element.
pub fn form_in(root: &Element) -> Option<web_sys::HtmlFormElement> {
    root.query_selector("form").ok().flatten()?.dyn_into().ok()
}

/// From now on the server's fields follow the state: each shows its problem once the form
/// has been sent, and a field the chosen category does not need is hidden.
pub fn follow(state: FormState, names: &'static [&'static str]) {
    Effect::new(move |_| {
        let submitted = state.submitted.get();
        let doc = document();
        state.problems.with(|problems| {
            for name in names {
                let message = problems
                    .iter()
                    .find(|(f, _)| f == name)
                    .filter(|_| submitted)
                    .map(|(_, code)| state.t(&format!("err_{code}")));
                show_problem(&doc, name, message);
            }
        });
        show_field(&doc, field::FUEL, state.asks_fuel());
        show_field(&doc, field::HP, state.needs(TariffBasis::Cv));
        show_field(&doc, field::WEIGHT, state.needs(TariffBasis::PtcT));
        show_field(&doc, field::SEATS, state.needs(TariffBasis::Seats));
        show_field(&doc, field::REG_DAY, state.registered_in_campaign_year());
    });
}

/// Sets a field's problem on the server's markup: the message, the field's error style,
/// and what assistive technology is told (`aria-invalid`, `aria-describedby`).
fn show_problem(doc: &Document, name: &str, message: Option<String>) {
    let Some(error) = doc.get_element_by_id(&error_id(name)) else {
        return;
    };
    let has = message.is_some();
    if error.text_content() != message {
        error.set_text_content(message.as_deref());
    }
    let _ = error.toggle_attribute_with_force("hidden", !has);
    if let Ok(Some(wrapper)) = error.closest(".field") {
        let _ = wrapper.class_list().toggle_with_force("field--error", has);
    }
    // A group (fuel, day of registration) is described on its fieldset; a box on itself.
    let itself = [name];
    let (described, base, invalid): (Option<Element>, &str, &[&str]) = match name {
        field::FUEL => (error.closest("fieldset").ok().flatten(), "fuel", &[]),
        field::REG_DAY => (
            error.closest("fieldset").ok().flatten(),
            "reg-date",
            &[field::REG_DAY, field::REG_MONTH],
        ),
        _ => (doc.get_element_by_id(name), name, &itself),
    };
    if let Some(el) = described {
        let hint = doc.get_element_by_id(&format!("{base}-hint")).is_some();
        set(
            &el,
            "aria-describedby",
            crate::ui::form::described_by(hint, has, base),
        );
    }
    for id in invalid {
        if let Some(el) = doc.get_element_by_id(id) {
            set(&el, "aria-invalid", has.then(|| "true".to_string()));
        }
    }
}

fn set(el: &Element, attribute: &str, value: Option<String>) {
    let _ = match value {
        Some(v) => el.set_attribute(attribute, &v),
        None => el.remove_attribute(attribute),
    };
}

/// Shows or hides the field around the element named `name`.
fn show_field(doc: &Document, name: &str, shown: bool) {
    if let Some(Ok(Some(wrapper))) = doc.get_element_by_id(name).map(|el| el.closest(".field")) {
        let _ = wrapper.toggle_attribute_with_force("hidden", !shown);
    }
}

/// After the page follows a submission: focus the summary if there is one, else `fallback`.
pub fn focus_after_submit(fallback: &'static str) {
    request_animation_frame(move || {
        let doc = document();
        let target = doc
            .get_element_by_id("error-summary")
            .or_else(|| doc.get_element_by_id(fallback));
        if let Some(el) = target.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}
