//! The holder's choice of channel for non-essential messages, and the development mailbox.

use crate::{
    on_both_backends,
    support::{
        app::{self, Backend},
        people::{AMINA, registered_and_confirmed},
    },
};
use bawaba::{
    features::accounts::notifications::enqueue_chosen, platform::session::now_secs, server,
};

on_both_backends!(
    non_essential_messages_go_by_the_channels_the_holder_chose,
    |app: &TestApp| async move {
        let b = app.browser("en");
        registered_and_confirmed(app, &b, &AMINA).await;
        let page = b.page("/account/notifications").await;
        assert!(page.contains("Security messages") && page.contains("By text message"));
        let (id,): (String,) = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
            .bind(AMINA.email)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let channels = |choice: &'static str| {
            let (b, db, id) = (&b, &app.db, id.clone());
            async move {
                assert_eq!(
                    b.post_form("/api/account/notifications", &[("notify_by", choice)])
                        .await,
                    "/account/notifications?saved=1"
                );
                sqlx::query("DELETE FROM outbox")
                    .execute(db.pool())
                    .await
                    .unwrap();
                let mut tx = db.begin_write().await.unwrap();
                // Stand-in templates: what matters here is which channels get a message.
                enqueue_chosen(
                    &mut tx,
                    &id,
                    "password_changed",
                    "sms_code",
                    "en",
                    serde_json::json!({ "code": "1" }),
                    now_secs(),
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                let rows: Vec<(String, String)> =
                    sqlx::query_as("SELECT channel, recipient FROM outbox ORDER BY channel")
                        .fetch_all(db.pool())
                        .await
                        .unwrap();
                rows
            }
        };
        assert_eq!(
            channels("sms").await,
            [("sms".into(), "+213555123456".into())]
        );
        assert_eq!(
            channels("both").await,
            [
                ("email".into(), AMINA.email.into()),
                ("sms".into(), "+213555123456".into())
            ]
        );
        // Something else than the three choices changes nothing.
        assert_eq!(channels("pigeon").await.len(), 2);
        assert_eq!(
            channels("email").await,
            [("email".into(), AMINA.email.into())]
        );
        assert!(
            b.page("/account/notifications?saved=1")
                .await
                .contains("Your choice is saved")
        );
    }
);

/// Off by default (404); when turned on, lists what the outbox wrote and shows it, and serves
/// nothing but those files.
#[tokio::test]
async fn the_development_mailbox_is_off_unless_turned_on() {
    let off = app::spawn_app(Backend::Sqlite).await.unwrap();
    assert_eq!(off.get("/dev/mailbox").await.status(), 404);
    off.cleanup().await;

    let (url, data_dir, pg) = app::fresh_database(Backend::Sqlite).await.unwrap();
    let mut config = app::settings(&data_dir, &url);
    config.dev_mailbox = true;
    let state = server::build_state(config).await.unwrap();
    let app = app::serve(state, data_dir, pg).await;
    let b = app.browser("en");
    registered_and_confirmed_without_sink(&app, &b).await;
    let list = app.get_html("/dev/mailbox").await;
    assert!(list.contains(AMINA.email), "{list}");
    let href_start = list.find("/dev/mailbox/").unwrap();
    let href_end = href_start + list[href_start..].find('"').unwrap();
    let res = app.get(&list[href_start..href_end]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Subject:"));
    for bad in ["/dev/mailbox/secret.key", "/dev/mailbox/bawaba.db"] {
        assert_eq!(app.get(bad).await.status(), 404, "{bad}");
    }
    // An encoded slash names no page of ours: refused before any handler sees it.
    assert_eq!(app.get("/dev/mailbox/..%2Fsecret.key").await.status(), 400);
    app.cleanup().await;
}

/// Registers Amina and lets the outbox write her confirmation e-mail as a file (no SMTP).
async fn registered_and_confirmed_without_sink(app: &app::TestApp, b: &app::Browser) {
    use bawaba::{
        messages::render,
        platform::{
            mail::{MailTransport, SmsTransport},
            outbox::{self, Transports},
        },
    };
    crate::support::people::register(b, &AMINA).await;
    let t = Transports {
        mail: MailTransport::from_config(None, "Bawaba <no-reply@bawaba.test>", &app.data_dir)
            .unwrap(),
        sms: SmsTransport::files(app.data_dir.join("sms")),
    };
    while outbox::deliver_one(&app.db, &t, render, "test", now_secs())
        .await
        .unwrap()
    {}
}
