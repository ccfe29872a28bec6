//! Buying the vignette without JavaScript, through the real pages and the sandbox gateway:
//! the quote shown is the amount charged, one vignette per vehicle and campaign whatever is
//! pressed or paid twice, an exempt vehicle pays nothing, a changed amount charges nothing,
//! and another account sees none of it.

use crate::{
    on_both_backends,
    support::{
        html::{hidden, path_of},
        mail::{attached_pdf, deliver_mail},
        payments::{pay_on_sandbox, sandbox_notifies},
        people::{AMINA, KARIM, signed_in},
        vignette::{BUY, add, car as car_form, count, pdf_text, press_buy},
    },
};

/// The words of a PDF with their boxes (`pdftotext -bbox`): (text, x min, y max, x max). The
/// bottom, not the top: a label and its value share a baseline, not a height.
fn pdf_words(bytes: &[u8]) -> Vec<(String, f32, f32, f32)> {
    let dir = std::env::temp_dir().join(format!("bawaba-pdf-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("v.pdf");
    std::fs::write(&file, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-bbox")
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by `make setup`");
    let _ = std::fs::remove_dir_all(&dir);
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f32 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        tag[start..start + tag[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| {
            let (tag, rest) = w.split_once('>').unwrap();
            let text = rest.split_once("</word>").unwrap().0.to_string();
            (
                text,
                attr(tag, "xMin"),
                attr(tag, "yMax"),
                attr(tag, "xMax"),
            )
        })
        .collect()
}

/// The PDF's two columns, in every language: each value starts well clear of its label (the
/// French plate label, the longest, used to end a few points from its value).
#[test]
fn the_pdf_values_stand_clear_of_their_labels() {
    use bawaba::{
        features::vignette::document::{VignetteDocument, pdf},
        i18n::Locale,
    };
    let doc = VignetteDocument::sample();
    for locale in [Locale::fr, Locale::en, Locale::ar] {
        let words = pdf_words(&pdf(&doc, locale).unwrap());
        for value in [&doc.plate, &doc.vin, &doc.payment_reference] {
            let tokens: Vec<&str> = value.split(' ').collect();
            // The value, left to right inside any text: its first word is its left end.
            let (_, left, y, _) = words
                .iter()
                .find(|(t, ..)| t == tokens[0])
                .unwrap_or_else(|| panic!("{value} in {locale:?}: {words:?}"));
            let right = words
                .iter()
                .filter(|(t, _, wy, _)| (wy - y).abs() < 6.0 && t == tokens[tokens.len() - 1])
                .map(|w| w.3)
                .fold(0.0, f32::max);
            let row: Vec<_> = words
                .iter()
                .filter(|(_, _, wy, _)| (wy - y).abs() < 6.0)
                .collect();
            let rtl = locale == Locale::ar;
            // The label is on the start side (the QR code's caption may be on the other).
            let label_words: Vec<_> = row
                .iter()
                .filter(|(t, x_min, _, x_max)| {
                    !tokens.contains(&t.as_str())
                        && if rtl { *x_max > right } else { *x_min < *left }
                })
                .collect();
            assert!(!label_words.is_empty(), "{value} has its label: {row:?}");
            for (t, x_min, _, x_max) in label_words {
                let gap = if rtl { x_min - right } else { left - x_max };
                assert!(gap >= 20.0, "{locale:?}: '{t}' is {gap} pt from {value}");
            }
        }
    }
}

on_both_backends!(
    a_vignette_is_bought_once_for_the_amount_quoted,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "12345-119-16", &[]).await;

        let choose = amina.page("/vignette/buy").await;
        assert!(choose.contains("12345 119 16"), "{choose}");
        assert!(choose.contains(&format!("/vignette/buy/{car}")), "{choose}");

        let quote = amina.page(&format!("/vignette/buy/{car}")).await;
        let shown: i64 = hidden(&quote, "amount").parse().unwrap();
        assert!(shown > 0);
        // The amount in the pay button is the one in the form (the quote explains it).
        let major = format!("{}", shown / 100);
        let grouped = if major.len() > 3 {
            format!(
                "{}\u{202F}{}",
                &major[..major.len() - 3],
                &major[major.len() - 3..]
            )
        } else {
            major
        };
        assert!(quote.contains(&grouped), "{grouped} in {quote}");
        assert!(quote.contains("Check the vehicle"), "{quote}");
        assert!(quote.contains("VF1RFB00X56123456"));

        let gateway = press_buy(&amina, &quote).await;
        assert!(gateway.contains("/sandbox-pay/pay/"), "{gateway}");
        let (order, ordered): (String, i64) =
            sqlx::query_as("SELECT id, amount_minor FROM orders WHERE kind = 'vignette'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(ordered, shown, "the order is for the amount shown");

        // Paid: the way back leads to the vignette, number in large type.
        let back = pay_on_sandbox(&amina, &gateway, "4111 1111 1111 1111").await;
        assert_eq!(back, format!("/vignette/bought/{order}"));
        let (number, paid, vignette_amount, plate, year): (String, i64, i64, String, i64) =
            sqlx::query_as(
                "SELECT v.number, p.amount_minor, v.amount_minor, v.plate, v.campaign_year
                 FROM vignettes v JOIN payments p ON p.order_id = v.order_id
                 WHERE p.state = 'succeeded'",
            )
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(paid, shown, "the amount charged is the amount quoted");
        assert_eq!(vignette_amount, shown);
        assert_eq!(plate, "12345 119 16");
        let page = amina.page(&back).await;
        assert!(page.contains(&format!("Your {year} vignette")), "{page}");
        assert!(
            page.contains("dir=\"ltr\" class=\"vignette-number\""),
            "the number is left to right: {page}"
        );
        assert!(page.contains(&number), "{page}");
        assert!(page.contains("PAY-"));

        // The PDF, in the reader's language (Arabic here), for its owner.
        assert!(
            page.contains(&format!("/vignette/bought/{order}/pdf")),
            "{page}"
        );
        amina.get("/lang/ar").await;
        let res = amina.get(&format!("{back}/pdf")).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains(&format!("vignette-{number}.pdf"))
        );
        let text = pdf_text(&res.bytes().await.unwrap());
        assert!(text.contains(&number), "{text}");
        assert!(text.contains("12345 119 16"), "{text}");
        assert!(text.contains("VF1RFB00X56123456"), "{text}");
        amina.get("/lang/en").await;

        // The e-mail, once, with the PDF attached (besides the payment's receipt).
        let sink = deliver_mail(app).await;
        let mails: Vec<_> = sink
            .messages()
            .into_iter()
            .filter(|m| m.data.contains(&format!("vignette-{number}.pdf")))
            .collect();
        assert_eq!(mails.len(), 1, "one vignette e-mail");
        assert!(mails[0].data.contains("application/pdf"));
        assert!(mails[0].data.contains("JVBERi0"), "a PDF, base64");
        // The vignette as stored, with the reference of the payment that paid it (the
        // fulfilment gives the e-mail what it wrote, without reading it back).
        let (reference,): (String,) =
            sqlx::query_as("SELECT reference FROM payments WHERE state = 'succeeded'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let mailed = pdf_text(&attached_pdf(&mails[0].data));
        for shown in [
            number.as_str(),
            reference.as_str(),
            "12345 119 16",
            "VF1RFB00X56123456",
        ] {
            assert!(
                mailed.contains(shown),
                "{shown} in the e-mailed PDF: {mailed}"
            );
        }

        // Lost: a duplicate, free, same number, marked with its date, e-mailed again.
        let to = amina
            .post_form("/api/vignette/reissue", &[("order_id", order.as_str())])
            .await;
        assert_eq!(to, format!("{back}?reissued=1"));
        let reissued = amina.page(&to).await;
        assert!(
            reissued.contains("A duplicate has been issued"),
            "{reissued}"
        );
        assert!(
            reissued.contains("Duplicate, issued again on"),
            "{reissued}"
        );
        let res = amina.get(&format!("{back}/pdf")).await;
        let text = pdf_text(&res.bytes().await.unwrap());
        assert!(text.contains("Duplicate, issued again on"), "{text}");
        assert!(text.contains(&number), "the same number: {text}");
        let sink = deliver_mail(app).await;
        assert_eq!(
            sink.messages()
                .iter()
                .filter(|m| m.data.contains(&format!("vignette-{number}.pdf")))
                .count(),
            1,
            "the duplicate is e-mailed"
        );
        assert_eq!(count(app, "SELECT COUNT(*) FROM payments").await, 1, "free");

        // Pay pressed again on the old page, and again on a fresh one: the vignette, no charge.
        assert_eq!(press_buy(&amina, &quote).await, back);
        let again = amina.page(&format!("/vignette/buy/{car}")).await;
        assert!(
            again.contains(&format!("{year} vignette bought")),
            "{again}"
        );
        assert!(!again.contains("name=\"amount\""), "no pay form: {again}");
        assert_eq!(count(app, "SELECT COUNT(*) FROM payments").await, 1);
        assert_eq!(count(app, "SELECT COUNT(*) FROM vignettes").await, 1);
        let listed = amina.page("/vignette/buy").await;
        assert!(listed.contains(&number), "{listed}");

        // Another account: not found, everywhere, and nothing is bought.
        let karim = signed_in(app, &KARIM, "en").await;
        for path in [
            back.clone(),
            format!("{back}/pdf"),
            format!("/vignette/buy/{car}"),
        ] {
            let res = karim.get(&path).await;
            assert_eq!(res.status(), 404, "{path}");
        }
        let to = karim
            .post_form(
                BUY,
                &[
                    ("vehicle_id", car.as_str()),
                    ("amount", &shown.to_string()),
                    ("key", "k"),
                ],
            )
            .await;
        assert!(!to.contains("sandbox"), "{to}");
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 1);
        let sent = "SELECT COUNT(*) FROM outbox WHERE template = 'vignette_issued'";
        let before = count(app, sent).await;
        let to = karim
            .post_form("/api/vignette/reissue", &[("order_id", order.as_str())])
            .await;
        assert!(!to.contains("reissued"), "{to}");
        assert_eq!(
            count(app, sent).await,
            before,
            "nothing sent for another account"
        );

        // The vehicle now has a vignette: its page offers archiving, not removing; the
        // remove address says it archives; and "remove" archives it, the vignette stays.
        let page = amina.page(&format!("/vehicles/{car}")).await;
        assert!(!page.contains(&format!("/vehicles/{car}/remove")), "{page}");
        assert!(page.contains("cannot be removed, only archived"), "{page}");
        let confirm = amina.page(&format!("/vehicles/{car}/remove")).await;
        assert!(confirm.contains("Archive vehicle"), "{confirm}");
        assert!(confirm.contains("/api/vehicles/archive"), "{confirm}");
        let to = amina
            .post_form("/api/vehicles/remove", &[("id", car.as_str())])
            .await;
        assert_eq!(to, format!("/vehicles?archived={car}"));
        assert_eq!(
            count(
                app,
                "SELECT COUNT(*) FROM vehicles WHERE archived_at IS NOT NULL"
            )
            .await,
            1
        );
        assert_eq!(count(app, "SELECT COUNT(*) FROM vignettes").await, 1);

        // The plate, archived here, added by another account: its vignette for the campaign
        // is found by plate under the new vehicle row (the quote's one statement joins it), so
        // the quote says bought and "Pay" charges nothing.
        let to = karim
            .post_form(
                "/api/vehicles/save",
                &car_form("12345-119-16", "VF1RFB00X56123456"),
            )
            .await;
        assert!(to.starts_with("/vehicles?added="), "{to}");
        let (karims,): (String,) = sqlx::query_as(
            "SELECT id FROM vehicles WHERE plate = '12345 119 16' AND archived_at IS NULL",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_ne!(karims, car);
        let quote = karim.page(&format!("/vignette/buy/{karims}")).await;
        assert!(
            quote.contains(&format!("{year} vignette bought")),
            "{quote}"
        );
        assert!(!quote.contains("name=\"amount\""), "no pay form: {quote}");
        let to = karim
            .post_form(
                BUY,
                &[
                    ("vehicle_id", karims.as_str()),
                    ("amount", &shown.to_string()),
                    ("key", "k2"),
                ],
            )
            .await;
        assert_eq!(to, format!("/vignette/buy/{karims}"), "back to the quote");
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 1);
    }
);

on_both_backends!(
    a_changed_amount_or_an_exempt_vehicle_charges_nothing,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "22345-119-16", &[]).await;
        let quote = amina.page(&format!("/vignette/buy/{car}")).await;
        let shown: i64 = hidden(&quote, "amount").parse().unwrap();
        let to = amina
            .post_form(
                BUY,
                &[
                    ("vehicle_id", car.as_str()),
                    ("amount", &(shown - 100).to_string()),
                    ("key", &hidden(&quote, "key")),
                ],
            )
            .await;
        assert_eq!(to, format!("/vignette/buy/{car}?changed=1"));
        let warned = amina.page(&to).await;
        assert!(warned.contains("The amount has changed"), "{warned}");
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 0);

        // An electric car (2026 campaign onwards): the reason and its basis, no pay form.
        let electric = add(
            app,
            &amina,
            "32345-121-16",
            &[("fuel", "electric"), ("first_year", "2021")],
        )
        .await;
        let quote = amina.page(&format!("/vignette/buy/{electric}")).await;
        assert!(quote.contains("this vehicle is exempt"), "{quote}");
        assert!(!quote.contains("name=\"amount\""));
        let to = amina
            .post_form(
                BUY,
                &[
                    ("vehicle_id", electric.as_str()),
                    ("amount", "1"),
                    ("key", "k"),
                ],
            )
            .await;
        assert_eq!(to, format!("/vignette/buy/{electric}"));
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 0);
    }
);

on_both_backends!(
    pay_pressed_again_continues_the_unpaid_order_at_the_amount_shown,
    |app: &TestApp| async move {
        use bawaba::{
            domain::money::{Currency, Money},
            features::payments::engine,
        };
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "52345-119-16", &[]).await;
        let quote = amina.page(&format!("/vignette/buy/{car}")).await;
        let first = press_buy(&amina, &quote).await;
        assert!(first.contains("/sandbox-pay/pay/"), "{first}");
        let (order, subject): (String, String) = sqlx::query_as("SELECT id, subject FROM orders")
            .fetch_one(app.db.pool())
            .await
            .unwrap();

        // A newer unpaid order for the same vignette at another amount (a tariff changed
        // between two tabs) is not the one "Pay" continues: the amount shown decides.
        let mut conn = app.db.pool().acquire().await.unwrap();
        let other = engine::create_order(
            &mut *conn,
            &engine::NewOrder {
                account_id: &crate::support::people::account_id(app, &AMINA).await,
                kind: "vignette",
                subject: &subject,
                description: [("ar", "x".into()), ("fr", "x".into()), ("en", "x".into())],
                amount: Money::new(100, Currency::Dzd),
            },
            bawaba::platform::session::now_secs() + 1,
        )
        .await
        .unwrap()
        .id;
        drop(conn);

        // Pay again from a fresh page (another key), as from a second tab: the same order and
        // its payment still open at the gateway, nothing new.
        let again = amina.page(&format!("/vignette/buy/{car}")).await;
        assert_ne!(hidden(&again, "key"), hidden(&quote, "key"));
        assert_eq!(press_buy(&amina, &again).await, first);
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 2);
        assert_eq!(count(app, "SELECT COUNT(*) FROM payments").await, 1);
        let (paid_order,): (String,) = sqlx::query_as("SELECT order_id FROM payments")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(paid_order, order);
        assert_ne!(paid_order, other);

        // Paid through that one page: the vignette is the first order's.
        let back = pay_on_sandbox(&amina, &first, "4111 1111 1111 1111").await;
        assert_eq!(back, format!("/vignette/bought/{order}"));
    }
);

on_both_backends!(
    a_purchase_needs_one_database_connection_at_a_time,
    // A request that holds a connection while it waits for a second one can, when every
    // request does so at once, empty the pool until its timeout: "Pay" failed so under load.
    // With one connection such a request waits for itself and fails (after 10 s).
    with[("BAWABA_DB_MAX_CONNECTIONS", "1".to_string())],
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "52345-119-16", &[]).await;
        let quote = amina.page(&format!("/vignette/buy/{car}")).await;
        let gateway = press_buy(&amina, &quote).await;
        assert!(gateway.contains("/sandbox-pay/pay/"), "{gateway}");
        let back = pay_on_sandbox(&amina, &gateway, "4111 1111 1111 1111").await;
        assert!(back.starts_with("/vignette/bought/"), "{back}");
        let page = amina.page(&back).await;
        assert!(page.contains("vignette-number"), "{page}");
        assert_eq!(count(app, "SELECT COUNT(*) FROM vignettes").await, 1);
    }
);

on_both_backends!(
    a_price_changed_in_the_database_is_quoted_and_charged_once_the_kept_copy_is_renewed,
    // Reference data is kept per process for as long as public pages are (platform::kept).
    with[("BAWABA_PAGE_CACHE_SECONDS", "2".to_string())],
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "42345-119-16", &[]).await;
        let path = format!("/vignette/buy/{car}");
        let before: i64 = hidden(&amina.page(&path).await, "amount").parse().unwrap();
        app.execute("UPDATE vignette_tariffs SET amount_minor = amount_minor + 100000")
            .await;
        // Within the kept time the quote is the one read before (the database is not asked).
        let kept: i64 = hidden(&amina.page(&path).await, "amount").parse().unwrap();
        assert_eq!(kept, before);
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let quote = amina.page(&path).await;
        let after: i64 = hidden(&quote, "amount").parse().unwrap();
        // (The total is the tariff and any surcharge the campaign's date adds.)
        assert!(
            after > before,
            "the new price, once the copy is renewed: {after}"
        );
        // The old amount is no longer charged: Pay says it changed and makes no order.
        let to = amina
            .post_form(
                BUY,
                &[
                    ("vehicle_id", car.as_str()),
                    ("amount", &before.to_string()),
                    ("key", &hidden(&quote, "key")),
                ],
            )
            .await;
        assert_eq!(to, format!("{path}?changed=1"));
        assert_eq!(count(app, "SELECT COUNT(*) FROM orders").await, 0);
    }
);

on_both_backends!(
    a_second_paid_order_for_the_same_vignette_is_flagged_not_issued,
    |app: &TestApp| async move {
        use bawaba::{
            domain::{
                money::{Currency, Money},
                vignette::Subject,
            },
            features::payments::engine,
        };
        let amina = signed_in(app, &AMINA, "en").await;
        let car = add(app, &amina, "42345-119-16", &[]).await;
        let quote = amina.page(&format!("/vignette/buy/{car}")).await;
        let first = press_buy(&amina, &quote).await;

        // A second order for the same vehicle and campaign, as a race between two tabs with
        // different amounts could leave: both paid.
        let (account, subject): (String, String) =
            sqlx::query_as("SELECT account_id, subject FROM orders")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(Subject::parse(&subject).unwrap().vehicle_id, car);
        let mut conn = app.db.pool().acquire().await.unwrap();
        let second = engine::create_order(
            &mut *conn,
            &engine::NewOrder {
                account_id: &account,
                kind: "vignette",
                subject: &subject,
                description: [("ar", "x".into()), ("fr", "x".into()), ("en", "x".into())],
                amount: Money::new(100, Currency::Dzd),
            },
            bawaba::platform::session::now_secs(),
        )
        .await
        .unwrap()
        .id;
        drop(conn);
        pay_on_sandbox(&amina, &first, "4111 1111 1111 1111").await;
        let to = amina
            .post_form(
                "/api/payments/pay",
                &[("order_id", second.as_str()), ("key", "second")],
            )
            .await;
        pay_on_sandbox(&amina, &to, "4111 1111 1111 1111").await;

        assert_eq!(
            count(
                app,
                "SELECT COUNT(*) FROM payments WHERE state = 'succeeded'"
            )
            .await,
            2
        );
        assert_eq!(count(app, "SELECT COUNT(*) FROM vignettes").await, 1);
        assert_eq!(
            count(
                app,
                "SELECT COUNT(*) FROM payment_flags WHERE kind = 'fulfilment_refused'"
            )
            .await,
            1,
            "the second payment waits for a person to refund it"
        );
        // And the database itself refuses a second vignette for the vehicle and year.
        let dup = sqlx::query(
            "INSERT INTO vignettes (id, number, vehicle_id, account_id, campaign_year, plate,
                vin, category, valid_until, amount_minor, currency, order_id, payment_reference,
                issued_at)
             SELECT 'x', 'other', vehicle_id, account_id, campaign_year, 'other plate', vin,
                category, valid_until, amount_minor, currency, $1, payment_reference, issued_at
             FROM vignettes",
        )
        .bind(&second)
        .execute(app.db.pool())
        .await;
        assert!(dup.is_err(), "unique (vehicle, campaign year)");
    }
);

/// The payment and the order of the vignette purchase for vehicle `car`.
async fn payment_and_order(app: &crate::support::app::TestApp, car: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT p.id, o.id FROM payments p JOIN orders o ON o.id = p.order_id \
         WHERE o.kind = 'vignette' AND o.subject LIKE $1",
    )
    .bind(format!("%{car}%"))
    .fetch_one(app.db.pool())
    .await
    .unwrap()
}

/// Where the portal's answer to a GET sends the browser.
async fn sent_to(b: &crate::support::app::Browser, path: &str) -> String {
    let res = b.get(path).await;
    assert_eq!(res.status(), 303, "GET {path}");
    res.headers()["location"].to_str().unwrap().to_string()
}

on_both_backends!(
    back_from_the_gateway_the_payer_sees_the_vignette_however_the_payment_was_settled,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let card = [
            ("number", "4111 1111 1111 1111"),
            ("expiry", "12/30"),
            ("cvv", "123"),
            ("holder", "A BENALI"),
        ];

        // Back before paying (the gateway's page is still open): the payment's page, waiting.
        let car = add(app, &amina, "12345-119-16", &[]).await;
        let gateway = press_buy(&amina, &amina.page(&format!("/vignette/buy/{car}")).await).await;
        let (payment, order) = payment_and_order(app, &car).await;
        let back = format!("/payments/{payment}/return");
        assert_eq!(sent_to(&amina, &back).await, format!("/payments/{payment}"));
        assert!(
            amina
                .page(&format!("/payments/{payment}"))
                .await
                .contains("Waiting")
        );

        // Paid; the payer's return settles it (the sandbox's notification is still queued):
        // straight to the vignette.
        let code = amina
            .post_form(&format!("{}/card", path_of(&gateway)), &card)
            .await;
        let returned = amina
            .post_form(&path_of(&code), &[("code", "123456")])
            .await;
        assert_eq!(path_of(&returned), back);
        let vignette = format!("/vignette/bought/{order}");
        assert_eq!(sent_to(&amina, &back).await, vignette);
        assert!(amina.page(&vignette).await.contains("vignette-number"));
        // Coming back again (a reload) finds it paid: the vignette again.
        assert_eq!(sent_to(&amina, &back).await, vignette);

        // Paid, and its notification applied before the payer's browser comes back.
        let car = add(app, &amina, "23456-119-16", &[]).await;
        let gateway = press_buy(&amina, &amina.page(&format!("/vignette/buy/{car}")).await).await;
        let (payment, order) = payment_and_order(app, &car).await;
        let code = amina
            .post_form(&format!("{}/card", path_of(&gateway)), &card)
            .await;
        amina
            .post_form(&path_of(&code), &[("code", "123456")])
            .await;
        assert!(sandbox_notifies(app, bawaba::platform::session::now_secs()).await >= 1);
        assert_eq!(
            count(
                app,
                &format!(
                    "SELECT COUNT(*) FROM payments WHERE id = '{payment}' AND state = 'succeeded'"
                )
            )
            .await,
            1
        );
        let vignette = format!("/vignette/bought/{order}");
        assert_eq!(
            sent_to(&amina, &format!("/payments/{payment}/return")).await,
            vignette
        );
        assert!(amina.page(&vignette).await.contains("vignette-number"));

        // Another account coming to that address is not told anything about it.
        let karim = signed_in(app, &KARIM, "en").await;
        assert_eq!(
            sent_to(&karim, &format!("/payments/{payment}/return")).await,
            format!("/payments/{payment}")
        );
    }
);
