//! What happens to an uploaded file before it is kept: its type judged by its content, an
//! image's size read from its header before anything is decoded (a decompression bomb is
//! refused there), the image decoded, turned upright and encoded again (so that no EXIF or GPS
//! metadata survives), a PDF's pages counted; then the quality pre-check. CPU work: the
//! caller runs it on a blocking thread.

use crate::domain::idcard::documents::{
    DocumentKind, FileType, Gray, QualityProblem, QualityRules, check_image, check_pdf, sniff,
};
use std::io::Cursor;

/// A file ready to keep, with what the pre-check found.
#[derive(Debug)]
pub struct Processed {
    pub file_type: FileType,
    /// What is stored: a re-encoded image, or the PDF as sent.
    pub bytes: Vec<u8>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub pages: Option<u32>,
    pub problems: Vec<QualityProblem>,
}

/// Why a file is not kept at all (the pre-check's findings are kept, with the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    Empty,
    /// Not a PDF, JPEG or PNG, whatever its name.
    NotAllowed,
    /// A PDF offered as the photo.
    PhotoNotImage,
    /// More pixels than the data allows: refused from the header, before decoding.
    TooManyPixels,
    /// It says it is an image, but it cannot be decoded.
    Corrupt,
}

impl Refused {
    pub fn code(self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::NotAllowed => "not_allowed",
            Self::PhotoNotImage => "photo_not_image",
            Self::TooManyPixels => "too_many_pixels",
            Self::Corrupt => "corrupt",
        }
    }
}

pub fn process(
    kind: DocumentKind,
    bytes: Vec<u8>,
    rules: &QualityRules,
    max_pixels: u64,
) -> Result<Processed, Refused> {
    if bytes.is_empty() {
        return Err(Refused::Empty);
    }
    let file_type = sniff(&bytes).ok_or(Refused::NotAllowed)?;
    if !kind.accepts(file_type) {
        return Err(Refused::PhotoNotImage);
    }
    match file_type {
        FileType::Pdf => Ok(pdf(bytes, rules)),
        FileType::Jpeg => image(kind, &bytes, image::ImageFormat::Jpeg, rules, max_pixels),
        FileType::Png => image(kind, &bytes, image::ImageFormat::Png, rules, max_pixels),
    }
}

fn pdf(bytes: Vec<u8>, rules: &QualityRules) -> Processed {
    let (pages, encrypted) = match lopdf::Document::load_mem(&bytes) {
        Ok(doc) => (Some(doc.get_pages().len() as u32), doc.is_encrypted()),
        // lopdf may refuse an encrypted file outright: its trailer names the encryption.
        Err(_) => (None, contains(&bytes, b"/Encrypt")),
    };
    Processed {
        file_type: FileType::Pdf,
        problems: check_pdf(pages, encrypted, rules),
        bytes,
        width: None,
        height: None,
        pages,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn image(
    kind: DocumentKind,
    bytes: &[u8],
    format: image::ImageFormat,
    rules: &QualityRules,
    max_pixels: u64,
) -> Result<Processed, Refused> {
    use image::{DynamicImage, ImageDecoder, ImageReader};
    let reader = || ImageReader::with_format(Cursor::new(bytes), format);
    let (width, height) = reader().into_dimensions().map_err(|_| Refused::Corrupt)?;
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(Refused::TooManyPixels);
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // RGBA at 8 bits, and as much again for the decoder's own buffers.
    limits.max_alloc = Some(max_pixels * 8);
    let mut reader = reader();
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Refused::Corrupt)?;
    let orientation = decoder.orientation().map_err(|_| Refused::Corrupt)?;
    let mut picture = DynamicImage::from_decoder(decoder).map_err(|_| Refused::Corrupt)?;
    // Phones store a photo sideways with a "rotate" note in its EXIF; the note is dropped
    // with the rest of the metadata, so the rotation is applied first.
    picture.apply_orientation(orientation);
    let mut out = Vec::new();
    let encoded = match format {
        image::ImageFormat::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
                .encode_image(&picture.to_rgb8())
        }
        _ => DynamicImage::ImageRgba8(picture.to_rgba8())
            .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png),
    };
    encoded.map_err(|_| Refused::Corrupt)?;
    let luma = picture.to_luma8();
    let (w, h) = (luma.width(), luma.height());
    let problems = check_image(
        kind,
        &Gray {
            width: w,
            height: h,
            pixels: luma.as_raw(),
        },
        rules,
    );
    Ok(Processed {
        file_type: if format == image::ImageFormat::Jpeg {
            FileType::Jpeg
        } else {
            FileType::Png
        },
        bytes: out,
        width: Some(w),
        height: Some(h),
        pages: None,
        problems,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::samples::{bomb, encrypted_pdf, pdf_with_pages, scan};
    use super::*;
    use image::ImageFormat;

    pub fn rules() -> QualityRules {
        QualityRules {
            document_min_short_side: 1000,
            photo_min_width: 600,
            photo_min_height: 771,
            photo_aspect_milli: 1286,
            photo_aspect_tolerance_milli: 80,
            min_mean_luminance: 60,
            max_mean_luminance: 225,
            min_sharpness: 100,
            max_pdf_pages: 10,
        }
    }

    fn processed(kind: DocumentKind, bytes: Vec<u8>) -> Result<Processed, Refused> {
        process(kind, bytes, &rules(), 50_000_000)
    }

    #[test]
    fn a_good_scan_passes_and_is_encoded_again() {
        let png = scan(1200, 1500, 235, 20, ImageFormat::Png);
        let p = processed(DocumentKind::ProofOfAddress, png.clone()).unwrap();
        assert_eq!(p.file_type, FileType::Png);
        assert_eq!((p.width, p.height), (Some(1200), Some(1500)));
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let jpeg = scan(1200, 1500, 235, 20, ImageFormat::Jpeg);
        let p = processed(DocumentKind::Passport, jpeg).unwrap();
        assert_eq!(p.file_type, FileType::Jpeg);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
    }

    #[test]
    fn a_small_dark_scan_is_told_what_to_fix() {
        let p = processed(
            DocumentKind::Passport,
            scan(640, 480, 35, 5, ImageFormat::Png),
        )
        .unwrap();
        assert_eq!(
            p.problems,
            vec![QualityProblem::TooSmall, QualityProblem::TooDark]
        );
    }

    #[test]
    fn exif_and_gps_metadata_do_not_survive() {
        let jpeg = scan(1100, 1100, 235, 20, ImageFormat::Jpeg);
        // An APP1 segment right after the start-of-image marker, as a phone writes it.
        let payload = b"Exif\0\0MM\0*\0\0\0\x08GPSLatitude 25.2854 N GPSLongitude 51.5310 E";
        let len = (payload.len() + 2) as u16;
        let mut with_exif = jpeg[..2].to_vec();
        with_exif.extend_from_slice(&[0xFF, 0xE1]);
        with_exif.extend_from_slice(&len.to_be_bytes());
        with_exif.extend_from_slice(payload);
        with_exif.extend_from_slice(&jpeg[2..]);
        assert!(contains(&with_exif, b"GPSLatitude"));
        let p = processed(DocumentKind::EmployerLetter, with_exif).unwrap();
        assert!(!contains(&p.bytes, b"Exif"));
        assert!(!contains(&p.bytes, b"GPS"));
        assert!(sniff(&p.bytes) == Some(FileType::Jpeg));
    }

    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        assert_eq!(
            processed(DocumentKind::Passport, bomb(100_000, 100_000)).unwrap_err(),
            Refused::TooManyPixels
        );
        // Just within the limit, the header is believed but the data is not there.
        assert_eq!(
            processed(DocumentKind::Passport, bomb(5000, 5000)).unwrap_err(),
            Refused::Corrupt
        );
    }

    #[test]
    fn content_decides_not_the_name() {
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
        assert_eq!(
            processed(DocumentKind::Photo, exe).unwrap_err(),
            Refused::NotAllowed
        );
        let html = b"<!DOCTYPE html><script>alert(1)</script>".to_vec();
        assert_eq!(
            processed(DocumentKind::Passport, html).unwrap_err(),
            Refused::NotAllowed
        );
        assert_eq!(
            processed(DocumentKind::Passport, vec![]).unwrap_err(),
            Refused::Empty
        );
        let pdf = pdf_with_pages(1);
        assert_eq!(
            processed(DocumentKind::Photo, pdf).unwrap_err(),
            Refused::PhotoNotImage
        );
        let broken_jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];
        assert_eq!(
            processed(DocumentKind::Passport, broken_jpeg).unwrap_err(),
            Refused::Corrupt
        );
    }

    #[test]
    fn a_pdf_is_counted_and_an_empty_encrypted_or_corrupt_one_is_named() {
        let r = rules();
        let ok = process(DocumentKind::Passport, pdf_with_pages(2), &r, 1).unwrap();
        assert_eq!((ok.pages, ok.problems.clone()), (Some(2), vec![]));
        let empty = process(DocumentKind::Passport, pdf_with_pages(0), &r, 1).unwrap();
        assert_eq!(empty.problems, vec![QualityProblem::PdfEmpty]);
        let long = process(DocumentKind::Passport, pdf_with_pages(11), &r, 1).unwrap();
        assert_eq!(long.problems, vec![QualityProblem::PdfTooManyPages]);
        let locked = process(DocumentKind::Passport, encrypted_pdf(), &r, 1).unwrap();
        assert_eq!(locked.problems, vec![QualityProblem::PdfEncrypted]);
        let corrupt = b"%PDF-1.4\nthis is not a PDF at all".to_vec();
        let broken = process(DocumentKind::Passport, corrupt, &r, 1).unwrap();
        assert_eq!(broken.problems, vec![QualityProblem::PdfUnreadable]);
    }
}
