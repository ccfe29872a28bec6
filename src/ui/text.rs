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

/// A day as people write it in the page's language: "Sunday 20 December 2026", "dimanche 20
/// décembre 2026", "الأحد 20 ديسمبر 2026" (the Gulf's month names). For promised dates
/// (timelines, appointments), where the weekday matters as much as the date.
pub fn long_date(locale: Locale, date: crate::domain::date::Date) -> String {
    use crate::domain::calendar::Weekday;
    const MONTHS: [[&str; 12]; 3] = [
        [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ],
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
    ];
    const DAYS: [[&str; 7]; 3] = [
        [
            "الأحد",
            "الإثنين",
            "الثلاثاء",
            "الأربعاء",
            "الخميس",
            "الجمعة",
            "السبت",
        ],
        [
            "dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
        ],
        [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
    ];
    let l = match locale {
        Locale::ar => 0,
        Locale::fr => 1,
        Locale::en => 2,
    };
    let day = match date.weekday() {
        Weekday::Sunday => 0,
        Weekday::Monday => 1,
        Weekday::Tuesday => 2,
        Weekday::Wednesday => 3,
        Weekday::Thursday => 4,
        Weekday::Friday => 5,
        Weekday::Saturday => 6,
    };
    let month = MONTHS[l][(date.month.clamp(1, 12) - 1) as usize];
    format!("{} {} {month} {}", DAYS[l][day], date.day, date.year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::Date;

    #[test]
    fn a_long_date_names_the_weekday_and_month_in_each_language() {
        let national_day = Date {
            year: 2026,
            month: 12,
            day: 18,
        };
        assert_eq!(
            long_date(Locale::en, national_day),
            "Friday 18 December 2026"
        );
        assert_eq!(
            long_date(Locale::fr, national_day),
            "vendredi 18 décembre 2026"
        );
        assert_eq!(long_date(Locale::ar, national_day), "الجمعة 18 ديسمبر 2026");
    }
}
