//! Vehicles without JavaScript: add, refuse bad answers (kept, nothing written), one active
//! plate across accounts, change, archive, remove, owner checks as another user.

use crate::{
    on_both_backends,
    support::app::{Browser, TestApp},
    support::people::signed_in,
    support::people::{AMINA, KARIM, PASSWORD, register, sign_in},
};

const SAVE: &str = "/api/vehicles/save";

/// A car as a form posts it: 12345 119 16, 2019, 6 CV, diesel.
fn car() -> Vec<(&'static str, &'static str)> {
    crate::support::vignette::car("12345-119-16", "vf1rfb00x56123456")
}

fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

async fn vehicles(app: &TestApp) -> Vec<(String, String, Option<i64>)> {
    sqlx::query_as("SELECT account_id, plate, archived_at FROM vehicles ORDER BY created_at, id")
        .fetch_all(app.db.pool())
        .await
        .unwrap()
}

async fn page(b: &Browser, path: &str) -> String {
    crate::support::html::without_island_data(&b.page(path).await)
}

/// A form posted by `b` that must change nothing: "not found" for another account's vehicle
/// (Leptos answers a refused server function with a redirect back, never to `/vehicles?…`).
async fn refused(app: &TestApp, b: &Browser, action: &str, fields: &[(&str, &str)]) {
    let res = b
        .client
        .post(app.url(action))
        .header("accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(
        res.status() == 404 || (res.status().is_redirection() && !to.starts_with("/vehicles")),
        "{action}: {} {to}",
        res.status()
    );
}

on_both_backends!(
    a_vehicle_is_added_listed_changed_and_archived,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let list = page(&amina, "/vehicles").await;
        assert!(list.contains("You have not added a vehicle yet."));
        let to = amina.post_form(SAVE, &car()).await;
        assert!(to.starts_with("/vehicles?added="), "{to}");
        let rows = vehicles(app).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].1, "12345 119 16", "the plate is stored normalised");
        let list = page(&amina, &to).await;
        assert!(list.contains("12345 119 16"));
        assert!(list.contains("VF1RFB00X56123456"), "the VIN is upper-cased");
        assert!(list.contains("1 — Cars (tourism)"));
        assert!(list.contains("Vehicle <bdi dir=\"ltr\" class=\"ltr\">12345 119 16</bdi> added."));

        // The change page shows the stored answers; a change is saved.
        let (id,): (String,) = sqlx::query_as("SELECT id FROM vehicles")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let form = page(&amina, &format!("/vehicles/{id}")).await;
        assert!(form.contains("value=\"12345 119 16\""));
        assert!(form.contains("value=\"6\""));
        let to = amina
            .post_form(SAVE, &with(car(), &[("id", &id), ("fiscal_hp", "8")]))
            .await;
        assert_eq!(to, format!("/vehicles?saved={id}"));
        let (hp,): (Option<i64>,) = sqlx::query_as("SELECT fiscal_hp FROM vehicles")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(hp, Some(8));

        // Archived: it leaves the list of active vehicles and frees the plate.
        let to = amina
            .post_form("/api/vehicles/archive", &[("id", &id)])
            .await;
        assert_eq!(to, format!("/vehicles?archived={id}"));
        let list = page(&amina, &to).await;
        assert!(list.contains("Archived vehicles"));
        assert!(vehicles(app).await[0].2.is_some());
        // An archived vehicle is not changed any more.
        refused(app, &amina, SAVE, &with(car(), &[("id", &id)])).await;
        // The plate can be added again (bought back, say).
        amina.post_form(SAVE, &car()).await;
        assert_eq!(vehicles(app).await.len(), 2);
    }
);

on_both_backends!(
    bad_answers_are_refused_with_their_reasons_and_kept,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let cases: [(&[(&str, &str)], &str, &str); 9] = [
            (
                &[("plate", "12-119-16")],
                "plate",
                "Enter the registration number as on the plate, for example 12345 119 16",
            ),
            (
                &[("plate", "12345 119 77")],
                "plate",
                "The last two digits of the plate must be a wilaya code, from 01 to 58",
            ),
            (
                &[("plate", "12345 319 16")],
                "plate",
                "The plate's category digit does not match the category you chose",
            ),
            (
                &[("plate", "12345 118 16")],
                "plate",
                "The plate's year digits do not match the year of first registration",
            ),
            (
                &[("first_year", "2031"), ("plate", "12345 131 16")],
                "first_year",
                "The year of first registration cannot be in the future",
            ),
            (
                &[("fiscal_hp", "-3")],
                "fiscal_hp",
                "Enter a fiscal horsepower between 1 and 99",
            ),
            (
                &[
                    ("category", "3"),
                    ("plate", "12345 319 16"),
                    ("gross_weight", "35000"),
                ],
                "gross_weight",
                "Enter a weight between 0.001 and 100 tonnes: for 3 500 kg, enter 3.5",
            ),
            (
                &[("category", "4"), ("plate", "12345 419 16"), ("seats", "0")],
                "seats",
                "Enter a number of seats between 1 and 150",
            ),
            (
                &[("vin", "VF1RFBO0X56123456")],
                "vin",
                "A chassis number never has the letters I, O or Q: check for 1 and 0",
            ),
        ];
        for (changes, field, message) in cases {
            let to = amina.post_form(SAVE, &with(car(), changes)).await;
            assert_eq!(to, "/vehicles/add", "{changes:?}");
            let html = page(&amina, &to).await;
            assert!(html.contains("<title>Error: Add a vehicle"), "{changes:?}");
            assert!(
                html.contains(&format!("<a href=\"#{field}\">{message}</a>")),
                "{changes:?}: {message}"
            );
            assert!(
                html.contains(&format!(
                    "id=\"{field}-error\" class=\"field__error\">{message}</p>"
                )),
                "{changes:?} at the field"
            );
            // What was typed is kept.
            for (_, value) in changes.iter().filter(|(k, _)| *k != "category") {
                assert!(html.contains(&format!("value=\"{value}\"")), "{value} kept");
            }
        }
        assert!(vehicles(app).await.is_empty(), "nothing written");
        // A chassis number of the 1970s is accepted as it is.
        amina
            .post_form(
                SAVE,
                &with(
                    car(),
                    &[
                        ("plate", "4567 178 16"),
                        ("first_year", "1978"),
                        ("vin", "R1150123"),
                    ],
                ),
            )
            .await;
        let (vin, flag): (String, i64) =
            sqlx::query_as("SELECT vin, vin_non_standard FROM vehicles")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((vin.as_str(), flag), ("R1150123", 1));
    }
);

on_both_backends!(
    one_plate_is_active_in_one_account_and_the_second_can_report_a_transfer,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        amina.post_form(SAVE, &car()).await;
        // Again in the same account: already there.
        let to = amina.post_form(SAVE, &car()).await;
        assert!(
            page(&amina, &to)
                .await
                .contains("This vehicle is already in your list")
        );

        let karim = signed_in(app, &KARIM, "en").await;
        let to = karim
            .post_form(SAVE, &with(car(), &[("plate", "12345 119 16")]))
            .await;
        assert_eq!(to, "/vehicles/add");
        let html = page(&karim, &to).await;
        assert!(html.contains("This plate is already registered in another account"));
        assert!(html.contains("Report that the vehicle is now mine"));
        assert!(!html.contains("Amina"), "nothing about the holder is shown");
        assert_eq!(vehicles(app).await.len(), 1);
        let conflicts: Vec<(String, String)> =
            sqlx::query_as("SELECT plate, kind FROM plate_conflicts ORDER BY created_at")
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(
            conflicts,
            [("12345 119 16".to_string(), "refused".to_string())]
        );
        // Refused twice: still one open conflict.
        karim.post_form(SAVE, &car()).await;
        let to = karim
            .post_form(
                "/api/vehicles/report-transfer",
                &[("plate", "12345 119 16"), ("note", "Bought on 2 November")],
            )
            .await;
        assert_eq!(to, "/vehicles?reported=1");
        assert!(page(&karim, &to).await.contains("Your report was recorded"));
        let conflicts: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT kind, note FROM plate_conflicts ORDER BY kind")
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(
            conflicts,
            [
                ("refused".to_string(), None),
                (
                    "reported".to_string(),
                    Some("Bought on 2 November".to_string())
                )
            ]
        );
    }
);

on_both_backends!(
    another_account_cannot_see_change_archive_or_remove_a_vehicle,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        amina.post_form(SAVE, &car()).await;
        let (id,): (String,) = sqlx::query_as("SELECT id FROM vehicles")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let karim = signed_in(app, &KARIM, "en").await;
        for path in [format!("/vehicles/{id}"), format!("/vehicles/{id}/remove")] {
            assert_eq!(karim.get(&path).await.status(), 404, "{path}");
        }
        assert!(!page(&karim, "/vehicles").await.contains("12345 119 16"));
        for (action, fields) in [
            ("/api/vehicles/archive", vec![("id", id.as_str())]),
            ("/api/vehicles/remove", vec![("id", id.as_str())]),
            (SAVE, with(car(), &[("id", &id), ("fiscal_hp", "9")])),
        ] {
            refused(app, &karim, action, &fields).await;
        }
        let (hp, archived): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT fiscal_hp, archived_at FROM vehicles")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((hp, archived), (Some(6), None), "untouched");
        // The owner removes it after confirming.
        let confirm = page(&amina, &format!("/vehicles/{id}/remove")).await;
        assert!(confirm.contains("Yes, remove it"));
        let to = amina
            .post_form("/api/vehicles/remove", &[("id", &id)])
            .await;
        assert_eq!(to, "/vehicles?removed=1");
        assert!(vehicles(app).await.is_empty());
        // Visitors are sent to sign in.
        let visitor = app.browser("en");
        let res = visitor.get("/vehicles").await;
        assert!(res.status().is_redirection());
    }
);

on_both_backends!(
    an_unconfirmed_account_cannot_add_a_vehicle,
    |app: &TestApp| async move {
        let b = app.browser("en");
        register(&b, &AMINA).await;
        sign_in(&b, AMINA.email, PASSWORD).await;
        let html = page(&b, "/vehicles/add").await;
        assert!(html.contains("Confirm your e-mail address before adding a vehicle"));
        assert!(!html.contains("name=\"plate\""));
        assert_eq!(b.post_form(SAVE, &car()).await, "/account/verify-email");
        assert!(vehicles(app).await.is_empty());
    }
);

on_both_backends!(
    administrators_see_a_plate_conflict_and_can_transfer_the_plate,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        amina.post_form(SAVE, &car()).await;
        let karim = signed_in(app, &KARIM, "en").await;
        karim.post_form(SAVE, &car()).await;
        karim
            .post_form(
                "/api/vehicles/report-transfer",
                &[("plate", "12345 119 16"), ("note", "Bought it")],
            )
            .await;
        // Citizens do not see the administrators' list.
        for who in [&amina, &karim] {
            assert_eq!(who.get("/admin/vehicles/conflicts").await.status(), 404);
        }
        let admin = crate::support::people::administrator(app).await;
        let html = page(&admin, "/admin/vehicles/conflicts").await;
        assert!(html.contains("12345 119 16"));
        assert!(html.contains("Transfer reported"));
        assert!(html.contains("Second owner refused"));
        assert!(html.contains(AMINA.email) && html.contains(KARIM.email));
        assert!(html.contains("Bought it"));
        let (id,): (String,) =
            sqlx::query_as("SELECT id FROM plate_conflicts WHERE kind = 'reported'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let to = admin
            .post_form(
                "/api/admin/vehicles/conflicts/resolve",
                &[
                    ("id", &id),
                    ("decision", "transfer"),
                    ("note", "Sale contract seen"),
                ],
            )
            .await;
        assert_eq!(to, "/admin/vehicles/conflicts?closed=1");
        assert!(page(&admin, &to).await.contains("No open case."));
        // Amina's vehicle is archived and Karim can add it now.
        assert!(vehicles(app).await[0].2.is_some());
        assert!(
            karim
                .post_form(SAVE, &car())
                .await
                .starts_with("/vehicles?added=")
        );
        let (open,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM plate_conflicts WHERE resolved_at IS NULL")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(open, 0);
    }
);

on_both_backends!(
    a_trailer_is_recorded_without_a_fuel,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "en").await;
        let trailer = with(
            car(),
            &[
                ("plate", "54321-815-16"),
                ("category", "8"),
                ("fuel", ""),
                ("first_year", "2015"),
                ("fiscal_hp", ""),
            ],
        );
        let to = amina.post_form(SAVE, &trailer).await;
        assert!(to.starts_with("/vehicles?added="), "{to}");
        let (fuel,): (String,) =
            sqlx::query_as("SELECT fuel FROM vehicles WHERE plate = '54321 815 16'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(fuel, "");
        let list = amina.page("/vehicles").await;
        assert!(list.contains("54321 815 16"), "{list}");
        assert!(
            !list.contains("fuel_"),
            "no key shown for the missing fuel: {list}"
        );
    }
);
