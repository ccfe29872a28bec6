//! A vehicle as its owner describes it, checked the same way in the browser and on the server:
//! what is typed (strings, Arabic-Indic digits allowed) becomes the facts the tariff engine
//! reads, or a list of (field, problem) pairs for the error summary and the fields.
//!
//! The plausibility bounds below catch slips of the finger (a horsepower of 750, a weight typed
//! in kilograms where tonnes are asked); they are not tariff rules, which live in the data.

use super::{
    date::{Date, DateError},
    digits::normalise_digits,
    reference::TariffBasis,
    tariff::{Asked, VehicleFacts},
};

/// The fuels the form offers, as stored and as the exemption rows name them.
pub const FUELS: [&str; 6] = ["petrol", "diesel", "lpg", "cng", "electric", "hybrid"];

/// Plate category digits (the `C` of `SERIAL CYY WW`).
pub const CATEGORIES: std::ops::RangeInclusive<u8> = 1..=9;

/// The oldest year of first registration accepted.
const FIRST_YEAR: i32 = 1900;
/// Fiscal horsepower: whole numbers; the most powerful road cars are rated in the 60s.
const HP: std::ops::RangeInclusive<i64> = 1..=99;
/// Gross weight in kilograms: above zero, at most the 100 t of an exceptional convoy.
const WEIGHT_KG: std::ops::RangeInclusive<i64> = 1..=100_000;
/// Seats, the driver's included: a double-decker coach has under 100.
const SEATS: std::ops::RangeInclusive<i64> = 1..=150;

/// A problem with one field: its form name and a code the page turns into a sentence.
pub type Problem = (&'static str, &'static str);

/// `problems` in the order of `fields` (a field's problems keep their own order). Not a sort:
/// this runs in the browser too, and a slice sort adds 20 KB of WebAssembly.
pub fn in_order<K: AsRef<str>, V>(problems: Vec<(K, V)>, fields: &[&str]) -> Vec<(K, V)> {
    let mut slots: Vec<Option<(K, V)>> = problems.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(slots.len());
    for name in fields {
        for slot in slots.iter_mut() {
            if slot.as_ref().is_some_and(|(k, _)| k.as_ref() == *name) {
                ordered.extend(slot.take());
            }
        }
    }
    // Fields not in the list come last, as they were.
    ordered.extend(slots.into_iter().flatten());
    ordered
}

/// The form's field names.
pub mod field {
    pub const PLATE: &str = "plate";
    pub const VIN: &str = "vin";
    pub const CATEGORY: &str = "category";
    pub const FUEL: &str = "fuel";
    pub const YEAR: &str = "first_year";
    pub const REG_DAY: &str = "reg_day";
    pub const REG_MONTH: &str = "reg_month";
    pub const HP: &str = "fiscal_hp";
    pub const WEIGHT: &str = "gross_weight";
    pub const SEATS: &str = "seats";
    pub const STATUS: &str = "status";
}

/// What the tariff needs to know, read from a form.
///
/// - `get`: a field's value as typed (missing = empty);
/// - `this_year`: the current year (a first registration cannot be later);
/// - `asked`: what a plate category's outcome depends on (`tariff::asked`, from the data): only
///   the fact its tariff is measured on is asked for and checked, and the fuel only where it
///   can change the outcome;
/// - `statuses`: the special statuses the data knows (an empty value means none).
pub fn facts_from_form(
    get: impl Fn(&str) -> String,
    this_year: i32,
    asked: impl Fn(u8) -> Asked,
    statuses: &[&str],
) -> Result<VehicleFacts, Vec<Problem>> {
    let mut problems = Vec::new();
    let text = |name: &str| normalise_digits(get(name).trim());

    let category = match text(field::CATEGORY).as_str() {
        "" => Err("category_missing"),
        c => c
            .parse::<u8>()
            .ok()
            .filter(|c| CATEGORIES.contains(c))
            .ok_or("category_unknown"),
    };
    let asks = category.as_ref().ok().map(|c| asked(*c));
    let fuel = match text(field::FUEL).as_str() {
        f if FUELS.contains(&f) => Ok(f.to_string()),
        // Not asked: whatever the form still holds does not matter.
        _ if asks.is_some_and(|a| !a.fuel) => Ok(String::new()),
        "" => Err("fuel_missing"),
        _ => Err("fuel_unknown"),
    };
    let year = match text(field::YEAR).as_str() {
        "" => Err("year_missing"),
        y => match y.parse::<i32>() {
            Err(_) => Err("year_not_number"),
            Ok(y) if y > this_year => Err("year_future"),
            Ok(y) if y < FIRST_YEAR => Err("year_too_old"),
            Ok(y) => Ok(y),
        },
    };
    let date = match &year {
        Ok(y) => registration_date(&text(field::REG_DAY), &text(field::REG_MONTH), *y),
        Err(_) => Ok(None),
    };
    let status = match text(field::STATUS).as_str() {
        "" | "none" => Ok(None),
        s if statuses.contains(&s) => Ok(Some(s.to_string())),
        _ => Err("status_unknown"),
    };
    let basis = asks.and_then(|a| a.basis);
    let mut measured = |basis: TariffBasis| -> Option<i64> {
        let result = match basis {
            TariffBasis::Cv => whole(&text(field::HP), HP, "hp"),
            TariffBasis::PtcT => tonnes(&text(field::WEIGHT)),
            TariffBasis::Seats => whole(&text(field::SEATS), SEATS, "seats"),
        };
        result.map_err(|p| problems.push(p)).ok()
    };
    let value = basis.and_then(&mut measured);

    for (name, result) in [
        (field::CATEGORY, category.as_ref().err()),
        (field::FUEL, fuel.as_ref().err()),
        (field::YEAR, year.as_ref().err()),
        (field::REG_DAY, date.as_ref().err()),
        (field::STATUS, status.as_ref().err()),
    ] {
        if let Some(code) = result {
            problems.push((name, code));
        }
    }
    // In the order of the form.
    let order = [
        field::CATEGORY,
        field::FUEL,
        field::YEAR,
        field::REG_DAY,
        field::HP,
        field::WEIGHT,
        field::SEATS,
        field::STATUS,
    ];
    let problems = in_order(problems, &order);
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Ok(plate_category), Ok(fuel), Ok(first_registration_year), Ok(date), Ok(status)) =
        (category, fuel, year, date, status)
    else {
        unreachable!("every error was recorded as a problem");
    };
    Ok(VehicleFacts {
        plate_category,
        fuel,
        first_registration_year,
        first_registration_date: date,
        fiscal_hp: (basis == Some(TariffBasis::Cv)).then_some(value).flatten(),
        gross_weight_kg: (basis == Some(TariffBasis::PtcT))
            .then_some(value)
            .flatten(),
        seats: (basis == Some(TariffBasis::Seats))
            .then_some(value)
            .flatten(),
        status,
    })
}

/// The optional day and month of first registration (the new-vehicle delay counts from it).
fn registration_date(day: &str, month: &str, year: i32) -> Result<Option<Date>, &'static str> {
    match Date::parse(day, month, &year.to_string()) {
        Ok(d) => Ok(Some(d)),
        // The year is always there: "missing" means neither day nor month was typed.
        Err(DateError::Incomplete) if day.is_empty() && month.is_empty() => Ok(None),
        Err(DateError::Incomplete) => Err("reg_date_incomplete"),
        Err(_) => Err("reg_date_not_real"),
    }
}

/// A whole number in `range`; the field's codes are `{prefix}_missing`, `_not_whole`,
/// `_out_of_range`.
fn whole(
    text: &str,
    range: std::ops::RangeInclusive<i64>,
    prefix: &'static str,
) -> Result<i64, Problem> {
    let (name, missing, not_whole, out_of_range) = match prefix {
        "hp" => (field::HP, "hp_missing", "hp_not_whole", "hp_out_of_range"),
        _ => (
            field::SEATS,
            "seats_missing",
            "seats_not_whole",
            "seats_out_of_range",
        ),
    };
    if text.is_empty() {
        return Err((name, missing));
    }
    let value: i64 = text.parse().map_err(|_| (name, not_whole))?;
    if !range.contains(&value) {
        return Err((name, out_of_range));
    }
    Ok(value)
}

/// Tonnes with up to three decimals (a point, a comma or the Arabic decimal separator), in
/// kilograms: exact, never through a float.
fn tonnes(text: &str) -> Result<i64, Problem> {
    let name = field::WEIGHT;
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if matches!(c, ',' | '٫') { '.' } else { c })
        .collect();
    if cleaned.is_empty() {
        return Err((name, "weight_missing"));
    }
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return Err((name, "weight_not_number"));
    }
    let kg = whole
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_mul(1000))
        .and_then(|t| t.checked_add(format!("{fraction:0<3}").parse::<i64>().ok()?))
        .ok_or((name, "weight_out_of_range"))?;
    if !WEIGHT_KG.contains(&kg) {
        return Err((name, "weight_out_of_range"));
    }
    Ok(kg)
}

/// A registration plate, `SERIAL CYY WW`: a 3–6 digit serial, the category digit, the last two
/// digits of the year of first registration, and the wilaya code.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Plate {
    pub serial: String,
    pub category: u8,
    /// The year of first registration, modulo 100.
    pub year2: u8,
    pub wilaya: String,
}

impl Plate {
    /// As typed: groups separated by spaces or dashes, or all the digits run together (the
    /// last five are always `CYY WW`, so the split is unambiguous). Arabic-Indic digits are
    /// read. `wilayas` are the codes a plate may end with.
    pub fn parse(text: &str, wilayas: &[&str]) -> Result<Self, &'static str> {
        let plate = Self::parse_shape(text)?;
        if !wilayas.contains(&plate.wilaya.as_str()) {
            return Err("plate_wilaya_unknown");
        }
        Ok(plate)
    }

    /// The shape alone (a plate as stored, checked when it was added).
    pub fn parse_shape(text: &str) -> Result<Self, &'static str> {
        let text = normalise_digits(text.trim());
        if text.is_empty() {
            return Err("plate_missing");
        }
        let groups: Vec<&str> = text
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '/'))
            .filter(|g| !g.is_empty())
            .collect();
        if !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit())) {
            return Err("plate_format");
        }
        let (serial, cyy, wilaya) = match groups.as_slice() {
            [serial, cyy, wilaya] => (*serial, *cyy, *wilaya),
            [all] if all.len() > 5 => {
                let (rest, wilaya) = all.split_at(all.len() - 2);
                let (serial, cyy) = rest.split_at(rest.len() - 3);
                (serial, cyy, wilaya)
            }
            _ => return Err("plate_format"),
        };
        if !(3..=6).contains(&serial.len()) || cyy.len() != 3 || wilaya.len() != 2 {
            return Err("plate_format");
        }
        let category = cyy.as_bytes()[0] - b'0';
        if !CATEGORIES.contains(&category) {
            return Err("plate_format");
        }
        Ok(Self {
            serial: serial.to_string(),
            category,
            year2: cyy[1..].parse().map_err(|_| "plate_format")?,
            wilaya: wilaya.to_string(),
        })
    }
}

impl std::fmt::Display for Plate {
    /// `12345 119 16`: how the plate is stored, shown and compared.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}{:02} {}",
            self.serial, self.category, self.year2, self.wilaya
        )
    }
}

/// The year from which chassis numbers follow the 17-character standard (ISO 3779).
pub const STANDARD_VIN_SINCE: i32 = 1981;

/// A chassis number, upper-cased, without spaces. Since 1981 a VIN is 17 letters and digits
/// without I, O or Q (they look like 1 and 0); an older vehicle's number may be anything the
/// maker stamped, so it is accepted with a warning (`Ok(true)`: non-standard).
pub fn parse_vin(text: &str, first_year: Option<i32>) -> Result<(String, bool), &'static str> {
    let vin: String = normalise_digits(text)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    if vin.is_empty() {
        return Err("vin_missing");
    }
    if !vin.chars().all(|c| c.is_ascii_alphanumeric()) || vin.len() > 17 {
        return Err("vin_characters");
    }
    let standard = vin.len() == 17 && !vin.contains(['I', 'O', 'Q']);
    if standard {
        return Ok((vin, false));
    }
    if first_year.is_some_and(|y| y < STANDARD_VIN_SINCE) {
        return Ok((vin, true));
    }
    Err(if vin.len() != 17 {
        "vin_length"
    } else {
        "vin_letters"
    })
}

/// A vehicle as its owner declares it: the plate and the chassis number, checked against the
/// facts (the plate's category digit and year must agree with the declared ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub plate: Plate,
    pub vin: String,
    /// The VIN does not follow the 1981 standard (allowed for older vehicles).
    pub vin_non_standard: bool,
    pub facts: VehicleFacts,
}

/// The add-a-vehicle form: plate and VIN on top of `facts_from_form`'s fields.
pub fn vehicle_from_form(
    get: impl Fn(&str) -> String,
    this_year: i32,
    asked: impl Fn(u8) -> Asked,
    statuses: &[&str],
    wilayas: &[&str],
) -> Result<Declared, Vec<Problem>> {
    let facts = facts_from_form(&get, this_year, asked, statuses);
    // The declared category and year, as far as they can be read, even when another answer
    // is wrong: a plate that disagrees with them is said at once.
    let declared = |name: &str| normalise_digits(get(name).trim()).parse::<i32>().ok();
    let (declared_category, declared_year) = (declared(field::CATEGORY), declared(field::YEAR));
    let plate = Plate::parse(&get(field::PLATE), wilayas).and_then(|p| {
        if declared_category.is_some_and(|c| c != i32::from(p.category)) {
            Err("plate_category_mismatch")
        } else if declared_year.is_some_and(|y| y.rem_euclid(100) != i32::from(p.year2)) {
            Err("plate_year_mismatch")
        } else {
            Ok(p)
        }
    });
    let vin = parse_vin(&get(field::VIN), declared_year);
    let mut problems: Vec<Problem> = Vec::new();
    if let Err(code) = &plate {
        problems.push((field::PLATE, code));
    }
    if let Err(code) = &vin {
        problems.push((field::VIN, code));
    }
    if let Err(more) = &facts {
        problems.extend(more.iter().copied());
    }
    match (plate, vin, facts) {
        (Ok(plate), Ok((vin, vin_non_standard)), Ok(facts)) => Ok(Declared {
            plate,
            vin,
            vin_non_standard,
            facts,
        }),
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests;
