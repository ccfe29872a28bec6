//! Small text components: left-to-right islands, money, summary rows.

use crate::domain::money::Money;
use crate::i18n::*;
use leptos::prelude::*;

/// A left-to-right token inside any text (plate, VIN, ID number, reference, e-mail). `<bdi>`
/// isolates it so Arabic sentences around it are not scrambled; `dir="ltr"` orders it.
#[component]
pub fn Ltr(children: Children) -> impl IntoView {
    view! { <bdi dir="ltr" class="ltr">{children()}</bdi> }
}

/// A long left-to-right value (an e-mail address, a payment reference, a VIN, a file name):
/// isolated like `Ltr`, but it may break anywhere when the line is too short for it, keeping
/// its order (a plate or a date stays whole: `Ltr`).
#[component]
pub fn LtrLong(children: Children) -> impl IntoView {
    view! { <bdi dir="ltr" class="ltr ltr--long">{children()}</bdi> }
}

/// An amount with its currency in the page's language, isolated as one token: left-to-right
/// with a currency code (`2 000 DZD`), right-to-left with the Arabic symbol (`2 000 د.ج`,
/// read number first).
#[component]
pub fn MoneyText(amount: Money) -> impl IntoView {
    let i18n = use_i18n();
    let lang = move || leptos_i18n::Locale::as_str(i18n.get_locale());
    view! {
        <bdi dir=move || if lang() == "ar" { "rtl" } else { "ltr" } class="money">
            {move || amount.format(lang())}
        </bdi>
    }
}

/// One row of a summary list (`<dl class="summary-list">`): what it is, then its value (the
/// children). Typed children, not erased ones: the calculator's result and the offline
/// verifier show rows in the browser too, where an erased view costs WebAssembly.
#[component]
pub fn SummaryRow<L, V>(label: L, children: TypedChildren<V>) -> impl IntoView
where
    L: IntoView + 'static,
    V: IntoView + 'static,
{
    view! {
        <div class="summary-list__row">
            <dt class="summary-list__key">{label}</dt>
            <dd class="summary-list__value">{children.into_inner()()}</dd>
        </div>
    }
}
