//! QR codes for pages, as inline SVG made on the server (the two-step set-up's address, the
//! vignette's seal). The PDF draws its own from the same matrix (`pdf::qr_code`).

/// The QR code of `text` as an SVG image (dark modules on white, with the quiet zone; error
/// correction M, as printed).
pub fn svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(220, 220)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // Inline in HTML: without the XML declaration the renderer puts first.
    svg.find("<svg").map(|start| svg[start..].to_string())
}
