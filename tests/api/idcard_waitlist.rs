//! The waiting list (issue 22 ★): joining it for a centre and a range of days (each bad range
//! refused with its reason), a freed place held and offered to the first person waiting,
//! accepted, declined or lapsed and passed on, made once whatever two servers' jobs do at the
//! same moment, and places opened by a new counter found for the people waiting.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        idcard::{applicants, bookable_days, one, ready, refused, signed_in, state_of},
        mail::deliver_mail,
        people::{AMINA, KARIM, html},
    },
};
use bawaba::{
    domain::{
        date::Date,
        idcard::{
            slots::{Slot, minute_of_day},
            waitlist::Range,
        },
    },
    features::idcard::appointment::{
        store::{self as appointments, Issuer, Outcome},
        waitlist::{store, worker},
    },
    platform::{secrets::SecretKey, session::now_secs},
};

const JOIN: &str = "/api/id-card/application/join-waitlist";
const ACCEPT: &str = "/api/id-card/application/accept-offer";
const CANCEL: &str = "/api/id-card/application/cancel-appointment";
const BOOK: &str = "/api/id-card/application/book";
const URL: &str = "https://bawaba.test";

/// Every slot of `day` at Al Shamal (07:00 to 12:00, one counter) taken, but `except`.
async fn fill_shamal(app: &TestApp, day: Date, except: &[&str]) {
    let (opens, closes) = (
        minute_of_day("07:00").unwrap(),
        minute_of_day("12:00").unwrap(),
    );
    for minute in (opens..closes).step_by(15) {
        let slot = Slot { date: day, minute };
        if except.contains(&slot.time().as_str()) {
            continue;
        }
        app.execute(&format!(
            "INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ('SHM', {}, 1)",
            slot.starts_at()
        ))
        .await;
    }
}

/// (booked, held) of a slot at Al Shamal.
async fn counts(app: &TestApp, slot: Slot) -> (i64, i64) {
    sqlx::query_as(
        "SELECT booked, held FROM appointment_slots WHERE centre_code = 'SHM' AND starts_at = $1",
    )
    .bind(slot.starts_at())
    .fetch_optional(app.db.pool())
    .await
    .unwrap()
    .unwrap_or((0, 0))
}

/// The open offers: (application, starts_at).
async fn open_offers(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT w.application_id, o.starts_at FROM waitlist_offers o
         JOIN appointment_waitlist w ON w.id = o.entry_id
         WHERE o.ended_at IS NULL ORDER BY o.offered_at",
    )
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

async fn offers_queued(app: &TestApp) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE template = 'idcard_waitlist_offer'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    n
}

/// Two servers' jobs at the same moment; their reports added up.
async fn two_workers(app: &TestApp, now: i64) -> worker::Report {
    let (a, b) = tokio::join!(
        worker::run(&app.db, URL, now),
        worker::run(&app.db, URL, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    worker::Report {
        lapsed: a.lapsed + b.lapsed,
        expired: a.expired + b.expired,
        found: a.found + b.found,
        offered: a.offered + b.offered,
        released: a.released + b.released,
    }
}

on_both_backends!(
    a_freed_place_is_offered_to_the_person_waiting_who_accepts_it,
    |app: &TestApp| async move {
        let day = *bookable_days(app).await.last().unwrap();
        let nine = Slot::parse(&day.iso(), "09:00").unwrap();
        // Al Shamal's last bookable day is full but for 09:00, which Karim books.
        fill_shamal(app, day, &["09:00"]).await;
        let (karim, karims) = ready(app, &KARIM).await;
        let to = karim
            .post_form(
                BOOK,
                &[
                    ("id", karims.as_str()),
                    ("centre", "SHM"),
                    ("day", &day.iso()),
                    ("time", "09:00"),
                ],
            )
            .await;
        assert!(to.ends_with("done=booked"), "{to}");

        let (b, id) = ready(app, &AMINA).await;
        let page = format!("/id-card/applications/{id}/appointment");
        // The calendar offers the waiting list; its page proposes the bookable days.
        let calendar = b.page(&format!("{page}?centre=SHM")).await;
        assert!(calendar.contains("Join the waiting list"), "{calendar}");
        let join_page = format!("{page}/waitlist?centre=SHM");
        let shown = b.page(&join_page).await;
        assert!(
            shown.contains("Wait for a place at Al Shamal Service Centre")
                && shown.contains("2 hours"),
            "{shown}"
        );

        // Each bad range comes back with its reason and the days chosen; nothing is written.
        let friday = (1..7)
            .map(|n| day.plus_days(-n))
            .find(|d| d.weekday() == bawaba::domain::calendar::Weekday::Friday)
            .unwrap();
        let first = *bookable_days(app).await.first().unwrap();
        let cases = [
            (String::new(), day.iso(), "missing_day"),
            (day.iso(), first.iso(), "backwards"),
            (friday.iso(), day.iso(), "not_bookable"),
            (first.iso(), day.iso(), "has_free_places"),
        ];
        for (from, to_day, problem) in &cases {
            let to = b
                .post_form(
                    JOIN,
                    &[
                        ("id", id.as_str()),
                        ("centre", "SHM"),
                        ("first_day", from.as_str()),
                        ("last_day", to_day.as_str()),
                    ],
                )
                .await;
            assert!(
                to.starts_with(&join_page) && to.contains(&format!("problem={problem}")),
                "{problem}: {to}"
            );
            let shown = b.page(&to).await;
            assert!(shown.contains("error-summary"), "{problem}: {shown}");
        }
        let (entries,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM appointment_waitlist")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(entries, 0);
        // Another account cannot put this application on the list.
        let form = [
            ("id", id.as_str()),
            ("centre", "SHM"),
            ("first_day", &day.iso()),
            ("last_day", &day.iso()),
        ];
        let intruder = signed_in(app, &crate::support::people::SAMIRA).await;
        let res = intruder
            .client
            .post(format!("{}{JOIN}", intruder.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        refused(&res);

        let to = b.post_form(JOIN, &form).await;
        assert_eq!(to, format!("{page}?done=waiting"));
        let shown = b.page(&page).await;
        assert!(shown.contains("You are on the waiting list"), "{shown}");
        let shown = b.page(&join_page).await;
        assert!(
            shown.contains("You are already on the waiting list"),
            "{shown}"
        );

        // Karim cancels: the place is held for Amina at once, never free for a passer-by.
        let to = karim.post_form(CANCEL, &[("id", karims.as_str())]).await;
        assert!(to.ends_with("done=cancelled"), "{to}");
        assert_eq!(counts(app, nine).await, (0, 1));
        // The request ran the job already, or this run does: one offer either way.
        worker::run(&app.db, URL, now_secs()).await.unwrap();
        assert_eq!(open_offers(app).await, [(id.clone(), nine.starts_at())]);
        assert_eq!(offers_queued(app).await, 1);
        let sink = deliver_mail(app).await;
        let offer = sink
            .messages()
            .into_iter()
            .map(|m| m.data.replace("=\r\n", "").replace("=\n", ""))
            .find(|m| m.contains("A place has freed up"))
            .expect("the offer's e-mail");
        assert!(
            offer.contains("Al Shamal Service Centre") && offer.contains("09:00"),
            "{offer}"
        );
        assert!(offer.contains(&format!("{page}#offer")), "{offer}");
        let shown = b.page(&page).await;
        assert!(
            shown.contains("A place has freed up for you") && shown.contains("09:00"),
            "{shown}"
        );
        // Held: Karim sees it as full.
        let times = html(
            &karim,
            &format!(
                "/id-card/applications/{karims}/appointment?centre=SHM&day={}",
                day.iso()
            ),
        )
        .await;
        assert!(times.contains("value=\"09:00\" disabled"), "{times}");

        // Only Amina can accept it.
        let res = karim
            .client
            .post(format!("{}{ACCEPT}", karim.base))
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        refused(&res);
        let to = b.post_form(ACCEPT, &[("id", id.as_str())]).await;
        assert_eq!(to, format!("{page}?done=booked"));
        assert_eq!(counts(app, nine).await, (1, 0));
        assert_eq!(state_of(app, &id).await, "appointment_booked");
        let (centre, starts_at): (String, i64) = one(
            app,
            "SELECT centre_code, starts_at FROM idcard_appointments
             WHERE application_id = $1 AND ended_at IS NULL",
            &id,
        )
        .await;
        assert_eq!((centre.as_str(), starts_at), ("SHM", nine.starts_at()));
        let (how,): (String,) = one(
            app,
            "SELECT ended_how FROM appointment_waitlist WHERE application_id = $1",
            &id,
        )
        .await;
        assert_eq!(how, "booked");
        assert!(open_offers(app).await.is_empty());
        // A second press finds no offer any more.
        let to = b.post_form(ACCEPT, &[("id", id.as_str())]).await;
        assert!(to.ends_with("done=no_offer"), "{to}");
    }
);

on_both_backends!(
    an_offer_declined_or_lapsed_passes_on_and_is_made_once_by_two_workers,
    |app: &TestApp| async move {
        let people = applicants(app, 3).await;
        let day = *bookable_days(app).await.last().unwrap();
        let nine = Slot::parse(&day.iso(), "09:00").unwrap();
        fill_shamal(app, day, &["09:00"]).await;
        let secret = SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let keys = bawaba::platform::signing::Keyring::new(secret);
        let issuer = Issuer {
            public_url: URL,
            keys: &keys,
        };
        let rules = bawaba::domain::idcard::slots::Rules::from_terms(
            &bawaba::features::idcard::store::terms(&app.db)
                .await
                .unwrap(),
        );
        let (holder, first, second) = (&people[0], &people[1], &people[2]);
        let now = now_secs();
        let booked = appointments::book(&app.db, &holder.0, &holder.1, "SHM", nine, &issuer, now)
            .await
            .unwrap();
        assert!(matches!(booked, Some(Outcome::Done(_))), "{booked:?}");
        let range = Range {
            first: day,
            last: day,
        };
        // The first joins a second before the second (the order of asking is kept to the second).
        for (at, (account, application)) in [(now - 1, first), (now, second)] {
            let joined = store::join(&app.db, account, application, "SHM", range, at)
                .await
                .unwrap();
            assert_eq!(joined, Some(store::Joined::Waiting));
        }
        let cancelled = appointments::cancel(&app.db, &holder.0, &holder.1, &rules, URL, now)
            .await
            .unwrap();
        assert!(matches!(cancelled, Some(Outcome::Done(_))));
        assert_eq!(counts(app, nine).await, (0, 1));

        // Two servers' jobs at the same moment: one offer, to the first person waiting.
        let report = two_workers(app, now).await;
        assert_eq!(report.offered, 1, "{report:?}");
        assert_eq!(
            open_offers(app).await,
            [(first.1.clone(), nine.starts_at())]
        );
        assert_eq!(offers_queued(app).await, 1);
        // Nothing more on the next runs.
        assert_eq!(two_workers(app, now + 60).await, worker::Report::default());

        // Declined: the next person is offered it, once; the first keeps waiting.
        assert_eq!(
            store::decline(&app.db, &first.0, &first.1, now + 120)
                .await
                .unwrap(),
            Some(true)
        );
        let report = two_workers(app, now + 120).await;
        assert_eq!(report.offered, 1, "{report:?}");
        assert_eq!(
            open_offers(app).await,
            [(second.1.clone(), nine.starts_at())]
        );
        assert_eq!(offers_queued(app).await, 2);
        assert_eq!(counts(app, nine).await, (0, 1));

        // Unanswered for the data's two hours (from the morning, if offered at night): it
        // lapses. Both have let it go, so it is free for everyone again, and not found again
        // for them.
        let later = bawaba::domain::idcard::waitlist::offer_expires(now + 120, &rules);
        assert!(later >= now + 120 + 2 * 3600);
        assert!(two_workers(app, later - 1).await.lapsed == 0);
        let report = two_workers(app, later).await;
        assert_eq!((report.lapsed, report.released), (1, 1), "{report:?}");
        assert!(open_offers(app).await.is_empty());
        assert_eq!(counts(app, nine).await, (0, 0));
        assert_eq!(
            two_workers(app, later + 60).await,
            worker::Report::default()
        );
        // The lapsed offer cannot be accepted.
        let late = store::accept(&app.db, &second.0, &second.1, &issuer, later + 120)
            .await
            .unwrap();
        assert!(matches!(late, Some(Outcome::NoAppointment)), "{late:?}");
        for (_, application) in [first, second] {
            assert_eq!(state_of(app, application).await, "awaiting_appointment");
        }
        // Another account cannot answer for an application.
        assert_eq!(
            store::decline(&app.db, &first.0, &second.1, later)
                .await
                .unwrap(),
            None
        );
    }
);

on_both_backends!(
    places_a_new_counter_opens_are_offered_and_booking_elsewhere_ends_the_wait,
    |app: &TestApp| async move {
        let people = applicants(app, 1).await;
        let (account, application) = &people[0];
        let days = bookable_days(app).await;
        let day = *days.last().unwrap();
        fill_shamal(app, day, &[]).await;
        let now = now_secs();
        let range = Range {
            first: day,
            last: day,
        };
        store::join(&app.db, account, application, "SHM", range, now)
            .await
            .unwrap();
        assert_eq!(
            worker::run(&app.db, URL, now).await.unwrap(),
            worker::Report::default()
        );

        // A second counter opens at Al Shamal: the day's first time is found and offered.
        app.execute("UPDATE service_centres SET counters = 2 WHERE code = 'SHM'")
            .await;
        let report = worker::run(&app.db, URL, now).await.unwrap();
        assert_eq!((report.found, report.offered), (1, 1), "{report:?}");
        let seven = Slot::parse(&day.iso(), "07:00").unwrap();
        assert_eq!(
            open_offers(app).await,
            [(application.clone(), seven.starts_at())]
        );
        assert_eq!(counts(app, seven).await, (1, 1));

        // Booked elsewhere directly: the wait ends, the offer is withdrawn and its place let go.
        let secret = SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let keys = bawaba::platform::signing::Keyring::new(secret);
        let issuer = Issuer {
            public_url: URL,
            keys: &keys,
        };
        let other = Slot::parse(&days[days.len() - 2].iso(), "10:00").unwrap();
        let booked = appointments::book(&app.db, account, application, "DOH", other, &issuer, now)
            .await
            .unwrap();
        assert!(matches!(booked, Some(Outcome::Done(_))), "{booked:?}");
        assert!(open_offers(app).await.is_empty());
        let (how,): (String,) = one(
            app,
            "SELECT ended_how FROM appointment_waitlist WHERE application_id = $1",
            application,
        )
        .await;
        assert_eq!(how, "booked");
        let report = worker::run(&app.db, URL, now).await.unwrap();
        assert_eq!(report.released, 1, "{report:?}");
        assert_eq!(counts(app, seven).await, (1, 0));
    }
);
