//! Vignette reminders, with the clock set inside the 2026 campaign: once when it opens and once
//! in its last week, per vehicle that owes a vignette and has none, by the channels the owner
//! chose; nothing for an exempt or a bought vehicle; the "stop" link works without signing in
//! and cannot be made for another account; the notifications page turns them back on.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        mail::deliver_mail,
        people::{AMINA, signed_in},
        vignette::{add, buy, count},
    },
};
use bawaba::{
    domain::tariff::LocalMinute,
    features::vignette::{
        form::TariffData,
        reminders::server::{Sent, run},
        store,
    },
    platform::secrets::SecretKey,
};

async fn remind(app: &TestApp, local: &str) -> Sent {
    let data = TariffData {
        tariffs: store::tariffs(&app.db).await.unwrap(),
        exemptions: store::exemptions(&app.db).await.unwrap(),
        campaigns: store::campaigns(&app.db).await.unwrap(),
        wilayas: vec![],
    };
    let secret = SecretKey::load_or_create(None, &app.data_dir).unwrap();
    let now = LocalMinute::parse(local).unwrap().unix();
    run(&app.db, &secret, "https://bawaba.example", &data, now)
        .await
        .unwrap()
}

on_both_backends!(
    reminders_go_once_per_vehicle_and_campaign_and_can_be_stopped,
    |app: &TestApp| async move {
        let amina = signed_in(app, &AMINA, "fr").await;
        let owes = add(app, &amina, "12345-119-16", &[]).await;
        add(
            app,
            &amina,
            "23456-121-16",
            &[("fuel", "electric"), ("first_year", "2021")],
        )
        .await;
        buy(app, &amina, "34567-119-16").await;
        // The bought car archived and added again: the new row holds the vignette by its plate
        // only, and owes nothing either.
        let (bought,): (String,) =
            sqlx::query_as("SELECT vehicle_id FROM vignettes WHERE plate = '34567 119 16'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        let to = amina
            .post_form("/api/vehicles/remove", &[("id", bought.as_str())])
            .await;
        assert_eq!(to, format!("/vehicles?archived={bought}"));
        let again = add(app, &amina, "34567-119-16", &[]).await;
        assert_ne!(again, bought);
        // The vehicles were there before the campaign opened; she wants e-mail and SMS.
        let before = LocalMinute::parse("2026-01-15T09:00").unwrap().unix();
        sqlx::query("UPDATE vehicles SET created_at = $1")
            .bind(before)
            .execute(app.db.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE accounts SET notify_by = 'both'")
            .execute(app.db.pool())
            .await
            .unwrap();
        let queued = "SELECT COUNT(*) FROM outbox WHERE template LIKE 'vignette_reminder%'";

        // Before the campaign: nothing. Open: the car that owes, by e-mail and SMS.
        assert_eq!(remind(app, "2026-02-20T10:00").await, Sent::default());
        let sent = remind(app, "2026-03-02T10:00").await;
        assert_eq!(
            sent,
            Sent {
                reminded: 1,
                nothing_owed: 1
            }
        );
        assert_eq!(count(app, queued).await, 2);
        let (vehicle, kind): (String, String) =
            sqlx::query_as("SELECT r.vehicle_id, r.kind FROM vignette_reminders r JOIN vehicles v ON v.id = r.vehicle_id WHERE v.plate = '12345 119 16'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!((vehicle.as_str(), kind.as_str()), (owes.as_str(), "opened"));
        // Run again, the same day and later in the campaign: nothing more.
        assert_eq!(remind(app, "2026-03-02T10:15").await, Sent::default());
        assert_eq!(remind(app, "2026-04-20T10:00").await, Sent::default());
        assert_eq!(count(app, queued).await, 2);

        // The e-mail, in her language, with the amount, the link to buy and the stop link.
        let sink = deliver_mail(app).await;
        let messages = sink.messages();
        let mail = messages
            .iter()
            .find(|m| {
                m.data
                    .contains("Subject: La campagne de vignette 2026 est ouverte")
            })
            .unwrap_or_else(|| {
                let subjects: Vec<&str> = messages
                    .iter()
                    .filter_map(|m| m.data.lines().find(|l| l.starts_with("Subject:")))
                    .collect();
                panic!("no reminder e-mail among {subjects:?}")
            });
        // Quoted-printable soft line breaks undone.
        let data = mail.data.replace("=\r\n", "").replace("=\n", "");
        assert!(data.contains(&format!("/vignette/buy/{owes}")), "{data}");
        assert!(data.contains("12345 119 16"), "{data}");
        let start = data.find("/vignette/reminders/stop/").unwrap();
        let end = start
            + data[start..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '=')
                .unwrap();
        let stop = data[start..end].to_string();
        let token = stop.rsplit('/').next().unwrap().to_string();

        // The last week: once more.
        let sent = remind(app, "2026-05-27T08:00").await;
        assert_eq!(
            sent,
            Sent {
                reminded: 1,
                nothing_owed: 1
            }
        );
        assert_eq!(remind(app, "2026-05-28T08:00").await, Sent::default());
        assert_eq!(count(app, queued).await, 4);

        // The stop link, opened by anyone (no session): a page with a button; a link altered to
        // name another account is refused and changes nothing.
        let anyone = app.browser("en");
        let page = anyone.page(&stop).await;
        assert!(page.contains("Stop the reminders"), "{page}");
        let forged = format!("someone-else.{}", token.rsplit('.').next().unwrap());
        let page = anyone
            .page(&format!("/vignette/reminders/stop/{forged}"))
            .await;
        assert!(page.contains("This link is not valid"), "{page}");
        anyone
            .post_form(
                "/api/vignette/reminders/stop",
                &[("token", forged.as_str())],
            )
            .await;
        let on = "SELECT COUNT(*) FROM accounts WHERE vignette_reminders = 1";
        assert_eq!(count(app, on).await, 1);
        let to = anyone
            .post_form("/api/vignette/reminders/stop", &[("token", token.as_str())])
            .await;
        assert!(to.ends_with("?stopped=1"), "{to}");
        assert!(
            anyone
                .page(&to)
                .await
                .contains("Vignette reminders are stopped")
        );
        assert_eq!(count(app, on).await, 0);

        // Stopped: a new campaign window sends nothing to her.
        sqlx::query("DELETE FROM vignette_reminders")
            .execute(app.db.pool())
            .await
            .unwrap();
        assert_eq!(remind(app, "2026-05-27T08:00").await, Sent::default());

        // Back on from the notifications page (the box ticked), and off again (left unticked).
        amina
            .post_form(
                "/api/account/notifications",
                &[("notify_by", "email"), ("vignette_reminders", "on")],
            )
            .await;
        assert_eq!(count(app, on).await, 1);
        let page = amina.page("/account/notifications").await;
        assert!(page.contains("id=\"vignette_reminders\""), "{page}");
        assert_eq!(remind(app, "2026-05-27T08:00").await.reminded, 1);
        amina
            .post_form("/api/account/notifications", &[("notify_by", "email")])
            .await;
        assert_eq!(count(app, on).await, 0);
    }
);
