//! The people of the tests (Amina, Karim, Samira) and what they do to get in: register,
//! confirm, sign in, turn on the second step, be an administrator.

use super::{
    app::{Browser, TestApp},
    mail::{code_for, deliver_mail},
};
use bawaba::{features::accounts::second_factor, platform::session::now_secs};

pub struct Person {
    pub name: &'static str,
    pub nin: &'static str,
    pub email: &'static str,
}

pub const AMINA: Person = Person {
    name: "Amina Benali",
    nin: "109990123456789012",
    email: "amina@example.dz",
};

pub const KARIM: Person = Person {
    name: "Karim Haddad",
    nin: "209990123456789013",
    email: "karim@example.dz",
};

/// An administrator in the tests that need one.
pub const SAMIRA: Person = Person {
    name: "Samira Meziane",
    nin: "209990123456789014",
    email: "samira@example.dz",
};

pub const PASSWORD: &str = "olive tree harbour lantern";

/// Fills in the three registration pages and the check page.
pub async fn register(b: &Browser, p: &Person) -> String {
    let answer = "/api/account/register/answer";
    let next = b
        .post_form(
            answer,
            &[
                ("step", "about-you"),
                ("full_name", p.name),
                ("dob_day", "27"),
                ("dob_month", "3"),
                ("dob_year", "1990"),
                ("nationality", "12"),
            ],
        )
        .await;
    assert_eq!(next, "/register/identity");
    let next = b
        .post_form(
            answer,
            &[
                ("step", "identity"),
                ("identity_kind", "nin"),
                ("identity_number", p.nin),
            ],
        )
        .await;
    assert_eq!(next, "/register/contact");
    let next = b
        .post_form(
            answer,
            &[
                ("step", "contact"),
                ("email", p.email),
                ("mobile", "0555 12 34 56"),
            ],
        )
        .await;
    assert_eq!(next, "/register/check");
    b.post_form(
        "/api/account/register/create",
        &[("password", PASSWORD), ("consent", "yes")],
    )
    .await
}

/// Registers, confirms with the e-mailed code; the browser ends signed in.
pub async fn registered_and_confirmed(app: &TestApp, b: &Browser, p: &Person) {
    assert_eq!(register(b, p).await, "/account/verify-email");
    let sink = deliver_mail(app).await;
    let code = code_for(&sink, p.email);
    let next = b
        .post_form("/api/account/verify-email/code", &[("code", &code)])
        .await;
    assert_eq!(next, "/account/verify-email/done");
}

pub async fn sign_in(b: &Browser, identifier: &str, password: &str) -> String {
    b.post_form(
        "/api/account/sign-in",
        &[
            ("identifier", identifier),
            ("password", password),
            ("next", ""),
        ],
    )
    .await
}

/// A confirmed, signed-in browser that then switches to `lang` (the switch in the header).
pub(crate) async fn signed_in(app: &TestApp, who: &Person, lang: &str) -> Browser {
    let b = app.browser("en");
    registered_and_confirmed(app, &b, who).await;
    sign_in(&b, who.email, PASSWORD).await;
    assert!(
        b.get(&format!("/lang/{lang}"))
            .await
            .status()
            .is_redirection()
    );
    b
}

/// Turns on the authenticator step for the signed-in browser; returns the key and the
/// recovery codes shown, and the step of the code that confirmed it.
pub(crate) async fn turn_on_app(b: &Browser) -> (Vec<u8>, Vec<String>, i64) {
    let to = b
        .post_form("/api/account/two-step/start", &[("kind", "totp")])
        .await;
    assert_eq!(to, "/account/two-step/app");
    let page = html(b, "/account/two-step/app").await;
    assert!(page.contains("<svg"), "a QR code on the page");
    let key = base32_decode(&text_of_class(&page, "secret-key"));
    assert_eq!(key.len(), 20);
    let step = now_secs() / second_factor::STEP_SECS;
    let code = second_factor::totp_at(&key, step);
    let to = b
        .post_form("/api/account/two-step/confirm", &[("code", &code)])
        .await;
    assert_eq!(to, "/account/two-step/codes");
    let page = html(b, "/account/two-step/codes").await;
    let start = page.find("class=\"recovery-codes\"").expect("the codes");
    let list = &page[start..start + page[start..].find("</ul>").unwrap()];
    let codes: Vec<String> = list
        .split("<code>")
        .skip(1)
        .map(|c| c[..11].to_string())
        .collect();
    assert_eq!(codes.len(), 10, "{list}");
    (key, codes, step)
}

/// An administrator with two-step sign-in, signed in, reading English.
pub(crate) async fn administrator(app: &TestApp) -> Browser {
    let b = administrator_without_second_step(app, &SAMIRA).await;
    turn_on_app(&b).await;
    b
}

/// `who` made an administrator, signed in with the password alone: held at the set-up of the
/// second step, which is all they may do.
pub(crate) async fn administrator_without_second_step(app: &TestApp, who: &Person) -> Browser {
    let b = app.browser("en");
    registered_and_confirmed(app, &b, who).await;
    app.execute(&format!(
        "UPDATE accounts SET role = 'administrator' WHERE email = '{}'",
        who.email
    ))
    .await;
    b.post_form("/api/account/sign-out", &[]).await;
    assert_eq!(sign_in(&b, who.email, PASSWORD).await, "/account/two-step");
    b
}

/// RFC 4648 base32, as an authenticator app reads a typed key.
pub fn base32_decode(text: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = alphabet.iter().position(|&a| a == c).expect("base32") as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

/// The text of the first element with `class` on the page.
pub fn text_of_class(html: &str, class: &str) -> String {
    let start = html.find(&format!("class=\"{class}\"")).expect(class);
    let open_end = start + html[start..].find('>').unwrap() + 1;
    let close = open_end + html[open_end..].find("</").unwrap();
    html[open_end..close].to_string()
}

pub async fn html(b: &Browser, path: &str) -> String {
    let res = b.get(path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.text().await.unwrap()
}

/// The account id of `p` (registered already).
pub async fn account_id(app: &TestApp, p: &Person) -> String {
    let (id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(p.email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    id
}
