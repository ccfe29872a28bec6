//! Free text as the portal accepts it: what a person typed, without the invisible characters
//! that can disguise it. One function, used at the edge of every free-text field (journey
//! answers, notes, file names, addresses to come back to), so that an administrator never
//! reads "Bob (U+202E)gnp.exe Belkacem" as "Bob exe.png Belkacem", and a NUL byte never reaches a
//! database (issue 18, finding 6).

/// Whether `c` is kept in free text. Dropped: control characters (C0, C1, DEL), the bidi
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and marks (U+200E,
/// U+200F, U+061C), and other invisible format characters (zero-width space, word joiner and
/// invisible operators, the byte-order mark, interlinear annotation). Kept: every letter, mark
/// and digit, and the zero-width joiner and non-joiner (U+200D, U+200C) that Arabic and
/// Persian spelling needs.
pub fn is_allowed(c: char) -> bool {
    !(c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        ))
}

/// One line of free text: tabs and line breaks become spaces, the characters `is_allowed`
/// refuses are dropped, and the rest is kept exactly as typed.
pub fn clean_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .filter(|c| is_allowed(*c))
        .collect()
}

/// `text` cut to at most `max` characters (never inside a character).
pub fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_overrides_and_controls_are_dropped() {
        assert_eq!(
            clean_line("Bob \u{202E}gnp.exe\u{202C} Belkacem"),
            "Bob gnp.exe Belkacem"
        );
        assert_eq!(clean_line("a\u{0}b\u{7f}c\u{85}d"), "abcd");
        for c in [
            '\u{202A}', '\u{202B}', '\u{202D}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}', '\u{200F}', '\u{061C}', '\u{FEFF}', '\u{200B}',
        ] {
            assert_eq!(clean_line(&format!("x{c}y")), "xy", "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn arabic_with_its_joiners_and_marks_is_kept_as_typed() {
        // ZWNJ and ZWJ change how letters join; harakat are combining marks.
        let name = "مُحَمَّد\u{200C}رضا عبد\u{200D}الله";
        assert_eq!(clean_line(name), name);
        assert_eq!(clean_line("Zoé Ñúñez 12"), "Zoé Ñúñez 12");
    }

    #[test]
    fn line_breaks_become_spaces() {
        assert_eq!(clean_line("one\r\ntwo\tthree"), "one  two three");
    }

    #[test]
    fn cutting_counts_characters_not_bytes() {
        assert_eq!(cut("أحمد", 2), "أح");
        assert_eq!(cut("abc", 5), "abc");
        assert_eq!(cut("abc", 0), "");
    }
}
