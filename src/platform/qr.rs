//! QR codes: the two-step set-up's address, the vignette's and the appointment slip's seal.
//! Pages show them as inline SVG made here; the PDF draws the same runs (`pdf::qr_code`).
//!
//! Made with `fast_qr`: error correction M (a creased or smudged print still scans) and the
//! best of the eight masks, as the `qrcode` crate made them, in an eighth of the time (0.13 ms
//! against 1.07 ms for a vignette's seal address): choosing the mask was 11 % of the CPU of a
//! purchase in `payments_bench vignette` (issue 23). It encodes a text in one mode, so that
//! address takes one version more (57 modules a side, not 53): 0.67 mm a module on the PDF.

use super::recent::Recent;
use std::sync::{Arc, LazyLock};

/// Light modules around the code, as the standard asks (readers look for the edge).
pub const QUIET_ZONE: usize = 4;

/// The modules of one QR code.
pub struct Matrix {
    width: usize,
    dark: Vec<bool>,
}

impl Matrix {
    /// The QR code of `text`, or `None` when it is too long for one.
    pub fn of(text: &str) -> Option<Self> {
        let code = fast_qr::QRBuilder::new(text)
            .ecl(fast_qr::ECL::M)
            .build()
            .ok()?;
        let width = code.size;
        let dark = (0..width)
            .flat_map(|row| code[row].iter().map(|m| m.value()))
            .collect();
        Some(Self { width, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn is_dark(&self, row: usize, col: usize) -> bool {
        self.dark[row * self.width + col]
    }

    /// Each run of dark modules in a row, as (row, first column, length): one rectangle each
    /// is a far smaller drawing than one per module.
    pub fn runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        (0..self.width).flat_map(move |row| {
            let mut col = 0;
            std::iter::from_fn(move || {
                while col < self.width && !self.is_dark(row, col) {
                    col += 1;
                }
                let start = col;
                while col < self.width && self.is_dark(row, col) {
                    col += 1;
                }
                (col > start).then_some((row, start, col - start))
            })
        })
    }
}

/// The smallest size of the SVG's box, in CSS pixels; a whole number of pixels per module.
const MIN_PIXELS: usize = 220;

/// Seals' codes made lately (3 KiB each). A purchase draws its vignette's seal twice: on the
/// page the payer comes back to, then in the PDF its e-mail carries moments later; building
/// a code (the eight masks tried) was about 4 % of a purchase's CPU (issue 23, perf). Only
/// seals are kept: they are public addresses, where the two-step set-up's code holds a secret.
static SEALS: LazyLock<Recent<Matrix>> = LazyLock::new(|| Recent::new(1024));

/// The QR code of a seal's address, made once for the page and the document.
pub fn seal(text: &str) -> Option<Arc<Matrix>> {
    SEALS.get_or(text, || Matrix::of(text))
}

/// `seal` as an SVG image for inline HTML.
pub fn seal_svg(text: &str) -> Option<String> {
    seal(text).map(|m| svg_of(&m))
}

/// The QR code of `text` as an SVG image for inline HTML: dark modules on white, with the
/// quiet zone.
pub fn svg(text: &str) -> Option<String> {
    Matrix::of(text).map(|m| svg_of(&m))
}

fn svg_of(m: &Matrix) -> String {
    let side = m.width() + 2 * QUIET_ZONE;
    let pixels = side * MIN_PIXELS.div_ceil(side);
    // About 850 runs for a seal: written digit by digit, where a `write!` per run cost 1.4 %
    // of a purchase's CPU in `payments_bench vignette` (issue 23, perf).
    let mut path = String::with_capacity(m.width() * m.width());
    for (row, col, len) in m.runs() {
        path.push('M');
        push_number(&mut path, col + QUIET_ZONE);
        path.push(' ');
        push_number(&mut path, row + QUIET_ZONE);
        path.push('h');
        push_number(&mut path, len);
        path.push_str("v1h-");
        push_number(&mut path, len);
        path.push('z');
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{pixels}\" \
         height=\"{pixels}\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#ffffff\"/>\
         <path fill=\"#000000\" d=\"{path}\"/></svg>"
    )
}

/// Appends `n` in decimal (a module count: a code is at most 177 modules a side).
fn push_number(out: &mut String, n: usize) {
    if n >= 10 {
        push_number(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_has_its_finder_patterns_and_the_svg_draws_every_dark_module() {
        let m = Matrix::of("https://bawaba.example/vignette/check?n=V26-16-0000123").unwrap();
        let w = m.width();
        assert_eq!(
            (w - 17) % 4,
            0,
            "a QR code is 17 + 4 × version modules wide"
        );
        // The three finder patterns: a dark 7×7 ring at three corners, light inside it.
        for (r, c) in [(0, 0), (0, w - 7), (w - 7, 0)] {
            assert!(m.is_dark(r, c) && m.is_dark(r + 6, c + 6) && !m.is_dark(r + 1, c + 1));
            assert!(m.is_dark(r + 3, c + 3), "the centre square");
        }
        let dark = (0..w)
            .flat_map(|r| (0..w).map(move |c| (r, c)))
            .filter(|&(r, c)| m.is_dark(r, c))
            .count();
        assert_eq!(m.runs().map(|(_, _, len)| len).sum::<usize>(), dark);
        let svg = svg("https://bawaba.example/vignette/check?n=V26-16-0000123").unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("fill=\"#000000\""));
        let sealed = seal_svg("https://bawaba.example/vignette/check?n=V26-16-0000123");
        assert_eq!(
            sealed.as_deref(),
            Some(svg.as_str()),
            "a kept seal draws the same"
        );
    }

    #[test]
    fn the_path_says_each_run_in_plain_decimal() {
        let text = "https://bawaba.example/vignette/check?n=V26-16-0000123";
        let m = Matrix::of(text).unwrap();
        let expected: String = m
            .runs()
            .map(|(row, col, len)| {
                let (x, y) = (col + QUIET_ZONE, row + QUIET_ZONE);
                format!("M{x} {y}h{len}v1h-{len}z")
            })
            .collect();
        assert!(svg_of(&m).contains(&format!("d=\"{expected}\"")));
        for n in [0, 7, 10, 61, 100, 177] {
            let mut s = String::new();
            push_number(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn text_too_long_for_a_qr_code_gives_none() {
        assert!(svg(&"x".repeat(4000)).is_none());
    }
}
