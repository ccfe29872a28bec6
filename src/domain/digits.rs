//! Digits typed on Arabic keyboards. Inputs accept Arabic-Indic (٠-٩) and Eastern Arabic-Indic
//! (۰-۹, Persian/Urdu keyboards) digits and normalise them to Latin, so validation and storage only
//! ever see 0-9.

/// Replaces every Arabic-Indic or Eastern Arabic-Indic digit with its Latin digit; every other
/// character is kept as it is.
pub fn normalise_digits(input: &str) -> String {
    input
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            other => other,
        })
        .collect()
}

/// Groups the digits of a non-negative integer in threes with U+202F (narrow no-break space).
/// An ordinary space would let the bidi algorithm split `2 000` into two runs and show `000 2`
/// inside Arabic text; U+202F is a common separator, so the number stays whole.
pub fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(c);
    }
    out
}

/// A one-time code as typed: Arabic-Indic digits, spaces and dashes allowed ("١٢٣ ٤٥٦" and
/// "123-456" are "123456").
pub fn clean_code(typed: &str) -> String {
    normalise_digits(typed)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// A link's token as typed or pasted: its hex digits only, at most 64 (a longer or odder
/// string is no token of ours and must not reach the database as it is).
pub fn link_token(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_codes_are_read_as_typed() {
        assert_eq!(clean_code("١٢٣ ٤٥٦"), "123456");
        assert_eq!(clean_code(" 123-456 "), "123456");
        assert_eq!(clean_code("12a456"), "12a456");
    }

    #[test]
    fn a_link_token_keeps_its_hex_digits_and_no_more_than_64() {
        assert_eq!(link_token("ab12<script>ef"), "ab12cef");
        assert_eq!(link_token(&"f".repeat(500)).len(), 64);
    }

    #[test]
    fn arabic_indic_digits_become_latin() {
        assert_eq!(normalise_digits("١٢٣٤٥٦٧٨٩٠"), "1234567890");
    }

    #[test]
    fn eastern_arabic_indic_digits_become_latin() {
        assert_eq!(normalise_digits("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
    }

    #[test]
    fn other_characters_are_kept() {
        assert_eq!(normalise_digits("12345 ١٢٣ 16 ABC"), "12345 123 16 ABC");
    }

    #[test]
    fn thousands_are_grouped_with_a_narrow_no_break_space() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(2000), "2\u{202F}000");
        assert_eq!(group_thousands(1234567), "1\u{202F}234\u{202F}567");
    }
}
