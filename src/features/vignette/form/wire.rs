//! What a vehicle form's island is given (`IslandForm`), and the line-based text it travels
//! in (`TariffData`, `FormText` and `Pairs` each read back exactly what was written).

use super::{FormText, TariffData};
use crate::ui::island_data::IslandData;
use serde::{Deserialize, Serialize};

/// A form's (field, value) pairs for an island (sent as text lines, as `TariffData` is).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Pairs(pub Vec<(String, String)>);

/// What a vehicle form's island is given, through the page (`ui::island_data`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IslandForm {
    pub data: TariffData,
    pub text: FormText,
    /// The answers the form shows, in its order.
    pub values: Pairs,
    /// The server's clock when the page was made (Unix seconds).
    pub now: i64,
    /// Whether the form was sent: its problems show, and the summary lists them.
    pub submitted: bool,
    /// Problems only the server can find (a plate held in another account), and the refused
    /// submission's: shown until the field is changed.
    pub server_problems: Pairs,
}

impl IslandData for IslandForm {
    const ID: &'static str = "form-data";

    fn write(&self) -> Vec<(&'static str, String)> {
        vec![
            ("tariffs", self.data.clone().into()),
            ("text", self.text.clone().into()),
            ("values", self.values.clone().into()),
            ("now", self.now.to_string()),
            ("submitted", self.submitted.to_string()),
            ("problems", self.server_problems.clone().into()),
        ]
    }

    fn read(text: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        Some(Self {
            data: text("tariffs")?.try_into().ok()?,
            text: text("text")?.try_into().ok()?,
            values: text("values")?.try_into().ok()?,
            now: text("now")?.parse().ok()?,
            submitted: text("submitted")? == "true",
            server_problems: text("problems")?.try_into().ok()?,
        })
    }
}

// The line-based text the islands' data travels in: one record per line, fields separated by
// tabs, an absent value empty. The texts are single lines (a tab or a line break in one
// becomes a space). Decoding uses `str::split` and integer parsing, code the browser has
// anyway.
use crate::domain::{
    money::{Currency, Money},
    reference::{Campaign, Localized, TariffBasis, TariffFamily, TariffRow},
    tariff::{Criterion, Exemption, ExemptionKind},
};
use std::str::FromStr;

pub type Error = &'static str;

fn push(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.extend(
            f.chars()
                .map(|c| if c == '\t' || c == '\n' { ' ' } else { c }),
        );
    }
    out.push('\n');
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn num<T: FromStr>(s: &str) -> Result<T, Error> {
    s.parse().map_err(|_| "a number")
}

fn opt_num<T: FromStr>(s: &str) -> Result<Option<T>, Error> {
    if s.is_empty() {
        Ok(None)
    } else {
        num(s).map(Some)
    }
}

fn opt_text(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl From<TariffData> for String {
    fn from(d: TariffData) -> String {
        let mut out = String::new();
        for r in &d.tariffs {
            let fields = [
                r.family.as_str().to_string(),
                r.basis.as_str().to_string(),
                r.band_min_milli.to_string(),
                opt(r.band_max_milli),
                r.age_from.to_string(),
                opt(r.age_to),
                r.amount.minor.to_string(),
                r.amount.currency.code().to_string(),
                r.valid_from_year.to_string(),
                opt(r.valid_to_year),
            ];
            let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
            push(&mut out, &[&["t"], &refs[..]].concat());
        }
        for e in &d.exemptions {
            let (from, to) = (e.valid_from_year.to_string(), opt(e.valid_to_year));
            let (r, l) = (&e.reason, &e.legal_basis);
            push(
                &mut out,
                &[
                    "e",
                    e.criterion.as_str(),
                    &e.value,
                    e.kind.as_str(),
                    &from,
                    &to,
                    &r.ar,
                    &r.fr,
                    &r.en,
                    &l.ar,
                    &l.fr,
                    &l.en,
                ],
            );
        }
        for c in &d.campaigns {
            let ints = [
                c.year.to_string(),
                c.late_surcharge_pct.to_string(),
                c.enforcement_surcharge_pct.to_string(),
                c.new_vehicle_days.to_string(),
            ];
            let extended = c.extended_from.clone().unwrap_or_default();
            push(
                &mut out,
                &[
                    "c",
                    &ints[0],
                    &c.starts_at,
                    &c.ends_at,
                    &extended,
                    &ints[1],
                    &ints[2],
                    &ints[3],
                ],
            );
        }
        for w in &d.wilayas {
            push(&mut out, &["w", w]);
        }
        out
    }
}

impl TryFrom<String> for TariffData {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        let mut d = TariffData::default();
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f[..] {
                [
                    "t",
                    family,
                    basis,
                    min,
                    max,
                    age_from,
                    age_to,
                    minor,
                    currency,
                    from,
                    to,
                ] => d.tariffs.push(TariffRow {
                    family: TariffFamily::parse(family).ok_or("a tariff family")?,
                    basis: TariffBasis::parse(basis).ok_or("a tariff basis")?,
                    band_min_milli: num(min)?,
                    band_max_milli: opt_num(max)?,
                    age_from: num(age_from)?,
                    age_to: opt_num(age_to)?,
                    amount: Money {
                        minor: num(minor)?,
                        currency: Currency::parse(currency).ok_or("a currency")?,
                    },
                    valid_from_year: num(from)?,
                    valid_to_year: opt_num(to)?,
                }),
                [
                    "e",
                    criterion,
                    value,
                    kind,
                    from,
                    to,
                    r_ar,
                    r_fr,
                    r_en,
                    l_ar,
                    l_fr,
                    l_en,
                ] => {
                    let text = |ar: &str, fr: &str, en: &str| Localized {
                        ar: ar.to_string(),
                        fr: fr.to_string(),
                        en: en.to_string(),
                    };
                    d.exemptions.push(Exemption {
                        criterion: Criterion::parse(criterion).ok_or("a criterion")?,
                        value: value.to_string(),
                        kind: ExemptionKind::parse(kind).ok_or("an exemption kind")?,
                        valid_from_year: num(from)?,
                        valid_to_year: opt_num(to)?,
                        reason: text(r_ar, r_fr, r_en),
                        legal_basis: text(l_ar, l_fr, l_en),
                    })
                }
                [
                    "c",
                    year,
                    starts,
                    ends,
                    extended,
                    late,
                    enforcement,
                    new_days,
                ] => d.campaigns.push(Campaign {
                    year: num(year)?,
                    starts_at: starts.to_string(),
                    ends_at: ends.to_string(),
                    extended_from: opt_text(extended),
                    late_surcharge_pct: num(late)?,
                    enforcement_surcharge_pct: num(enforcement)?,
                    new_vehicle_days: num(new_days)?,
                }),
                ["w", code] => d.wilayas.push(code.to_string()),
                _ => return Err("a reference row"),
            }
        }
        Ok(d)
    }
}

/// Lines of `key<TAB>value` (a sentence map, a form's answers), and their encoding.
fn push_pairs<'a>(out: &mut String, pairs: impl IntoIterator<Item = (&'a String, &'a String)>) {
    for (k, v) in pairs {
        push(out, &[k, v]);
    }
}

fn read_pairs<'a>(lines: impl Iterator<Item = &'a str>) -> Result<Vec<(String, String)>, Error> {
    lines
        .map(|line| {
            let (k, v) = line.split_once('\t').ok_or("a key and its value")?;
            Ok((k.to_string(), v.to_string()))
        })
        .collect()
}

impl From<FormText> for String {
    fn from(t: FormText) -> String {
        let mut out = String::new();
        push(&mut out, &[&t.lang]);
        push_pairs(&mut out, t.t.iter());
        out
    }
}

impl TryFrom<String> for FormText {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        let mut lines = text.lines();
        let lang = lines.next().unwrap_or_default().to_string();
        Ok(FormText {
            lang,
            t: super::answers(read_pairs(lines)?).into(),
        })
    }
}

impl From<Pairs> for String {
    fn from(p: Pairs) -> String {
        let mut out = String::new();
        push_pairs(&mut out, p.0.iter().map(|(k, v)| (k, v)));
        out
    }
}

impl TryFrom<String> for Pairs {
    type Error = Error;

    fn try_from(text: String) -> Result<Self, Error> {
        read_pairs(text.lines()).map(Pairs)
    }
}
