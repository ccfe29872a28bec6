//! The documents an application needs, what a file is (judged by its content, never by its
//! name or declared type), and the quality pre-check that tells the applicant, before they
//! leave home, what is wrong with a scan or a photo and how to fix it. Thresholds are data
//! (`QualityRules`, from `idcard_document_rules`).

use super::application::RequestType;
use serde::{Deserialize, Serialize};

/// A document the applicant uploads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    Passport,
    /// Both sides of the residence permit.
    ResidencePermit,
    /// An electricity or water bill, or a lease.
    ProofOfAddress,
    EmployerLetter,
    /// Only for a lost card.
    LossDeclaration,
    /// A passport-style photo.
    Photo,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        Self::Passport,
        Self::ResidencePermit,
        Self::ProofOfAddress,
        Self::EmployerLetter,
        Self::LossDeclaration,
        Self::Photo,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Passport => "passport",
            Self::ResidencePermit => "residence_permit",
            Self::ProofOfAddress => "proof_of_address",
            Self::EmployerLetter => "employer_letter",
            Self::LossDeclaration => "loss_declaration",
            Self::Photo => "photo",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// How many files one document may take: two sides of a permit, a few pages of a bill or
    /// a letter, one photo.
    pub fn max_files(self) -> usize {
        match self {
            Self::Photo => 1,
            Self::Passport | Self::ResidencePermit | Self::LossDeclaration => 2,
            Self::ProofOfAddress | Self::EmployerLetter => 3,
        }
    }

    /// A photo must be an image (a PDF of a photo cannot be checked as one).
    pub fn accepts(self, file: FileType) -> bool {
        self != Self::Photo || file != FileType::Pdf
    }
}

/// The documents `request` needs, in the order the page lists them.
pub fn required(request: RequestType) -> Vec<DocumentKind> {
    use DocumentKind as D;
    let mut kinds = vec![
        D::Passport,
        D::ResidencePermit,
        D::ProofOfAddress,
        D::EmployerLetter,
    ];
    if request == RequestType::ReplaceLost {
        kinds.push(D::LossDeclaration);
    }
    kinds.push(D::Photo);
    kinds
}

/// The documents section's status on the task list: completed when every document needed has
/// a file and no file has a problem left; `files` is each file's document and whether it
/// passed the pre-check.
pub fn status(needed: &[DocumentKind], files: &[(DocumentKind, bool)]) -> super::form::Status {
    use super::form::Status;
    if files.is_empty() {
        return Status::NotStarted;
    }
    let complete = needed.iter().all(|k| files.iter().any(|(f, _)| f == k))
        && files
            .iter()
            .filter(|(k, _)| needed.contains(k))
            .all(|(_, passed)| *passed);
    if complete {
        Status::Completed
    } else {
        Status::InProgress
    }
}

/// The kinds of file accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileType {
    Pdf,
    Jpeg,
    Png,
}

impl FileType {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Pdf, Self::Jpeg, Self::Png]
            .into_iter()
            .find(|t| t.mime() == code)
    }
}

/// What a file is, from its first bytes (its "magic"): `None` for anything else, whatever
/// its name says. An HTML page named `.pdf` or a program named `.jpg` is `None`.
pub fn sniff(head: &[u8]) -> Option<FileType> {
    if head.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileType::Png)
    } else {
        None
    }
}

/// The pre-check's thresholds, from data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityRules {
    /// A scanned or photographed document: at least this many pixels on its short side.
    pub document_min_short_side: u32,
    /// The photo: at least this wide and tall.
    pub photo_min_width: u32,
    pub photo_min_height: u32,
    /// The photo's height over its width, in thousandths (a passport photo, 35 × 45 mm, is
    /// 1 286), and how far from it it may be.
    pub photo_aspect_milli: u32,
    pub photo_aspect_tolerance_milli: u32,
    /// Mean luminance (0 to 255) below this: too dark; above the other: overexposed.
    pub min_mean_luminance: u32,
    pub max_mean_luminance: u32,
    /// Variance of the Laplacian below this: blurred.
    pub min_sharpness: u32,
    /// A PDF has at most this many pages.
    pub max_pdf_pages: u32,
}

/// What the pre-check found wrong with one file, each with its own message saying how to fix
/// it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QualityProblem {
    TooSmall,
    PhotoTooSmall,
    PhotoShape,
    TooDark,
    Overexposed,
    Blurred,
    PdfEmpty,
    PdfTooManyPages,
    PdfEncrypted,
    PdfUnreadable,
}

impl QualityProblem {
    pub const ALL: [QualityProblem; 10] = [
        Self::TooSmall,
        Self::PhotoTooSmall,
        Self::PhotoShape,
        Self::TooDark,
        Self::Overexposed,
        Self::Blurred,
        Self::PdfEmpty,
        Self::PdfTooManyPages,
        Self::PdfEncrypted,
        Self::PdfUnreadable,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::TooSmall => "too_small",
            Self::PhotoTooSmall => "photo_too_small",
            Self::PhotoShape => "photo_shape",
            Self::TooDark => "too_dark",
            Self::Overexposed => "overexposed",
            Self::Blurred => "blurred",
            Self::PdfEmpty => "pdf_empty",
            Self::PdfTooManyPages => "pdf_too_many_pages",
            Self::PdfEncrypted => "pdf_encrypted",
            Self::PdfUnreadable => "pdf_unreadable",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// An image as the pre-check sees it: 8-bit luminance, row by row.
pub struct Gray<'a> {
    pub width: u32,
    pub height: u32,
    pub pixels: &'a [u8],
}

impl Gray<'_> {
    fn at(&self, x: u32, y: u32) -> i32 {
        i32::from(self.pixels[(y * self.width + x) as usize])
    }

    /// Mean luminance, 0 to 255.
    pub fn mean(&self) -> u32 {
        if self.pixels.is_empty() {
            return 0;
        }
        let sum: u64 = self.pixels.iter().map(|p| u64::from(*p)).sum();
        (sum / self.pixels.len() as u64) as u32
    }

    /// Variance of the 4-neighbour Laplacian: how much detail (edges) the image has. A sharp
    /// photo of text has strong edges; the same photo out of focus has almost none.
    pub fn sharpness(&self) -> u32 {
        if self.width < 3 || self.height < 3 {
            return 0;
        }
        let (mut sum, mut sum_sq, mut n) = (0i64, 0i64, 0i64);
        for y in 1..self.height - 1 {
            for x in 1..self.width - 1 {
                let l =
                    self.at(x - 1, y) + self.at(x + 1, y) + self.at(x, y - 1) + self.at(x, y + 1)
                        - 4 * self.at(x, y);
                let l = i64::from(l);
                sum += l;
                sum_sq += l * l;
                n += 1;
            }
        }
        let mean = sum as f64 / n as f64;
        (sum_sq as f64 / n as f64 - mean * mean).max(0.0) as u32
    }
}

/// The pre-check of an image of `kind`, in the order the applicant should fix things (size
/// first: a retake fixes the rest too).
pub fn check_image(kind: DocumentKind, image: &Gray, rules: &QualityRules) -> Vec<QualityProblem> {
    let mut problems = Vec::new();
    let (w, h) = (image.width, image.height);
    if kind == DocumentKind::Photo {
        if w < rules.photo_min_width || h < rules.photo_min_height {
            problems.push(QualityProblem::PhotoTooSmall);
        }
        let aspect = u64::from(h) * 1000 / u64::from(w.max(1));
        if aspect.abs_diff(u64::from(rules.photo_aspect_milli))
            > u64::from(rules.photo_aspect_tolerance_milli)
        {
            problems.push(QualityProblem::PhotoShape);
        }
    } else if w.min(h) < rules.document_min_short_side {
        problems.push(QualityProblem::TooSmall);
    }
    let mean = image.mean();
    if mean < rules.min_mean_luminance {
        problems.push(QualityProblem::TooDark);
    } else if mean > rules.max_mean_luminance {
        problems.push(QualityProblem::Overexposed);
    }
    if image.sharpness() < rules.min_sharpness {
        problems.push(QualityProblem::Blurred);
    }
    problems
}

/// The pre-check of a PDF, from what reading it found.
pub fn check_pdf(pages: Option<u32>, encrypted: bool, rules: &QualityRules) -> Vec<QualityProblem> {
    match (pages, encrypted) {
        (_, true) => vec![QualityProblem::PdfEncrypted],
        (None, _) => vec![QualityProblem::PdfUnreadable],
        (Some(0), _) => vec![QualityProblem::PdfEmpty],
        (Some(n), _) if n > rules.max_pdf_pages => vec![QualityProblem::PdfTooManyPages],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> QualityRules {
        QualityRules {
            document_min_short_side: 1000,
            photo_min_width: 600,
            photo_min_height: 771,
            photo_aspect_milli: 1286,
            photo_aspect_tolerance_milli: 80,
            min_mean_luminance: 60,
            max_mean_luminance: 220,
            min_sharpness: 100,
            max_pdf_pages: 10,
        }
    }

    /// A page of "text": dark strokes on light paper every few pixels (sharp), optionally
    /// blurred by averaging, scaled in brightness.
    fn page(width: u32, height: u32, paper: u8, ink: u8, blur: u32) -> Vec<u8> {
        let mut px: Vec<u8> = (0..height)
            .flat_map(|y| {
                (0..width).map(move |x| {
                    if (x / 3 + y / 7) % 4 == 0 && y % 7 < 4 {
                        ink
                    } else {
                        paper
                    }
                })
            })
            .collect();
        for _ in 0..blur {
            let src = px.clone();
            for y in 1..height - 1 {
                for x in 1..width - 1 {
                    let i = (y * width + x) as usize;
                    let w = width as usize;
                    let s: u32 = [
                        i - w - 1,
                        i - w,
                        i - w + 1,
                        i - 1,
                        i,
                        i + 1,
                        i + w - 1,
                        i + w,
                        i + w + 1,
                    ]
                    .iter()
                    .map(|j| u32::from(src[*j]))
                    .sum();
                    px[i] = (s / 9) as u8;
                }
            }
        }
        px
    }

    fn check(kind: DocumentKind, w: u32, h: u32, px: &[u8]) -> Vec<QualityProblem> {
        check_image(
            kind,
            &Gray {
                width: w,
                height: h,
                pixels: px,
            },
            &rules(),
        )
    }

    #[test]
    fn a_sharp_bright_large_scan_passes() {
        let px = page(1200, 1600, 235, 20, 0);
        assert_eq!(check(DocumentKind::Passport, 1200, 1600, &px), vec![]);
    }

    #[test]
    fn each_fault_is_named() {
        let small = page(800, 600, 235, 20, 0);
        assert_eq!(
            check(DocumentKind::Passport, 800, 600, &small),
            vec![QualityProblem::TooSmall]
        );
        let dark = page(1200, 1200, 40, 5, 0);
        assert_eq!(
            check(DocumentKind::ProofOfAddress, 1200, 1200, &dark),
            vec![QualityProblem::TooDark]
        );
        let white = vec![250u8; 1200 * 1200];
        assert_eq!(
            check(DocumentKind::EmployerLetter, 1200, 1200, &white),
            vec![QualityProblem::Overexposed, QualityProblem::Blurred]
        );
        let blurred = page(1000, 1000, 235, 20, 6);
        assert_eq!(
            check(DocumentKind::ResidencePermit, 1000, 1000, &blurred),
            vec![QualityProblem::Blurred]
        );
    }

    #[test]
    fn a_photo_has_the_shape_and_size_of_a_passport_photo() {
        let good = page(700, 900, 200, 40, 0);
        assert_eq!(check(DocumentKind::Photo, 700, 900, &good), vec![]);
        let square = page(900, 900, 200, 40, 0);
        assert_eq!(
            check(DocumentKind::Photo, 900, 900, &square),
            vec![QualityProblem::PhotoShape]
        );
        let tiny = page(140, 180, 200, 40, 0);
        assert_eq!(
            check(DocumentKind::Photo, 140, 180, &tiny),
            vec![QualityProblem::PhotoTooSmall]
        );
    }

    #[test]
    fn a_pdf_must_have_pages_be_readable_and_open() {
        let r = rules();
        assert_eq!(check_pdf(Some(2), false, &r), vec![]);
        assert_eq!(
            check_pdf(Some(0), false, &r),
            vec![QualityProblem::PdfEmpty]
        );
        assert_eq!(
            check_pdf(Some(11), false, &r),
            vec![QualityProblem::PdfTooManyPages]
        );
        assert_eq!(
            check_pdf(Some(1), true, &r),
            vec![QualityProblem::PdfEncrypted]
        );
        assert_eq!(
            check_pdf(None, false, &r),
            vec![QualityProblem::PdfUnreadable]
        );
    }

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
            Some(FileType::Jpeg)
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0]),
            Some(FileType::Png)
        );
        // A program named .jpg, a web page named .pdf, a GIF, an empty file, a truncated PNG.
        for other in [
            &b"MZ\x90\x00\x03"[..],
            b"<!DOCTYPE html><html>",
            b"GIF89a",
            b"",
            &[0x89, b'P', b'N', b'G'][..],
            b" %PDF-1.4",
        ] {
            assert_eq!(sniff(other), None, "{other:?}");
        }
    }

    #[test]
    fn the_documents_are_complete_when_each_has_a_file_and_none_a_problem() {
        use super::super::form::Status;
        let needed = required(RequestType::New);
        assert_eq!(status(&needed, &[]), Status::NotStarted);
        let all: Vec<(DocumentKind, bool)> = needed.iter().map(|k| (*k, true)).collect();
        assert_eq!(status(&needed, &all), Status::Completed);
        assert_eq!(status(&needed, &all[1..]), Status::InProgress);
        let mut one_bad = all.clone();
        one_bad.push((DocumentKind::Passport, false));
        assert_eq!(status(&needed, &one_bad), Status::InProgress);
        // A file of a document no longer needed (the request changed) does not count.
        let mut extra = all.clone();
        extra.push((DocumentKind::LossDeclaration, false));
        assert_eq!(status(&needed, &extra), Status::Completed);
    }

    #[test]
    fn a_lost_card_needs_the_loss_declaration_and_a_photo_is_never_a_pdf() {
        assert!(required(RequestType::ReplaceLost).contains(&DocumentKind::LossDeclaration));
        for r in [RequestType::New, RequestType::ReplaceDamaged] {
            assert!(!required(r).contains(&DocumentKind::LossDeclaration));
            assert!(required(r).contains(&DocumentKind::Photo));
        }
        assert!(!DocumentKind::Photo.accepts(FileType::Pdf));
        assert!(DocumentKind::Passport.accepts(FileType::Pdf));
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.code()), Some(k));
        }
        for p in QualityProblem::ALL {
            assert_eq!(QualityProblem::parse(p.code()), Some(p));
        }
    }
}
