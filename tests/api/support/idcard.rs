//! Applying for the ID card in tests, as a browser without JavaScript: starting, answering
//! pages with good answers, uploading documents (multipart forms), and the whole way to a
//! submitted application.

use super::{
    app::{Browser, TestApp},
    people::registered_and_confirmed,
};
use bawaba::{
    domain::{
        date::Date,
        idcard::slots::{self, Rules},
    },
    features::idcard::{documents::samples::scan, store as idcard_store},
    platform::session::now_secs,
};
use image::ImageFormat;

pub const ANSWER: &str = "/api/id-card/application/answer";

/// Starts an application of `request` for the signed-in browser; its id.
pub async fn start(b: &Browser, request: &str) -> String {
    let to = b
        .post_form("/api/id-card/apply", &[("request_type", request)])
        .await;
    to.strip_prefix("/id-card/applications/")
        .unwrap_or_else(|| panic!("to the task list, not {to}"))
        .to_string()
}

/// Posts page `step` of application `id`; where the browser is sent.
pub async fn answer(b: &Browser, id: &str, step: &str, fields: &[(&str, &str)]) -> String {
    let mut all = vec![("id", id), ("step", step)];
    all.extend_from_slice(fields);
    b.post_form(ANSWER, &all).await
}

/// Every page of a new-card application, with good answers.
pub const GOOD: &[(&str, &[(&str, &str)])] = &[
    (
        "names",
        &[("name_ar", "أمينة بن علي"), ("name_latin", "Amina Ben Ali")],
    ),
    (
        "date-of-birth",
        &[("dob_day", "4"), ("dob_month", "7"), ("dob_year", "1988")],
    ),
    ("nationality", &[("nationality", "12"), ("sex", "female")]),
    (
        "passport",
        &[
            ("passport_number", "N1234567"),
            ("passport_country", "12"),
            ("passport_expiry_day", "1"),
            ("passport_expiry_month", "1"),
            ("passport_expiry_year", "2035"),
        ],
    ),
    (
        "residence",
        &[
            ("permit_number", "28801234567"),
            ("permit_expiry_day", "1"),
            ("permit_expiry_month", "1"),
            ("permit_expiry_year", "2034"),
        ],
    ),
    (
        "address",
        &[
            ("zone", "56"),
            ("street", "950"),
            ("building", "12"),
            ("unit", ""),
        ],
    ),
    (
        "employer",
        &[
            ("employer_name", "Qatar Airways"),
            ("establishment_number", "12-345678"),
        ],
    ),
    ("delivery", &[("delivery", "post")]),
];

pub async fn signed_in(app: &TestApp, who: &crate::support::people::Person) -> Browser {
    let b = app.browser("en");
    registered_and_confirmed(app, &b, who).await;
    b
}

/// Today in Doha, as the server counts it.
pub fn today() -> bawaba::domain::date::Date {
    bawaba::domain::date::Date::from_days_since_epoch(
        (bawaba::platform::session::now_secs() + 3 * 3600).div_euclid(86_400),
    )
}

/// A signed-in resident with a new application: the browser and the application's id.
pub async fn applicant(app: &TestApp, who: &crate::support::people::Person) -> (Browser, String) {
    let b = app.browser("en");
    registered_and_confirmed(app, &b, who).await;
    let to = b
        .post_form("/api/id-card/apply", &[("request_type", "new")])
        .await;
    let id = to.rsplit('/').next().unwrap().to_string();
    (b, id)
}

/// Posts `bytes` as the file `name` (declared `mime`) for document `kind`; where it leads.
pub async fn upload(
    b: &Browser,
    id: &str,
    kind: &str,
    name: &str,
    mime: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str(mime)
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    b.client
        .post(format!(
            "{}/id-card/applications/{id}/documents/{kind}",
            b.base
        ))
        // A refused upload is answered before its body is read; a pooled connection could
        // then be reused half-read.
        .header("connection", "close")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Where an upload sent the browser.
pub async fn upload_to(b: &Browser, id: &str, kind: &str, name: &str, bytes: Vec<u8>) -> String {
    let res = upload(b, id, kind, name, "application/octet-stream", bytes).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        res.text().await.unwrap_or_default()
    );
    res.headers()["location"].to_str().unwrap().to_string()
}

pub fn good_scan() -> Vec<u8> {
    scan(1200, 1500, 235, 20, ImageFormat::Png)
}

pub fn good_photo() -> Vec<u8> {
    scan(700, 900, 200, 40, ImageFormat::Jpeg)
}

/// Every page of application `id` answered with `GOOD` (and the loss page for a lost card).
pub async fn fill_in(b: &Browser, id: &str, lost: bool) {
    let base = format!("/id-card/applications/{id}");
    for (step, fields) in GOOD {
        let to = answer(b, id, step, fields).await;
        assert!(!to.ends_with(&format!("/{step}")), "{step} refused: {to}");
    }
    if lost {
        let to = answer(
            b,
            id,
            "loss",
            &[
                ("loss_day", "20"),
                ("loss_month", "11"),
                ("loss_year", "2026"),
                ("loss_place", "Souq Waqif"),
                ("police_report", ""),
            ],
        )
        .await;
        assert_eq!(to, base);
    }
}

/// A good file for every document a request needs (`lost`: with the loss declaration).
pub async fn upload_all(b: &Browser, id: &str, lost: bool) {
    let mut kinds = vec![
        "passport",
        "residence_permit",
        "proof_of_address",
        "employer_letter",
    ];
    if lost {
        kinds.push("loss_declaration");
    }
    for kind in kinds {
        upload_to(b, id, kind, "scan.png", good_scan()).await;
    }
    upload_to(b, id, "photo", "me.jpg", good_photo()).await;
}

/// Posts the check page's "Submit" (`declared`: the declaration's box ticked); where it leads.
pub async fn submit(b: &Browser, id: &str, declared: bool) -> String {
    let mut fields = vec![("id", id)];
    if declared {
        fields.push(("declaration", "yes"));
    }
    b.post_form("/api/id-card/application/submit", &fields)
        .await
}

/// A signed-in resident's new-card application, filled in, its documents uploaded and
/// submitted: the browser and the application's id.
pub async fn submitted(app: &TestApp, who: &crate::support::people::Person) -> (Browser, String) {
    let (b, id) = applicant(app, who).await;
    fill_in(&b, &id, false).await;
    upload_all(&b, &id, false).await;
    let to = submit(&b, &id, true).await;
    assert_eq!(to, format!("/id-card/applications/{id}/pay"));
    (b, id)
}

/// Posts the pay page's choice (`online`, `centre`, or none); where it leads.
pub async fn choose_payment(b: &Browser, id: &str, how: Option<&str>) -> String {
    let mut fields = vec![("id", id), ("key", "k-1")];
    if let Some(how) = how {
        fields.push(("how", how));
    }
    b.post_form("/api/id-card/application/pay-fee", &fields)
        .await
}

/// A post that must change nothing: "not found", or (Leptos answers a refused server function
/// posted without JavaScript with a redirect back) a redirect anywhere but the application.
pub fn refused(res: &reqwest::Response) {
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        res.status() == 404
            || (res.status().is_redirection() && !to.starts_with("/id-card/applications")),
        "{} {to}",
        res.status()
    );
}

/// The one row `sql` finds for `id`.
pub async fn one<T>(app: &TestApp, sql: &str, id: &str) -> T
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(sql)
        .bind(id)
        .fetch_one(app.db.pool())
        .await
        .unwrap()
}

/// The application's state.
pub async fn state_of(app: &TestApp, id: &str) -> String {
    one::<(String,)>(
        app,
        "SELECT state FROM idcard_applications WHERE id = $1",
        id,
    )
    .await
    .0
}

/// The bookable days of the window as the server sees them today (public holidays from data).
pub async fn bookable_days(app: &TestApp) -> Vec<Date> {
    let calendar = idcard_store::calendar(&app.db).await.unwrap();
    let rules = Rules::from_terms(&idcard_store::terms(&app.db).await.unwrap());
    slots::window(today(), &calendar, &rules)
        .into_iter()
        .filter(|d| calendar.is_working_day(*d))
        .collect()
}

/// A submitted application whose fee is to be paid at the centre: ready to book.
pub async fn ready(
    app: &TestApp,
    who: &crate::support::people::Person,
) -> (crate::support::app::Browser, String) {
    let (b, id) = submitted(app, who).await;
    choose_payment(&b, &id, Some("centre")).await;
    assert_eq!(state_of(app, &id).await, "awaiting_appointment");
    (b, id)
}

/// `n` residents, each with an application awaiting its appointment (made in SQL: the race
/// is the point here, not the journey that leads to it).
pub async fn applicants(app: &TestApp, n: usize) -> Vec<(String, String)> {
    let now = now_secs();
    let mut all = Vec::new();
    for i in 0..n {
        let account = uuid::Uuid::new_v4().to_string();
        let application = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO accounts (id, full_name, identity_kind, identity_number, date_of_birth,
               nationality, email, mobile, password_hash, role, email_verified_at, created_at,
               updated_at)
             VALUES ($1, 'Racer', 'qid', $2, '1990-01-01', 12, $3, '+97455000000', 'x',
               'citizen', $4, $4, $4)",
        )
        .bind(&account)
        .bind(format!("2880000{i:04}"))
        .bind(format!("racer{i}@example.test"))
        .bind(now)
        .execute(app.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO idcard_applications (id, reference, account_id, request_type, state,
               version, created_at, updated_at, language, fee_minor, fee_currency)
             VALUES ($1, $2, $3, 'new', 'awaiting_appointment', 1, $4, $4, 'ar', 10000, 'QAR')",
        )
        .bind(&application)
        .bind(format!("ID-RACE{i:05}"))
        .bind(&account)
        .bind(now)
        .execute(app.db.pool())
        .await
        .unwrap();
        all.push((account, application));
    }
    all
}
