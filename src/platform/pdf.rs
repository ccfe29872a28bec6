//! Official documents as PDF (the vignette with its receipt, the appointment slip): pages drawn
//! with krilla, which subsets and embeds the fonts and keeps the text extractable, laid out
//! along the reader's direction by `Writer` (the portal's band, label and value rows, wrapped
//! paragraphs, a footer). Two things a PDF library does not do for Arabic are done here:
//!
//! - shaping (rustybuzz): letters take their joined forms and ligatures;
//! - ordering (the Unicode bidirectional algorithm, `unicode-bidi`): a line is split into runs of
//!   one direction, each shaped on its own and placed in visual order, so a plate, a number or
//!   a French word stays left to right inside an Arabic sentence.
//!
//! The fonts ship inside the binary: Noto Naskh Arabic for Arabic runs, Noto Sans (subset to
//! Latin) for the rest; both under the SIL Open Font License (`pdf/fonts/OFL.txt`).

use super::recent::Recent;
use krilla::{
    Document,
    color::rgb,
    geom::{PathBuilder, Point, Rect, Transform},
    num::NormalizedF32,
    page::PageSettings,
    paint::Fill,
    surface::Surface,
    text::{Font, GlyphId, KrillaGlyph},
};
use std::sync::{Arc, LazyLock};
use unicode_bidi::{BidiInfo, Level};

static ARABIC_REGULAR: &[u8] = include_bytes!("pdf/fonts/NotoNaskhArabic-Regular.ttf");
static ARABIC_BOLD: &[u8] = include_bytes!("pdf/fonts/NotoNaskhArabic-Bold.ttf");
static LATIN_REGULAR: &[u8] = include_bytes!("pdf/fonts/NotoSans-Regular.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("pdf/fonts/NotoSans-Bold.ttf");

/// The four faces, parsed once per process.
struct Fonts {
    arabic: [Font; 2],
    latin: [Font; 2],
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| {
    let load = |bytes: &'static [u8]| Font::new(bytes.into(), 0).expect("a shipped font parses");
    Fonts {
        arabic: [load(ARABIC_REGULAR), load(ARABIC_BOLD)],
        latin: [load(LATIN_REGULAR), load(LATIN_BOLD)],
    }
});

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A run of one direction and one font, shaped.
struct Run {
    font: Font,
    text: String,
    glyphs: Vec<KrillaGlyph>,
    /// In ems.
    width: f32,
}

/// A line of text, laid out: runs in visual order (left to right) at a size in points.
pub struct Line {
    runs: Vec<Arc<Run>>,
    size: f32,
}

impl Line {
    /// Lays out `text` on one line. `rtl`: the paragraph's base direction (Arabic pages), which
    /// decides where neutral characters (spaces, punctuation) between runs go.
    pub fn new(text: &str, size: f32, weight: Weight, rtl: bool) -> Self {
        let base = if rtl { Level::rtl() } else { Level::ltr() };
        let bidi = BidiInfo::new(text, Some(base));
        let mut runs = Vec::new();
        for paragraph in &bidi.paragraphs {
            let (levels, visual) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for range in visual {
                let rtl_run = levels[range.start].is_rtl();
                let mut pieces = split_by_script(&text[range]);
                // Pieces come in reading order; a right-to-left run is drawn from its end.
                if rtl_run {
                    pieces.reverse();
                }
                for (piece, arabic) in pieces {
                    runs.push(shaped(piece, arabic, weight, rtl_run));
                }
            }
        }
        Self { runs, size }
    }

    /// Width in points.
    pub fn width(&self) -> f32 {
        self.runs.iter().map(|r| r.width).sum::<f32>() * self.size
    }

    /// Draws the line with its left end at `x` and its baseline at `y`.
    pub fn draw(&self, surface: &mut Surface, x: f32, y: f32) {
        let mut x = x;
        for run in &self.runs {
            surface.draw_glyphs(
                Point::from_xy(x, y),
                &run.glyphs,
                run.font.clone(),
                &run.text,
                self.size,
                false,
            );
            x += run.width * self.size;
        }
    }

    /// The glyph ids of the line, in visual order (for tests: shaped Arabic differs from the
    /// isolated forms a naive writer would use).
    pub fn glyph_ids(&self) -> Vec<u32> {
        self.runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(|g| g.glyph_id.to_u32()))
            .collect()
    }
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// The shaping faces, parsed once (regular and bold of each).
static FACES: LazyLock<[rustybuzz::Face<'static>; 4]> = LazyLock::new(|| {
    let face = |bytes: &'static [u8]| {
        rustybuzz::Face::from_slice(bytes, 0).expect("a shipped font parses")
    };
    [
        face(ARABIC_REGULAR),
        face(ARABIC_BOLD),
        face(LATIN_REGULAR),
        face(LATIN_BOLD),
    ]
});

/// Splits a run of one direction into pieces of one face: Arabic letters in the Arabic face,
/// other letters and digits in the Latin one. A space or a punctuation mark goes with the
/// letters before it (else after it) when that face has it: the Arabic face has no
/// parentheses or dashes, so "(VIN)" or " — " after Arabic words takes the Latin face.
fn split_by_script(text: &str) -> Vec<(&str, bool)> {
    let has = |arabic: bool, c: char| FACES[if arabic { 0 } else { 2 }].glyph_index(c).is_some();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let strong = |c: char| c.is_alphanumeric().then(|| is_arabic(c));
    let mut faces: Vec<bool> = Vec::with_capacity(chars.len());
    for (i, (_, c)) in chars.iter().enumerate() {
        let face = match strong(*c) {
            Some(arabic) => arabic,
            None => {
                let want = faces
                    .last()
                    .copied()
                    .or_else(|| chars[i..].iter().find_map(|(_, c)| strong(*c)))
                    .unwrap_or(false);
                if has(want, *c) {
                    want
                } else {
                    !want && has(true, *c)
                }
            }
        };
        faces.push(face);
    }
    let mut pieces = Vec::new();
    let mut start = 0;
    for i in 1..=chars.len() {
        if i == chars.len() || faces[i] != faces[start] {
            let end = chars.get(i).map_or(text.len(), |(b, _)| *b);
            pieces.push((&text[chars[start].0..end], faces[start]));
            start = i;
        }
    }
    pieces
}

/// Runs shaped lately. A document's labels, headings and footer are the same in every copy in
/// a language; shaping them again each time was about 4 % of a purchase's CPU (issue 23,
/// perf). Values (plates, dates, amounts) pass through and are soon pushed out.
static SHAPED: LazyLock<Recent<Run>> = LazyLock::new(|| Recent::new(2048));

/// `shape`, from `SHAPED` when the same piece was shaped the same way lately.
fn shaped(text: &str, arabic: bool, weight: Weight, rtl: bool) -> Arc<Run> {
    let key = format!(
        "{}{}{}{text}",
        arabic as u8,
        (weight == Weight::Bold) as u8,
        rtl as u8
    );
    SHAPED.get_or_make(&key, || shape(text, arabic, weight, rtl))
}

/// Shapes one piece in the Arabic or the Latin face, in `rtl` or left-to-right order.
fn shape(text: &str, arabic: bool, weight: Weight, rtl: bool) -> Run {
    let fonts = &*FONTS;
    let w = (weight == Weight::Bold) as usize;
    let (font, face) = if arabic {
        (fonts.arabic[w].clone(), &FACES[w])
    } else {
        (fonts.latin[w].clone(), &FACES[2 + w])
    };
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let output = rustybuzz::shape(face, &[], buffer);
    let upem = font.units_per_em();
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    // Each glyph's source text: from its cluster to the next cluster in logical order (glyphs
    // of a right-to-left run come out in visual order, so clusters decrease).
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |start: usize| {
        starts
            .iter()
            .find(|s| **s > start)
            .copied()
            .unwrap_or(text.len())
    };
    let glyphs: Vec<KrillaGlyph> = infos
        .iter()
        .zip(positions)
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / upem,
                pos.x_offset as f32 / upem,
                pos.y_offset as f32 / upem,
                pos.y_advance as f32 / upem,
                start..end_of(start),
                None,
            )
        })
        .collect();
    let width = glyphs.iter().map(|g| g.x_advance).sum();
    Run {
        font,
        text: text.to_string(),
        glyphs,
        width,
    }
}

/// A colour as the documents use it (`#RRGGBB` parts).
pub fn color(r: u8, g: u8, b: u8) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

/// Fills a rectangle (a band, a rule, a QR module).
pub fn fill_rect(surface: &mut Surface, x: f32, y: f32, w: f32, h: f32, colour: rgb::Color) {
    let Some(rect) = Rect::from_xywh(x, y, w, h) else {
        return;
    };
    let mut pb = PathBuilder::new();
    pb.push_rect(rect);
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(Fill {
            paint: colour.into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        surface.draw_path(&path);
    }
}

/// Draws a seal's address `text` as a QR code (`platform::qr::seal`: error correction M, a
/// creased or smudged print still scans; made once for the page and the document) in a
/// `side`-point square at (x, y), its quiet zone included. One path for all
/// dark modules, drawn in a space scaled so that a module is one unit: whole-number
/// coordinates ("12 30 m") instead of the points' fractions ("70.8923 121.53846 m"). A run of
/// dark modules in a row is one line, stroked one module wide with square-cut ends along the
/// row's middle: it covers what the run's rectangle would ("4 4 m 11 4 l" against
/// "4 4 m 11 4 l 11 5 l 4 5 l h"). The seal is most of the page's bytes, so the page is
/// quicker to write and to compress (issue 23).
pub fn qr_code(
    surface: &mut Surface,
    text: &str,
    x: f32,
    y: f32,
    side: f32,
    colour: rgb::Color,
) -> Result<(), String> {
    use super::qr::QUIET_ZONE;
    use krilla::paint::{LineCap, Stroke};
    let code = super::qr::seal(text).ok_or("QR code: the text is too long")?;
    let module = side / (code.width() + 2 * QUIET_ZONE) as f32;
    let mut pb = PathBuilder::new();
    for (row, col, len) in code.runs() {
        let at = |n: usize| (n + QUIET_ZONE) as f32;
        pb.move_to(at(col), at(row));
        pb.line_to(at(col) + len as f32, at(row));
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: colour.into(),
            width: 1.0,
            line_cap: LineCap::Butt,
            ..Stroke::default()
        }));
        // Half a module down: row n's line runs along the middle of the module row n.
        let down = y + module / 2.0;
        surface.push_transform(&Transform::from_row(module, 0.0, 0.0, module, x, down));
        surface.draw_path(&path);
        surface.pop();
        surface.set_stroke(None);
    }
    text_colour(surface, colour);
    Ok(())
}

/// Sets the colour text is drawn in.
pub fn text_colour(surface: &mut Surface, colour: rgb::Color) {
    surface.set_fill(Some(Fill {
        paint: colour.into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

pub const A4: (f32, f32) = (595.0, 842.0);
pub const MARGIN: f32 = 48.0;
/// Between the widest label and the values.
const LABEL_GAP: f32 = 28.0;
const LABEL_SIZE: f32 = 11.0;
const VALUE_SIZE: f32 = 13.0;

/// The documents' colours: text, secondary text, the portal's green, white on green.
pub fn ink() -> rgb::Color {
    color(0x16, 0x20, 0x1d)
}
pub fn muted() -> rgb::Color {
    color(0x44, 0x52, 0x4d)
}
pub fn green() -> rgb::Color {
    color(0x0b, 0x5d, 0x4b)
}

/// One A4 page drawn by `draw`, as PDF bytes.
pub fn a4_page(draw: impl FnOnce(&mut Surface) -> Result<(), String>) -> Result<Vec<u8>, String> {
    let mut document = Document::new();
    let settings = PageSettings::from_wh(A4.0, A4.1).ok_or("page size")?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    draw(&mut surface)?;
    surface.finish();
    page.finish();
    document.finish().map_err(|e| format!("{e:?}"))
}

/// A label and its value; `island`: the value reads left to right in every language (a
/// number, a date, a reference).
pub struct Row {
    pub label: String,
    pub value: String,
    pub island: bool,
}

impl Row {
    pub fn new(label: &str, value: impl Into<String>, island: bool) -> Self {
        Self {
            label: label.to_string(),
            value: value.into(),
            island,
        }
    }
}

/// An A4 page drawn along the reader's direction: `start` is the right edge in Arabic.
pub struct Writer {
    pub rtl: bool,
}

impl Writer {
    /// Left end of `line` placed `from_start` points in from the start edge.
    pub fn x(&self, line: &Line, from_start: f32) -> f32 {
        if self.rtl {
            A4.0 - MARGIN - from_start - line.width()
        } else {
            MARGIN + from_start
        }
    }

    /// The x of a box `width` wide at the end edge (the QR code's place).
    pub fn end_x(&self, width: f32) -> f32 {
        if self.rtl {
            MARGIN
        } else {
            A4.0 - MARGIN - width
        }
    }

    /// A line of text in the reader's direction, `from_start` in from the start edge.
    pub fn text(
        &self,
        surface: &mut Surface,
        text: &str,
        size: f32,
        weight: Weight,
        from_start: f32,
        y: f32,
    ) {
        let line = Line::new(text, size, weight, self.rtl);
        line.draw(surface, self.x(&line, from_start), y);
    }

    /// The portal's green band at the top: its name and what the document is.
    pub fn band(&self, surface: &mut Surface, portal: &str, title: &str) {
        fill_rect(surface, 0.0, 0.0, A4.0, 96.0, green());
        text_colour(surface, color(0xff, 0xff, 0xff));
        self.text(surface, portal, 22.0, Weight::Bold, 0.0, 44.0);
        self.text(surface, title, 15.0, Weight::Regular, 0.0, 76.0);
        text_colour(surface, ink());
    }

    /// Where the values start: clear of the widest label of `rows` in this language.
    pub fn value_column<'a>(&self, rows: impl IntoIterator<Item = &'a Row>) -> f32 {
        rows.into_iter()
            .map(|r| Line::new(&r.label, LABEL_SIZE, Weight::Regular, self.rtl).width())
            .fold(0.0, f32::max)
            + LABEL_GAP
    }

    /// Label and value rows from `y` down; `y` ends below the last.
    pub fn rows(&self, surface: &mut Surface, y: &mut f32, rows: &[Row], value_column: f32) {
        for row in rows {
            text_colour(surface, muted());
            self.text(surface, &row.label, LABEL_SIZE, Weight::Regular, 0.0, *y);
            text_colour(surface, ink());
            let v = Line::new(
                &row.value,
                VALUE_SIZE,
                Weight::Regular,
                self.rtl && !row.island,
            );
            v.draw(surface, self.x(&v, value_column), *y);
            *y += 28.0;
        }
    }

    /// A paragraph broken into lines no wider than `width` (between words), from `y` down.
    #[allow(clippy::too_many_arguments)]
    pub fn paragraph(
        &self,
        surface: &mut Surface,
        y: &mut f32,
        text: &str,
        size: f32,
        from_start: f32,
        width: f32,
    ) {
        for line in wrap(text, size, width, self.rtl) {
            line.draw(surface, self.x(&line, from_start), *y);
            *y += size * 1.6;
        }
    }

    /// Under the band: a small label and its value in large type (what an officer reads out,
    /// what an applicant looks for), a left-to-right island.
    pub fn headline(&self, surface: &mut Surface, label: &str, value: &str) {
        text_colour(surface, muted());
        self.text(surface, label, 12.0, Weight::Regular, 0.0, 140.0);
        text_colour(surface, ink());
        let big = Line::new(value, 34.0, Weight::Bold, false);
        big.draw(surface, self.x(&big, 0.0), 184.0);
    }

    /// A seal's QR code, `side` points square at the end edge level with the headline, with its
    /// caption under it.
    pub fn seal(
        &self,
        surface: &mut Surface,
        text: &str,
        caption: &str,
        side: f32,
    ) -> Result<(), String> {
        let (x, top) = (self.end_x(side), 112.0);
        qr_code(surface, text, x, top, side, ink())?;
        text_colour(surface, muted());
        let caption = Line::new(caption, 8.5, Weight::Regular, self.rtl);
        caption.draw(
            surface,
            x + (side - caption.width()) / 2.0,
            top + side + 10.0,
        );
        text_colour(surface, ink());
        Ok(())
    }

    /// A rule, then a section's heading under it; `y` ends where the section's first line goes.
    pub fn section(&self, surface: &mut Surface, y: &mut f32, heading: &str) {
        *y += 14.0;
        self.rule(surface, *y);
        *y += 36.0;
        self.text(surface, heading, 16.0, Weight::Bold, 0.0, *y);
        *y += 32.0;
    }

    /// A rule across the page, between margins.
    pub fn rule(&self, surface: &mut Surface, y: f32) {
        fill_rect(surface, MARGIN, y, A4.0 - 2.0 * MARGIN, 1.0, muted());
    }

    /// The footer line at the bottom margin.
    pub fn footer(&self, surface: &mut Surface, text: &str) {
        text_colour(surface, muted());
        self.text(surface, text, 9.5, Weight::Regular, 0.0, A4.1 - MARGIN);
        text_colour(surface, ink());
    }
}

/// `text` as lines no wider than `width` points, broken between words (a word wider than the
/// line stays whole on its own).
fn wrap(text: &str, size: f32, width: f32, rtl: bool) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if !current.is_empty() && Line::new(&candidate, size, Weight::Regular, rtl).width() > width
        {
            lines.push(Line::new(&current, size, Weight::Regular, rtl));
            current = word.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(Line::new(&current, size, Weight::Regular, rtl));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_shaped_into_joined_forms() {
        // "قسيمة": five letters that join; the isolated forms are what the cmap gives.
        let word = "قسيمة";
        let line = Line::new(word, 12.0, Weight::Regular, true);
        let face = rustybuzz::Face::from_slice(ARABIC_REGULAR, 0).unwrap();
        let isolated: Vec<u32> = word
            .chars()
            .rev()
            .map(|c| face.glyph_index(c).unwrap().0 as u32)
            .collect();
        let shaped = line.glyph_ids();
        assert_eq!(shaped.len(), isolated.len());
        assert_ne!(shaped, isolated, "joined forms, not isolated letters");
        // Drawn right to left: the first letter's glyph is the rightmost (last).
        assert_ne!(shaped.last(), Some(&isolated[isolated.len() - 1]));
    }

    #[test]
    fn numbers_stay_left_to_right_inside_arabic() {
        let line = Line::new("قسيمة 2026", 12.0, Weight::Bold, true);
        // Visual order on an Arabic line: the number on the left, then the word.
        let texts: Vec<&str> = line.runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["2026", "قسيمة "]);
        assert!(line.width() > 0.0);
        // A plate is a left-to-right island: on an Arabic base line its groups would swap
        // (the bidi algorithm treats the spaces between numbers as right to left).
        let island = Line::new("12345 119 16", 12.0, Weight::Regular, false);
        let texts: Vec<&str> = island.runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(texts, ["12345 119 16"]);
        let swapped = Line::new("12345 119 16", 12.0, Weight::Regular, true);
        assert_eq!(swapped.runs[0].text, "16");
    }

    #[test]
    fn marks_the_arabic_face_lacks_come_from_the_latin_one() {
        let pieces = split_by_script("رقم الهيكل (VIN)");
        assert_eq!(pieces, [("رقم الهيكل ", true), ("(VIN)", false)]);
        let pieces = split_by_script("1 — السيارات");
        assert_eq!(pieces, [("1 — ", false), ("السيارات", true)]);
        // Every glyph drawn exists (no .notdef, glyph 0) in a mixed Arabic line.
        let line = Line::new(
            "صنف اللوحة (1 — السيارات السياحية)",
            12.0,
            Weight::Regular,
            true,
        );
        assert!(!line.glyph_ids().contains(&0), "{:?}", line.glyph_ids());
    }

    #[test]
    fn paragraphs_break_between_words_within_the_width() {
        let text = "أحضر جواز سفرك وتصريح إقامتك وأصول المستندات التي رفعتها والبطاقة التالفة";
        let lines = wrap(text, 12.0, 150.0, true);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(line.width() <= 150.0, "{}", line.width());
        }
        let words: usize = lines
            .iter()
            .map(|l| {
                l.runs
                    .iter()
                    .map(|r| r.text.split_whitespace().count())
                    .sum::<usize>()
            })
            .sum();
        assert!(words >= text.split_whitespace().count());
        assert!(wrap("", 12.0, 150.0, false).is_empty());
    }
}
