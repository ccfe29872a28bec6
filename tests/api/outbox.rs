//! The outbox delivers through real SMTP, waits out an SMTP outage, and with two workers sends
//! every message exactly once.

use crate::{on_both_backends, support::mail::SmtpSink};
use bawaba::{
    messages::render,
    platform::{
        mail::{MailTransport, SmsTransport},
        outbox::{self, Channel, Notification, Transports},
        session::now_secs,
    },
};
use serde_json::json;
use std::time::Duration;

fn transports(smtp_url: Option<&str>, data_dir: &std::path::Path) -> Transports {
    Transports {
        mail: MailTransport::from_config(smtp_url, "Bawaba <no-reply@bawaba.test>", data_dir)
            .unwrap(),
        sms: SmsTransport::files(data_dir.join("sms")),
    }
}

async fn enqueue_verification(db: &bawaba::platform::db::Db, to: &str, code: &str) -> String {
    let mut tx = db.begin_write().await.unwrap();
    let id = outbox::enqueue(
        &mut tx,
        &Notification {
            account_id: None,
            channel: Channel::Email,
            recipient: to,
            template: "email_verification",
            language: "en",
            params: json!({ "code": code, "link": format!("http://127.0.0.1/verify?c={code}") }),
        },
        now_secs(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn status(db: &bawaba::platform::db::Db, id: &str) -> (String, i64) {
    sqlx::query_as("SELECT status, attempts FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await
        .unwrap()
}

on_both_backends!(
    a_message_is_delivered_over_real_smtp,
    |app: &TestApp| async move {
        let sink = SmtpSink::start(0).await;
        let t = transports(Some(&sink.url()), &app.data_dir);
        let id = enqueue_verification(&app.db, "amina@example.dz", "493817").await;
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", now_secs())
                .await
                .unwrap()
        );
        assert!(
            !outbox::deliver_one(&app.db, &t, render, "w1", now_secs())
                .await
                .unwrap()
        );
        let got = sink.messages();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to, ["amina@example.dz"]);
        assert!(got[0].data.contains("493817"), "{}", got[0].data);
        assert!(got[0].data.contains("text/html"));
        assert_eq!(status(&app.db, &id).await, ("sent".to_string(), 1));
    }
);

on_both_backends!(
    messages_written_together_exist_with_their_transaction_and_each_goes_once,
    |app: &TestApp| async move {
        let sink = SmtpSink::start(0).await;
        let t = transports(Some(&sink.url()), &app.data_dir);
        let verification = |to, code| {
            Notification::email("email_verification", to, "en")
                .params(json!({ "code": code, "link": format!("http://127.0.0.1/v?c={code}") }))
        };
        let count = || async {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            n
        };
        // Rolled back: none of them exists.
        let mut tx = app.db.begin_write().await.unwrap();
        let mut outgoing = outbox::Outgoing::default();
        outgoing.add(&verification("first@example.dz", "111111"));
        outgoing.add(&verification("second@example.dz", "222222"));
        outgoing.write(&mut tx, now_secs()).await.unwrap();
        drop(tx);
        assert_eq!(count().await, 0);
        // Committed: three messages, one statement, each with its own id, recipient and text.
        let mut tx = app.db.begin_write().await.unwrap();
        let mut outgoing = outbox::Outgoing::default();
        let ids = [
            outgoing.add(&verification("first@example.dz", "111111")),
            outgoing.add(&verification("second@example.dz", "222222").account("no-such-account")),
            outgoing.add(
                &Notification::sms("sms_code", "+213550123456", "ar")
                    .params(json!({ "code": "333333" })),
            ),
        ];
        outgoing.write(&mut tx, now_secs()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count().await, 3);
        let (account, channel): (Option<String>, String) =
            sqlx::query_as("SELECT account_id, channel FROM outbox WHERE id = $1")
                .bind(&ids[1])
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(account.as_deref(), Some("no-such-account"));
        assert_eq!(channel, "email");
        while outbox::deliver_one(&app.db, &t, render, "w1", now_secs())
            .await
            .unwrap()
        {}
        let mut got: Vec<(Vec<String>, bool)> = sink
            .messages()
            .iter()
            .map(|m| (m.to.clone(), m.data.contains("111111")))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (vec!["first@example.dz".to_string()], true),
                (vec!["second@example.dz".to_string()], false),
            ]
        );
        for id in &ids {
            assert_eq!(status(&app.db, id).await, ("sent".to_string(), 1));
        }
        // An empty batch writes nothing and is no error.
        let mut tx = app.db.begin_write().await.unwrap();
        outbox::Outgoing::default()
            .write(&mut tx, now_secs())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count().await, 3);
    }
);

on_both_backends!(
    with_smtp_down_sign_up_succeeds_and_the_mail_goes_once_smtp_is_back,
    |app: &TestApp| async move {
        // A port with nothing listening: take a free one and let it go.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let t = transports(Some(&format!("smtp://127.0.0.1:{port}")), &app.data_dir);
        // Sign-up does not wait for the mail: the account and its message are committed.
        let b = app.browser("en");
        let to = crate::support::people::register(&b, &crate::support::people::AMINA).await;
        assert_eq!(to, "/account/verify-email");
        let (id,): (String,) = sqlx::query_as(
            "SELECT id FROM outbox WHERE recipient = $1 AND template = 'email_verification'",
        )
        .bind(crate::support::people::AMINA.email)
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        let now = now_secs();
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", now)
                .await
                .unwrap()
        );
        assert_eq!(status(&app.db, &id).await, ("pending".to_string(), 1));
        // Not due again before its backoff.
        assert!(
            !outbox::deliver_one(&app.db, &t, render, "w1", now + 1)
                .await
                .unwrap()
        );

        let sink = SmtpSink::start(port).await;
        // The backoff counts from when the failure was recorded (the real clock).
        let later = now_secs() + outbox::retry_delay_secs(1);
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", later)
                .await
                .unwrap()
        );
        assert_eq!(status(&app.db, &id).await, ("sent".to_string(), 2));
        assert_eq!(sink.messages().len(), 1);
        // The code in the mail that waited confirms the address.
        let code = crate::support::mail::code_for(&sink, crate::support::people::AMINA.email);
        assert_eq!(
            b.post_form("/api/account/verify-email/code", &[("code", &code)])
                .await,
            "/account/verify-email/done"
        );
    }
);

on_both_backends!(
    two_workers_send_each_message_exactly_once,
    |app: &TestApp| async move {
        let sink = SmtpSink::start(0).await;
        let t = transports(Some(&sink.url()), &app.data_dir);
        let codes: Vec<String> = (0..20).map(|i| format!("{:06}", 100_000 + i)).collect();
        for code in &codes {
            enqueue_verification(&app.db, "amina@example.dz", code).await;
        }
        let workers = [
            outbox::spawn_worker(app.db.clone(), t.clone(), render, Duration::from_millis(20)),
            outbox::spawn_worker(app.db.clone(), t.clone(), render, Duration::from_millis(20)),
        ];
        let mut sent = 0;
        for _ in 0..300 {
            (sent,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            if sent == 20 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for w in workers {
            w.abort();
        }
        assert_eq!(sent, 20);
        let got = sink.messages();
        assert_eq!(got.len(), 20, "no message twice");
        for code in &codes {
            assert_eq!(
                got.iter()
                    .filter(|m| m.data.contains(code.as_str()))
                    .count(),
                1,
                "{code}"
            );
        }
    }
);

on_both_backends!(
    a_claim_takes_several_due_messages_and_records_each_outcome,
    |app: &TestApp| async move {
        let sink = SmtpSink::start(0).await;
        let t = transports(Some(&sink.url()), &app.data_dir);
        // The oldest message names a template that does not exist: it fails for good, while
        // the messages claimed with it go.
        let mut tx = app.db.begin_write().await.unwrap();
        let broken = outbox::enqueue(
            &mut tx,
            &Notification::email("no_such_template", "amina@example.dz", "en"),
            now_secs() - 10,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut good = Vec::new();
        for code in ["100001", "100002", "100003", "100004"] {
            good.push(enqueue_verification(&app.db, "amina@example.dz", code).await);
        }
        let claimed = outbox::deliver_due(&app.db, &t, render, "w1", now_secs(), 4)
            .await
            .unwrap();
        assert_eq!(claimed, 4, "at most the limit");
        assert_eq!(sink.messages().len(), 3);
        assert_eq!(status(&app.db, &broken).await, ("failed".to_string(), 1));
        let (sent, params): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), SUM(CASE WHEN params = '{}' THEN 1 ELSE 0 END) FROM outbox WHERE status = 'sent'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(
            (sent, params),
            (3, 3),
            "marked sent together, contents gone"
        );
        // The fourth was not claimed; it goes on the next round, then nothing is due.
        assert_eq!(
            outbox::deliver_due(&app.db, &t, render, "w1", now_secs(), 4)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            outbox::deliver_due(&app.db, &t, render, "w1", now_secs(), 4)
                .await
                .unwrap(),
            0
        );
        for id in &good {
            assert_eq!(status(&app.db, id).await, ("sent".to_string(), 1));
        }
        assert_eq!(sink.messages().len(), 4);
    }
);

on_both_backends!(
    a_lapsed_lease_is_claimed_again_after_what_is_pending_and_within_the_limit,
    |app: &TestApp| async move {
        // A worker claims a message and dies: the message stays "sending" under its lease,
        // and no other worker takes it until the lease lapses. (Claims run a little ahead of
        // the clock, so a message written during the test is due.)
        let now = now_secs() + 5;
        let orphan = enqueue_verification(&app.db, "amina@example.dz", "200001").await;
        let taken = outbox::claim(&app.db, "w1", now, 1).await.unwrap();
        assert_eq!(taken.len(), 1);
        assert_eq!(taken[0].id, orphan);
        let pending = enqueue_verification(&app.db, "amina@example.dz", "200002").await;
        let taken = outbox::claim(&app.db, "w2", now, 5).await.unwrap();
        assert_eq!(taken.len(), 1, "the leased message is not taken");
        assert_eq!(taken[0].id, pending);
        let later = enqueue_verification(&app.db, "amina@example.dz", "200003").await;

        // Ten minutes on, the lease has lapsed: one claim of one takes the pending message
        // (due since it was written) before the orphan (due since its lease ended).
        let then = now + 600;
        let taken = outbox::claim(&app.db, "w2", then, 1).await.unwrap();
        assert_eq!(taken.len(), 1, "no more than the limit");
        assert_eq!(taken[0].id, later);
        let taken = outbox::claim(&app.db, "w2", then, 5).await.unwrap();
        assert_eq!(taken.len(), 2, "both lapsed leases, nothing else");
        assert!(taken.iter().any(|m| m.id == orphan && m.attempts == 2));
        assert_eq!(status(&app.db, &orphan).await, ("sending".to_string(), 2));
        assert!(
            outbox::claim(&app.db, "w3", then, 5)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    without_smtp_e_mails_are_written_as_files,
    |app: &TestApp| async move {
        let t = transports(None, &app.data_dir);
        enqueue_verification(&app.db, "amina@example.dz", "654321").await;
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", now_secs())
                .await
                .unwrap()
        );
        let files: Vec<_> = std::fs::read_dir(app.data_dir.join("mail"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let eml = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            eml.contains("654321") && eml.contains("To: amina@example.dz"),
            "{eml}"
        );
    }
);

/// A stand-in SMS provider on loopback: answers each POST with the next status of `answers`
/// (then 200) and keeps what it was sent (authorization header, body).
async fn sms_provider(
    answers: Vec<u16>,
) -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
) {
    use axum::{extract::State, http::HeaderMap, routing::post};
    use std::sync::{Arc, Mutex};
    type Seen = Arc<Mutex<Vec<(String, String)>>>;
    let seen: Seen = Arc::default();
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let app = axum::Router::new()
        .route(
            "/send",
            post(
                |State((seen, answers)): State<(Seen, Arc<Mutex<std::vec::IntoIter<u16>>>)>,
                 headers: HeaderMap,
                 body: String| async move {
                    let auth = headers
                        .get("authorization")
                        .map(|v| v.to_str().unwrap().to_string())
                        .unwrap_or_default();
                    seen.lock().unwrap().push((auth, body));
                    let status = answers.lock().unwrap().next().unwrap_or(200);
                    axum::http::StatusCode::from_u16(status).unwrap()
                },
            ),
        )
        .with_state((seen.clone(), answers));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

on_both_backends!(
    an_sms_goes_to_the_http_provider_as_json_with_the_token_and_is_retried_on_a_5xx,
    |app: &TestApp| async move {
        use bawaba::platform::mail::{DEFAULT_SMS_BODY, SmsHttp};
        let (url, seen) = sms_provider(vec![503]).await;
        let t = Transports {
            mail: MailTransport::from_config(None, "Bawaba <no-reply@bawaba.test>", &app.data_dir)
                .unwrap(),
            sms: SmsTransport::Http(SmsHttp::new(&url, Some("t0ken"), DEFAULT_SMS_BODY).unwrap()),
        };
        let mut tx = app.db.begin_write().await.unwrap();
        let id = outbox::enqueue(
            &mut tx,
            &Notification {
                account_id: None,
                channel: Channel::Sms,
                recipient: "+213555123456",
                template: "sms_code",
                language: "ar",
                params: json!({ "code": "493817" }),
            },
            now_secs(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        // The provider is down (503): the message waits for a later try.
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", now_secs())
                .await
                .unwrap()
        );
        assert_eq!(status(&app.db, &id).await, ("pending".to_string(), 1));
        let later = now_secs() + outbox::retry_delay_secs(1) + 1;
        assert!(
            outbox::deliver_one(&app.db, &t, render, "w1", later)
                .await
                .unwrap()
        );
        assert_eq!(status(&app.db, &id).await, ("sent".to_string(), 2));
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].0, "Bearer t0ken");
        let body: serde_json::Value = serde_json::from_str(&seen[1].1).unwrap();
        assert_eq!(body["to"], "+213555123456");
        assert!(body["text"].as_str().unwrap().contains("493817"));
        // A template that would not give JSON is refused at start-up.
        assert!(SmsHttp::new(&url, None, r#"{"to": "{{to}}"}"#).is_err());
    }
);
