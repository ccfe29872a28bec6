//! The vignette's seal and the public check: a bought vignette carries a signed QR code on its
//! page and its PDF; the published key set verifies it; the public page answers by plate and by
//! code, refuses what it cannot read at the field, says "signature invalid" for an altered code,
//! shows nothing personal, and stops an address that checks too much. A rotated key keeps
//! verifying what it signed.

use crate::{
    on_both_backends,
    support::{
        app::Browser,
        people::{AMINA, signed_in},
        vignette::{buy, count},
    },
};

use bawaba::domain::seal::{self, PublicKey, Verdict};

/// The seal in a page's link to the public check.
fn seal_in(page: &str) -> String {
    let start = page.find("seal=BV1").expect("a link with the seal") + "seal=".len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_string()
}

/// The published keys, read as a verifier reads them (JWKS, `x` in base64url).
async fn published(b: &Browser) -> Vec<PublicKey> {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
    let res = b.get("/.well-known/jwks.json").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let set: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    set["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert_eq!(k["kty"], "OKP");
            assert_eq!(k["crv"], "Ed25519");
            PublicKey {
                key_id: k["kid"].as_str().unwrap().to_string(),
                key: URL_SAFE_NO_PAD
                    .decode(k["x"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap(),
            }
        })
        .collect()
}

on_both_backends!(
    a_vignette_is_sealed_and_anyone_can_check_it,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let page = buy(app, &amina, "12345-119-16").await;
        let (number, year, stored): (String, i64, Option<String>) =
            sqlx::query_as("SELECT number, campaign_year, seal FROM vignettes")
                .fetch_one(app.db.pool())
                .await
                .unwrap();

        // The page shows the QR code and links to the check with the stored seal.
        assert!(page.contains("<svg"), "{page}");
        assert!(page.contains("QR code of this vignette"), "{page}");
        let sealed = seal_in(&page);
        assert_eq!(
            Some(sealed.clone()),
            stored,
            "the page carries the stored seal"
        );
        assert!(sealed.starts_with(&format!("BV1.{number}.12345-119-16.{year}.{year}1231.")));

        // The published key set verifies it, offline as a verifier would.
        let keys = published(&amina).await;
        assert_eq!(keys.len(), 1);
        let Verdict::Genuine(facts) = seal::verify::<seal::Sealed>(&sealed, &keys) else {
            panic!("the seal verifies with the published key");
        };
        assert_eq!(facts.number, number);
        assert_eq!(facts.plate, "12345 119 16");

        // The public check, no account, by code: valid, and nothing personal.
        let anyone = app.browser("en");
        let answer = anyone
            .page(&format!("/vignette/verify?seal={sealed}"))
            .await;
        assert!(answer.contains(&format!("Valid for {year}")), "{answer}");
        assert!(answer.contains("The signature is genuine"), "{answer}");
        assert!(answer.contains(&number), "{answer}");
        for personal in ["VF1RFB00X56123456", AMINA.email, "Amina", "PAY-"] {
            assert!(!answer.contains(personal), "{personal} shown: {answer}");
        }
        // The whole address a phone camera reads from the QR code, pasted: the same.
        let pasted = anyone
            .page(&format!(
                "/vignette/verify?seal={}",
                urlencode(&format!(
                    "{}\n",
                    bawaba::features::vignette::verify::address("https://bawaba.example", &sealed)
                ))
            ))
            .await;
        assert!(pasted.contains(&format!("Valid for {year}")), "{pasted}");

        // Altered (another plate written into it): signature invalid.
        let altered = sealed.replacen("12345-119-16", "12345-119-31", 1);
        let answer = anyone
            .page(&format!("/vignette/verify?seal={altered}"))
            .await;
        assert!(answer.contains("Signature invalid"), "{answer}");
        assert!(!answer.contains("Valid for"), "{answer}");
        assert_eq!(
            seal::verify::<seal::Sealed>(&altered, &keys),
            Verdict::BadSignature
        );

        // Not a code at all: refused at the field and in the summary, the text kept.
        let answer = anyone.page("/vignette/verify?seal=hello+there").await;
        assert!(answer.contains("This is not a vignette code"), "{answer}");
        assert!(answer.contains("error-summary"), "{answer}");
        assert!(answer.contains("hello there"), "kept: {answer}");
        assert!(answer.contains("aria-invalid=\"true\""), "{answer}");

        // By plate: valid; another plate: none; a malformed plate or an unknown wilaya: refused.
        let answer = anyone.page("/vignette/verify?plate=12345+119+16").await;
        assert!(answer.contains(&format!("Valid for {year}")), "{answer}");
        assert!(answer.contains("31/12/"), "{answer}");
        assert!(!answer.contains("VF1RFB00X56123456"), "{answer}");
        let answer = anyone.page("/vignette/verify?plate=54321-119-16").await;
        assert!(
            answer.contains(&format!("No vignette for {year}")),
            "{answer}"
        );
        let answer = anyone.page("/vignette/verify?plate=12-AB").await;
        assert!(answer.contains("as on the plate"), "{answer}");
        assert!(answer.contains("error-summary"), "{answer}");
        let answer = anyone.page("/vignette/verify?plate=12345+119+99").await;
        assert!(answer.contains("wilaya code"), "{answer}");

        // Rotation: a new active key signs what follows; what the old one signed still checks.
        let secret =
            bawaba::platform::secrets::SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let new_key = bawaba::platform::signing::rotate(
            &app.db,
            &secret,
            bawaba::platform::session::now_secs(),
        )
        .await
        .unwrap();
        let second = buy(app, &amina, "22222-119-16").await;
        let second_seal = seal_in(&second);
        assert!(
            second_seal.contains(&format!(".{new_key}.")),
            "{second_seal}"
        );
        let keys = published(&amina).await;
        assert_eq!(keys.len(), 2, "the retired key stays published");
        assert!(matches!(
            seal::verify::<seal::Sealed>(&sealed, &keys),
            Verdict::Genuine(_)
        ));
        assert!(matches!(
            seal::verify::<seal::Sealed>(&second_seal, &keys),
            Verdict::Genuine(_)
        ));
        let answer = anyone
            .page(&format!("/vignette/verify?seal={sealed}"))
            .await;
        assert!(answer.contains(&format!("Valid for {year}")), "{answer}");
        assert_eq!(
            count(app, "SELECT COUNT(*) FROM signing_keys WHERE active = 1").await,
            1
        );
    }
);

on_both_backends!(
    checks_are_rate_limited_per_address,
    |app: &TestApp| async move {
        let anyone = app.browser("en");
        let limit = bawaba::features::vignette::verify::server::CHECKS_PER_IP.max;
        for i in 0..limit {
            let answer = anyone
                .page(&format!("/vignette/verify?plate=1{i:04}+119+16"))
                .await;
            assert!(answer.contains("No vignette for"), "check {i}: {answer}");
        }
        let answer = anyone.page("/vignette/verify?plate=12345+119+16").await;
        assert!(answer.contains("Too many checks"), "{answer}");
        // The form alone is not a check.
        let form = anyone.page("/vignette/verify").await;
        assert!(!form.contains("Too many checks"), "{form}");
    }
);

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_backends!(
    the_keyring_opens_the_active_key_once_and_follows_a_rotation_at_once,
    |app: &TestApp| async move {
        use bawaba::platform::{
            secrets::SecretKey,
            session::now_secs,
            signing::{self, ACTIVE_KEY_ID, Keyring},
        };
        use std::sync::Arc;
        let secret = SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let keys = Keyring::new(secret.clone());
        let active_id = || async {
            let mut conn = app.db.pool().acquire().await.unwrap();
            let (id,): (Option<String>,) = sqlx::query_as(&format!("SELECT {ACTIVE_KEY_ID}"))
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            id.unwrap()
        };
        let mut conn = app.db.pool().acquire().await.unwrap();
        let first = keys.active(&mut conn, None, now_secs()).await.unwrap();
        assert_eq!(first.key_id, active_id().await);
        // Named by its transaction's read, the key is the one already opened.
        let again = keys
            .active(&mut conn, Some(&first.key_id), now_secs())
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));

        // Another server (or the operator's command) rotates: the next document's read names
        // the new key, and the keyring signs with it, not with the one it had opened.
        let rotated = signing::rotate(&app.db, &secret, now_secs()).await.unwrap();
        assert_eq!(active_id().await, rotated);
        let next = keys
            .active(&mut conn, Some(&rotated), now_secs())
            .await
            .unwrap();
        assert_eq!(next.key_id, rotated);
        assert_ne!(next.key.verifying_key(), first.key.verifying_key());
        // An id that is not the kept key's is never trusted to be it: read again.
        let read = keys
            .active(&mut conn, Some("not-a-key"), now_secs())
            .await
            .unwrap();
        assert_eq!(read.key_id, rotated);
    }
);
