//! Real files for the tests and the benchmarks: scans of "text" at any size and brightness, a
//! PNG whose header claims an enormous size (a decompression bomb), and PDFs (with pages,
//! empty, encrypted), made with the same crates the server reads them with.

use image::{GrayImage, ImageFormat, Luma};
use std::io::Cursor;

/// A page of "text" (dark strokes on paper), encoded as `format`.
pub fn scan(width: u32, height: u32, paper: u8, ink: u8, format: ImageFormat) -> Vec<u8> {
    let img = GrayImage::from_fn(width, height, |x, y| {
        Luma([if (x / 3 + y / 7) % 4 == 0 && y % 7 < 4 {
            ink
        } else {
            paper
        }])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut Cursor::new(&mut out), format)
        .expect("writing into memory");
    out
}

/// A PNG that claims `width` × `height` in its header (the rest is a 1 × 1 image).
pub fn bomb(width: u32, height: u32) -> Vec<u8> {
    let mut png = scan(1, 1, 200, 200, ImageFormat::Png);
    // IHDR data starts at byte 16: width, height; its CRC covers type and data.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A real PDF of `pages` empty pages, made with lopdf.
pub fn pdf_with_pages(pages: u32) -> Vec<u8> {
    pdf(pages, false)
}

fn pdf(pages: u32, encrypted: bool) -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages as i64,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    if encrypted {
        let encrypt = doc.add_object(dictionary! {
            "Filter" => "Standard",
            "V" => 2,
            "R" => 3,
            "Length" => 128,
            "P" => -4,
            "O" => Object::string_literal(vec![0u8; 32]),
            "U" => Object::string_literal(vec![0u8; 32]),
        });
        doc.trailer.set("Encrypt", encrypt);
    }
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("writing into memory");
    out
}

/// A PDF whose trailer says it is encrypted (the way a password-protected file is).
pub fn encrypted_pdf() -> Vec<u8> {
    pdf(1, true)
}
