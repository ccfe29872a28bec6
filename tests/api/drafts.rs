//! Sessions and journey drafts: saved after every page, read back only by their owner.

use crate::on_both_backends;
use crate::support::app::TestApp;
use bawaba::{
    domain::journey::{Answers, Draft},
    platform::{drafts, housekeeping, session},
};
use http::HeaderMap;
use std::time::Duration;

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn draft(pairs: &[(&str, &str)]) -> Draft {
    Draft {
        answers: answers(pairs),
        rejected: None,
    }
}

/// The headers of the next request of a browser that received `set_cookie`.
fn with_cookie(set_cookie: &str) -> HeaderMap {
    let pair = set_cookie.split(';').next().unwrap();
    let mut h = HeaderMap::new();
    h.insert(http::header::COOKIE, pair.parse().unwrap());
    h
}

const NOW: i64 = 1_795_000_000;

/// A new session started at `at` (no cookie came with the request): its id and cookie.
async fn new_session(app: &TestApp, at: i64) -> (session::SessionId, Option<String>) {
    session::ensure(&app.db, &HeaderMap::new(), false, at)
        .await
        .unwrap()
}

/// The answers of the session's `sample` draft (none when there is no draft).
async fn sample_answers(app: &TestApp, id: &session::SessionId) -> Answers {
    drafts::load(&app.db, id, "sample").await.unwrap().answers
}

async fn save_sample(app: &TestApp, id: &session::SessionId, pairs: &[(&str, &str)], at: i64) {
    drafts::save(&app.db, id, "sample", &draft(pairs), at)
        .await
        .unwrap();
}

on_both_backends!(
    a_session_is_created_once_and_then_recognised,
    |app: &TestApp| async move {
        let (first, cookie) = new_session(app, NOW).await;
        let cookie = cookie.expect("a new session sets its cookie");
        assert!(cookie.starts_with("bawaba_session="));
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/")
        );
        let (again, none) = session::ensure(&app.db, &with_cookie(&cookie), false, NOW + 60)
            .await
            .unwrap();
        assert_eq!(first, again);
        assert!(none.is_none(), "no new cookie for a known session");
    }
);

on_both_backends!(
    a_draft_is_read_back_and_replaced_on_every_save,
    |app: &TestApp| async move {
        let (id, _) = new_session(app, NOW).await;
        assert!(sample_answers(app, &id).await.is_empty());
        save_sample(app, &id, &[("name", "أمينة")], NOW).await;
        save_sample(
            app,
            &id,
            &[("name", "أمينة"), ("plate", "12345 116 16")],
            NOW + 5,
        )
        .await;
        assert_eq!(
            sample_answers(app, &id).await,
            answers(&[("name", "أمينة"), ("plate", "12345 116 16")])
        );
        drafts::discard(&app.db, &id, "sample").await.unwrap();
        assert!(sample_answers(app, &id).await.is_empty());
    }
);

on_both_backends!(
    another_session_never_sees_a_draft,
    |app: &TestApp| async move {
        let (owner, _) = new_session(app, NOW).await;
        let (stranger, _) = new_session(app, NOW).await;
        assert_ne!(owner, stranger);
        save_sample(app, &owner, &[("name", "Amina")], NOW).await;
        assert!(sample_answers(app, &stranger).await.is_empty());
        // A forged cookie (well-formed, unknown token) is no session at all.
        let forged = with_cookie(&format!("bawaba_session={}", "cd".repeat(32)));
        assert!(
            session::current(&app.db, &forged, false, NOW)
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both_backends!(
    an_expired_session_is_gone_with_its_drafts,
    |app: &TestApp| async move {
        let (id, cookie) = new_session(app, NOW).await;
        save_sample(app, &id, &[("name", "Amina")], NOW).await;
        let later = NOW + session::LIFETIME_SECS + 1;
        assert!(
            session::current(&app.db, &with_cookie(&cookie.unwrap()), false, later)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(session::purge_expired(&app.db, later).await.unwrap(), 1);
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM drafts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
    }
);

on_both_backends!(
    every_server_removes_expired_sessions_in_the_background,
    |app: &TestApp| async move {
        let long_ago = session::now_secs() - 10 * session::LIFETIME_SECS;
        let (old, _) = new_session(app, long_ago).await;
        save_sample(app, &old, &[("name", "Amina")], long_ago).await;
        let _live = new_session(app, session::now_secs()).await;
        let job = housekeeping::spawn(app.db.clone(), Duration::from_millis(50));
        let mut left = i64::MAX;
        for _ in 0..100 {
            (left,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
            if left == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        job.abort();
        assert_eq!(left, 1, "only the live session is left");
        assert!(sample_answers(app, &old).await.is_empty());
    }
);

/// The eligibility check's first page, answered by `b`.
async fn answer_date_of_birth(b: &crate::support::app::Browser, year: &str) -> String {
    b.post_form(
        "/api/id-card/eligibility/answer",
        &[
            ("step", "date-of-birth"),
            ("dob_day", "4"),
            ("dob_month", "7"),
            ("dob_year", year),
        ],
    )
    .await
}

/// The year the date-of-birth page shows as answered.
async fn shown_year(b: &crate::support::app::Browser) -> bool {
    let res = b.get("/id-card/eligibility/date-of-birth").await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap().contains("value=\"1988\"")
}

on_both_backends!(
    a_signed_in_persons_answers_survive_sign_out_expiry_and_a_new_password_and_follow_them,
    |app: &TestApp| async move {
        use crate::support::people::{AMINA, PASSWORD, registered_and_confirmed, sign_in};
        let phone = app.browser("en");
        registered_and_confirmed(app, &phone, &AMINA).await;
        assert_eq!(
            answer_date_of_birth(&phone, "1988").await,
            "/id-card/eligibility/residence-visa"
        );
        // Another device, signed in: the same answers.
        let laptop = app.browser("en");
        assert!(
            !shown_year(&laptop).await,
            "a stranger's browser sees nothing"
        );
        sign_in(&laptop, AMINA.email, PASSWORD).await;
        assert!(shown_year(&laptop).await, "the answer follows the account");
        // Signing out on both, and every session ending, keeps them.
        phone.post_form("/api/account/sign-out", &[]).await;
        assert!(!shown_year(&phone).await, "signed out, nothing is shown");
        let account = crate::support::people::account_id(app, &AMINA).await;
        session::end_all_for(&app.db, &account).await.unwrap();
        let later = session::now_secs() + session::LIFETIME_SECS + 1;
        session::purge_expired(&app.db, later).await.unwrap();
        sign_in(&phone, AMINA.email, PASSWORD).await;
        assert!(shown_year(&phone).await, "kept through sign-out and expiry");
        // Nothing of it is left in a session's table.
        let (in_sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM drafts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(in_sessions, 0);
    }
);

on_both_backends!(
    a_visitors_answers_move_to_the_account_at_sign_in_and_the_session_keeps_its_own,
    |app: &TestApp| async move {
        use crate::support::people::{AMINA, PASSWORD, registered_and_confirmed, sign_in};
        let setup = app.browser("en");
        registered_and_confirmed(app, &setup, &AMINA).await;
        setup.post_form("/api/account/sign-out", &[]).await;

        let b = app.browser("en");
        answer_date_of_birth(&b, "1988").await;
        // A refused sign-in keeps its own state (what was typed) with the session only.
        sign_in(&b, AMINA.email, "not the password").await;
        assert_eq!(sign_in(&b, AMINA.email, PASSWORD).await, "/account");
        let account = crate::support::people::account_id(app, &AMINA).await;
        let moved: Vec<(String,)> =
            sqlx::query_as("SELECT journey FROM account_drafts WHERE account_id = $1")
                .bind(&account)
                .fetch_all(app.db.pool())
                .await
                .unwrap();
        assert_eq!(moved, vec![("idcard-eligibility".to_string(),)]);
        assert!(shown_year(&b).await);
        // And is there on another device.
        let other = app.browser("en");
        sign_in(&other, AMINA.email, PASSWORD).await;
        assert!(shown_year(&other).await);
    }
);
