//! The vignette journey in tests: adding a vehicle, buying its vignette, importing a fleet,
//! reading a PDF.

use super::{
    app::{Browser, TestApp},
    html::hidden,
    payments::pay_on_sandbox,
};

/// The text of a PDF, as `pdftotext` (poppler, installed by `make setup`) extracts it.
pub fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("bawaba-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("v.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by `make setup`");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success(), "pdftotext read the file");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A car as the vehicle form posts it: 2019, 6 CV, diesel.
pub fn car<'a>(plate: &'a str, vin: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", ""),
        ("plate", plate),
        ("vin", vin),
        ("category", "1"),
        ("fuel", "diesel"),
        ("first_year", "2019"),
        ("reg_day", ""),
        ("reg_month", ""),
        ("fiscal_hp", "6"),
        ("gross_weight", ""),
        ("seats", ""),
        ("status", ""),
    ]
}

/// Adds a vehicle through the vehicle form; returns its id.
pub async fn add(app: &TestApp, b: &Browser, plate: &str, changes: &[(&str, &str)]) -> String {
    let mut fields = car(plate, "VF1RFB00X56123456");
    for (k, v) in changes {
        fields.iter_mut().find(|(f, _)| f == k).unwrap().1 = v;
    }
    let to = b.post_form("/api/vehicles/save", &fields).await;
    assert!(to.starts_with("/vehicles?added="), "{to}");
    // The active row: an archived one may hold the same plate.
    let (id,): (String,) =
        sqlx::query_as("SELECT id FROM vehicles WHERE plate = $1 AND archived_at IS NULL")
            .bind(plate.replace('-', " "))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    id
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(app.db.pool()).await.unwrap();
    n
}

/// Presses "Pay" on a quote page as it was shown.
pub async fn press_buy(b: &Browser, quote_html: &str) -> String {
    b.post_form(
        BUY,
        &[
            ("vehicle_id", &hidden(quote_html, "vehicle_id")),
            ("amount", &hidden(quote_html, "amount")),
            ("key", &hidden(quote_html, "key")),
        ],
    )
    .await
}

/// Buys the vignette of a new car with `plate`; returns the vignette page.
pub async fn buy(app: &TestApp, b: &Browser, plate: &str) -> String {
    let car = add(app, b, plate, &[]).await;
    let quote = b.page(&format!("/vignette/buy/{car}")).await;
    let gateway = press_buy(b, &quote).await;
    let back = pay_on_sandbox(b, &gateway, "4111 1111 1111 1111").await;
    b.page(&back).await
}

/// Posts `file` as a browser's file input does (multipart/form-data); returns where the
/// server sends the browser.
pub(crate) async fn upload(app: &TestApp, b: &Browser, name: &str, file: &[u8]) -> String {
    let boundary = "----bawaba-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let res = b
        .client
        .post(app.url("/vehicles/import/upload"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "upload answers with a redirect");
    res.headers()["location"].to_str().unwrap().to_string()
}

pub const BUY: &str = "/api/vignette/buy";
