//! SMS length. A text message is sent in the GSM 7-bit alphabet when every character is in it
//! (160 characters, 153 per part once split), otherwise in UCS-2, as every Arabic message is
//! (70 characters, 67 per part). Each part costs money and arrives separately, so the portal
//! keeps every SMS to at most `MAX_SEGMENTS` and links to the portal for details.

pub const MAX_SEGMENTS: usize = 2;

/// The GSM 03.38 basic character set (one septet each).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: two septets each (an escape, then the character).
const GSM_EXTENDED: &str = "^{}\\[~]|€\u{000C}";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

/// How a text would be sent: its encoding, its length in that encoding's units, and the number
/// of parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Length {
    pub encoding: Encoding,
    pub units: usize,
    pub segments: usize,
}

pub fn length(text: &str) -> Length {
    let gsm_units: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENDED.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (encoding, units, single, part) = match gsm_units {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        // UCS-2 counts UTF-16 code units (a character outside the BMP takes two).
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let segments = match units {
        0 => 1,
        n if n <= single => 1,
        n => n.div_ceil(part),
    };
    Length {
        encoding,
        units,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_text_is_gsm_with_160_then_153_per_part() {
        let l = length(&"a".repeat(160));
        assert_eq!((l.encoding, l.segments), (Encoding::Gsm7, 1));
        assert_eq!(length(&"a".repeat(161)).segments, 2);
        assert_eq!(length(&"a".repeat(306)).segments, 2);
        assert_eq!(length(&"a".repeat(307)).segments, 3);
        // The euro sign takes two septets.
        assert_eq!(length("Total: 2000 €").units, 14);
    }

    #[test]
    fn arabic_text_is_ucs2_with_70_then_67_per_part() {
        let l = length(&"ب".repeat(70));
        assert_eq!((l.encoding, l.units, l.segments), (Encoding::Ucs2, 70, 1));
        assert_eq!(length(&"ب".repeat(71)).segments, 2);
        assert_eq!(length(&"ب".repeat(134)).segments, 2);
        assert_eq!(length(&"ب".repeat(135)).segments, 3);
        // One Arabic letter is enough to switch a Latin message to UCS-2.
        assert_eq!(length(&format!("{}ب", "a".repeat(69))).segments, 1);
        assert_eq!(length(&format!("{}ب", "a".repeat(70))).segments, 2);
        // French accents outside the GSM set (ç lower-case, ê) do the same.
        assert_eq!(length("Reçu").encoding, Encoding::Ucs2);
        assert_eq!(length("").segments, 1);
    }
}
