//! Appointments at the service centres (issue 22) through HTTP, as a browser without
//! JavaScript: the three steps, booking, a second click, rescheduling, cancelling, every bad
//! slot refused with its reason, the cut-off, another account's application; and the
//! database's guarantee that a slot is never overbooked, with 50 people racing for its last
//! place.

use crate::{
    on_both_backends,
    support::{
        app::TestApp,
        idcard::{applicants, bookable_days, one, ready, refused, signed_in, state_of, today},
        mail::deliver_mail,
        people::{AMINA, KARIM, html},
    },
};
use bawaba::{
    domain::idcard::slots::{Rules, Slot},
    features::idcard::{
        appointment::store::{self, Outcome},
        store as idcard_store,
    },
    platform::session::now_secs,
};

const BOOK: &str = "/api/id-card/application/book";
const CANCEL: &str = "/api/id-card/application/cancel-appointment";

async fn booked(app: &TestApp, centre: &str, slot: Slot) -> i64 {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT booked FROM appointment_slots WHERE centre_code = $1 AND starts_at = $2",
    )
    .bind(centre)
    .bind(slot.starts_at())
    .fetch_optional(app.db.pool())
    .await
    .unwrap();
    row.map_or(0, |(n,)| n)
}

async fn live_count(app: &TestApp, id: &str) -> i64 {
    one::<(i64,)>(
        app,
        "SELECT COUNT(*) FROM idcard_appointments WHERE application_id = $1 AND ended_at IS NULL",
        id,
    )
    .await
    .0
}

async fn rules(app: &TestApp) -> Rules {
    Rules::from_terms(&idcard_store::terms(&app.db).await.unwrap())
}

fn book_form<'a>(
    id: &'a str,
    centre: &'a str,
    day: &'a str,
    time: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![("id", id), ("centre", centre), ("day", day), ("time", time)]
}

on_both_backends!(
    an_appointment_is_booked_moved_and_cancelled_in_three_steps,
    |app: &TestApp| async move {
        let (b, id) = ready(app, &AMINA).await;
        let page = format!("/id-card/applications/{id}/appointment");
        // The application's page leads to booking.
        let progress = b.page(&format!("/id-card/applications/{id}")).await;
        assert!(progress.contains(&page), "{progress}");

        // Step 1: the centres with their municipality (named in Arabic on Arabic pages).
        let (untranslated,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM service_centres WHERE municipality_ar = ''")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(untranslated, 0);
        let centres = b.page(&page).await;
        assert!(centres.contains("Al Rayyan Service Centre") && centres.contains("Umm Salal"));
        // Step 2: the calendar, Sunday first, with the free places of each open day.
        let calendar = html(&b, &format!("{page}?centre=DOH")).await;
        assert!(
            calendar.contains("<th scope=\"col\">Sun</th>"),
            "{calendar}"
        );
        let days = bookable_days(app).await;
        let last = *days.last().unwrap();
        // 28 slots of 6 places: 168 on a day nobody has booked.
        assert!(calendar.contains("168 places"), "{calendar}");
        assert!(calendar.contains(&format!("day={}", last.iso())));
        // Step 3: the day's times.
        let times = html(&b, &format!("{page}?centre=DOH&day={}", last.iso())).await;
        assert!(times.contains("value=\"07:00\"") && times.contains("value=\"13:45\""));
        assert!(!times.contains("value=\"14:00\""));

        // Booked; the second click of a double click changes nothing.
        let day = last.iso();
        let to = b
            .post_form(BOOK, &book_form(&id, "DOH", &day, "09:00"))
            .await;
        assert_eq!(to, format!("{page}?done=booked"));
        let again = b
            .post_form(BOOK, &book_form(&id, "DOH", &day, "09:00"))
            .await;
        assert!(again.starts_with(&page), "{again}");
        let slot = Slot::parse(&day, "09:00").unwrap();
        assert_eq!(booked(app, "DOH", slot).await, 1);
        assert_eq!(live_count(app, &id).await, 1);
        assert_eq!(state_of(app, &id).await, "appointment_booked");
        let shown = b.page(&format!("{page}?done=booked")).await;
        assert!(
            shown.contains("Your appointment is booked") && shown.contains("09:00"),
            "{shown}"
        );
        assert!(shown.contains("Doha Service Centre"));
        let sink = deliver_mail(app).await;
        let mails: Vec<String> = sink
            .messages()
            .into_iter()
            .map(|m| m.data.replace("=\r\n", "").replace("=\n", ""))
            .collect();
        assert!(
            mails.iter().any(|m| m.contains("Appointment booked")
                && m.contains("Doha Service Centre")
                && m.contains("09:00")),
            "{mails:?}"
        );

        // Moved: the new place is taken, the old one given back, in one step.
        let to = b
            .post_form(BOOK, &book_form(&id, "DOH", &day, "10:30"))
            .await;
        assert_eq!(to, format!("{page}?done=booked"));
        assert_eq!(booked(app, "DOH", slot).await, 0);
        let moved = Slot::parse(&day, "10:30").unwrap();
        assert_eq!(booked(app, "DOH", moved).await, 1);
        assert_eq!(live_count(app, &id).await, 1);

        // Cancelled: the place is free at once, the application awaits an appointment again.
        let to = b.post_form(CANCEL, &[("id", id.as_str())]).await;
        assert_eq!(to, format!("{page}?done=cancelled"));
        assert_eq!(booked(app, "DOH", moved).await, 0);
        assert_eq!(live_count(app, &id).await, 0);
        assert_eq!(state_of(app, &id).await, "awaiting_appointment");
        let events: Vec<(String,)> = sqlx::query_as(
            "SELECT event FROM idcard_application_events WHERE application_id = $1 ORDER BY seq",
        )
        .bind(&id)
        .fetch_all(app.db.pool())
        .await
        .unwrap();
        let events: Vec<&str> = events.iter().map(|(e,)| e.as_str()).collect();
        assert_eq!(
            events[events.len() - 3..],
            [
                "appointment_booked",
                "appointment_rescheduled",
                "appointment_cancelled"
            ]
        );
        let timeline = b.page(&format!("/id-card/applications/{id}")).await;
        assert!(timeline.contains("Appointment moved"), "{timeline}");
    }
);

on_both_backends!(
    the_centres_come_nearest_first_when_the_browser_shares_its_position,
    |app: &TestApp| async move {
        let (b, id) = ready(app, &AMINA).await;
        let page = format!("/id-card/applications/{id}/appointment");
        let at = |html: &str, code: &str| {
            html.find(&format!("value=\"{code}\""))
                .unwrap_or_else(|| panic!("{code} listed: {html}"))
        };
        // As the data orders them (the biggest centres first), with the offer to order them,
        // which shows only once the page's script runs.
        let usual = html(&b, &page).await;
        assert!(at(&usual, "DOH") < at(&usual, "WAK") && at(&usual, "WAK") < at(&usual, "SHM"));
        assert!(usual.contains("Show the nearest centres first"), "{usual}");
        assert!(
            usual.contains("class=\"locate js-only\"") && usual.contains("data-position=\"near\"")
        );
        assert!(!usual.contains("km away"));
        // From Al Wakrah (the browser's position, cut to hundredths of a degree): Al Wakrah,
        // then Doha, ..., Al Shamal, 105 km north, last; each with its distance.
        let near = html(&b, &format!("{page}?near=25.17,51.60")).await;
        let order: Vec<usize> = ["WAK", "DOH", "RAY", "DAY", "KHR", "SHM"]
            .iter()
            .map(|c| at(&near, c))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{near}");
        assert!(near.contains("Nearest first, from the position your browser shared."));
        assert!(near.contains("about 1 km away"), "{near}");
        assert!(!near.contains("Show the nearest centres first"));
        // Declined, unreadable or forged: the usual order, and why.
        for bad in ["unknown", "91,0", "25.17", "%3Cscript%3E"] {
            let shown = html(&b, &format!("{page}?near={bad}")).await;
            assert!(shown.contains("Your position could not be read."), "{bad}");
            assert!(at(&shown, "DOH") < at(&shown, "WAK"), "{bad}");
            assert!(!shown.contains("<script>"), "{bad}");
        }
        // Choosing another centre for a booked appointment keeps saying so.
        let to = b
            .post_form(
                BOOK,
                &book_form(&id, "DOH", &bookable_days(app).await[0].iso(), "09:00"),
            )
            .await;
        assert_eq!(to, format!("{page}?done=booked"));
        let change = html(&b, &format!("{page}?change=centre")).await;
        assert!(
            change.contains("name=\"change\" value=\"centre\""),
            "{change}"
        );
        // Another account's application shows nothing, in any order.
        let other = signed_in(app, &KARIM).await;
        let res = other.get(&format!("{page}?near=25.17,51.60")).await;
        refused(&res);
        assert!(!res.text().await.unwrap().contains("value=\"WAK\""));
    }
);

on_both_backends!(
    the_slip_is_mailed_with_its_calendar_file_and_downloaded_by_its_owner_only,
    |app: &TestApp| async move {
        use bawaba::domain::{
            idcard::slip::SlipSeal,
            seal::{Verdict, verify},
        };
        let (b, id) = ready(app, &AMINA).await;
        let day = bookable_days(app).await.last().unwrap().iso();
        b.post_form(BOOK, &book_form(&id, "WAK", &day, "09:15"))
            .await;
        let (reference,): (String,) = one(
            app,
            "SELECT reference FROM idcard_applications WHERE id = $1",
            &id,
        )
        .await;

        // The e-mail carries the PDF and the calendar file.
        let sink = deliver_mail(app).await;
        let booking = sink
            .messages()
            .into_iter()
            .map(|m| m.data)
            .find(|m| m.contains("Appointment booked"))
            .expect("the booking's e-mail");
        for part in [
            format!("filename=\"appointment-{reference}.pdf\""),
            format!("filename=\"appointment-{reference}.ics\""),
            "text/calendar".to_string(),
        ] {
            assert!(booking.contains(&part), "{part}");
        }

        // Both files from the appointment page, for the owner.
        let pdf = b
            .get(&format!("/id-card/applications/{id}/appointment/slip.pdf"))
            .await;
        assert_eq!(pdf.status(), 200);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
        let ics = b
            .get(&format!("/id-card/applications/{id}/appointment/slip.ics"))
            .await
            .text()
            .await
            .unwrap();
        let compact = day.replace('-', "");
        assert!(
            ics.contains(&format!("DTSTART;TZID=Asia/Qatar:{compact}T091500\r\n")),
            "{ics}"
        );
        assert!(ics.contains("Al Wakrah Service Centre"), "{ics}");
        let page = b
            .page(&format!("/id-card/applications/{id}/appointment"))
            .await;
        assert!(
            page.contains("Download your appointment slip (PDF)"),
            "{page}"
        );
        assert!(
            page.contains("The fee, ") && page.contains("paid at the centre"),
            "paid at the centre: {page}"
        );

        // The seal its QR code carries names this appointment and verifies with the keys.
        let (seal,): (String,) = one(
            app,
            "SELECT seal FROM idcard_appointments WHERE application_id = $1 AND ended_at IS NULL",
            &id,
        )
        .await;
        let keys = bawaba::platform::signing::public_keys(&app.db)
            .await
            .unwrap();
        let Verdict::Genuine(sealed) = verify::<SlipSeal>(&seal, &keys) else {
            panic!("{seal}");
        };
        assert_eq!(
            (sealed.reference.as_str(), sealed.centre.as_str()),
            (reference.as_str(), "WAK")
        );
        assert_eq!(
            sealed.starts_at,
            Slot::parse(&day, "09:15").unwrap().starts_at()
        );

        // Nobody else gets them: another account finds nothing, a visitor is sent to sign in;
        // and there is none once cancelled.
        let other = signed_in(app, &KARIM).await;
        let visitor = app.browser("en");
        for path in ["slip.pdf", "slip.ics"] {
            let path = format!("/id-card/applications/{id}/appointment/{path}");
            assert_eq!(other.get(&path).await.status(), 404, "{path}");
            let res = visitor.get(&path).await;
            assert_eq!(res.status(), 302, "{path}");
            assert!(
                res.headers()["location"]
                    .to_str()
                    .unwrap()
                    .contains("sign-in")
            );
        }
        b.post_form(CANCEL, &[("id", id.as_str())]).await;
        let gone = b
            .get(&format!("/id-card/applications/{id}/appointment/slip.pdf"))
            .await;
        assert_eq!(gone.status(), 404);
    }
);

on_both_backends!(
    the_reminder_goes_once_with_two_servers_running_the_job_and_the_applicant_confirms,
    |app: &TestApp| async move {
        use bawaba::features::idcard::appointment::reminders;
        let (b, id) = ready(app, &AMINA).await;
        let day = bookable_days(app).await.last().unwrap().iso();
        b.post_form(BOOK, &book_form(&id, "WAK", &day, "09:15"))
            .await;
        deliver_mail(app).await;
        let starts_at = Slot::parse(&day, "09:15").unwrap().starts_at();
        let rules = rules(app).await;
        assert_eq!(rules.reminder_hours, 30);
        // Two days before: not yet.
        let early = starts_at - 48 * 3600;
        assert_eq!(
            reminders::run(&app.db, &rules, "https://bawaba.test", early)
                .await
                .unwrap(),
            0
        );
        // 29 hours before, two app servers run the job at the same moment: one reminder.
        let at = starts_at - 29 * 3600;
        let (one_run, other_run) = tokio::join!(
            reminders::run(&app.db, &rules, "https://bawaba.test", at),
            reminders::run(&app.db, &rules, "https://bawaba.test", at),
        );
        assert_eq!(one_run.unwrap() + other_run.unwrap(), 1);
        assert_eq!(
            reminders::run(&app.db, &rules, "https://bawaba.test", at + 600)
                .await
                .unwrap(),
            0,
            "and never again"
        );
        // The job ran on a clock set 29 hours before the appointment; the outbox sends on the
        // real one.
        app.execute(
            "UPDATE outbox SET next_attempt_at = 0 WHERE template = 'idcard_appointment_reminder'",
        )
        .await;
        let sink = deliver_mail(app).await;
        let reminders: Vec<String> = sink
            .messages()
            .into_iter()
            .map(|m| m.data.replace("=\r\n", "").replace("=\n", ""))
            .filter(|m| m.contains("appointment#confirm"))
            .collect();
        assert_eq!(reminders.len(), 1);
        for anchor in ["#confirm", "#change", "#cancel"] {
            assert!(
                reminders[0].contains(&format!("/id-card/applications/{id}/appointment{anchor}")),
                "{anchor}: {}",
                reminders[0]
            );
        }
        assert!(reminders[0].contains("Al Wakrah Service Centre"));

        // "I will come": another account cannot say it for them; the applicant can.
        let karim = signed_in(app, &KARIM).await;
        let res = karim
            .client
            .post(format!(
                "{}/api/id-card/application/confirm-appointment",
                karim.base
            ))
            .form(&[("id", &id)])
            .send()
            .await
            .unwrap();
        refused(&res);
        let (confirmed,): (Option<i64>,) = one(
            app,
            "SELECT confirmed_at FROM idcard_appointments WHERE application_id = $1",
            &id,
        )
        .await;
        assert!(confirmed.is_none());
        let to = b
            .post_form(
                "/api/id-card/application/confirm-appointment",
                &[("id", &id)],
            )
            .await;
        let page = format!("/id-card/applications/{id}/appointment");
        assert_eq!(to, format!("{page}?done=confirmed"));
        let shown = b.page(&to).await;
        assert!(
            shown.contains("You have confirmed that you will come"),
            "{shown}"
        );
    }
);

on_both_backends!(
    an_sms_reply_confirms_or_cancels_and_a_forged_or_replayed_one_does_nothing,
    |app: &TestApp| async move {
        use bawaba::{
            features::idcard::appointment::{reminders, replies},
            platform::gateway::signature,
        };
        let (b, id) = ready(app, &AMINA).await;
        let day = bookable_days(app).await.last().unwrap().iso();
        b.post_form(BOOK, &book_form(&id, "WAK", &day, "09:15"))
            .await;
        let starts_at = Slot::parse(&day, "09:15").unwrap().starts_at();
        let (mobile,): (String,) = one(
            app,
            "SELECT c.mobile FROM accounts c JOIN idcard_applications a ON a.account_id = c.id
             WHERE a.id = $1",
            &id,
        )
        .await;
        let secret =
            bawaba::platform::secrets::SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let key = replies::derived_key(&secret);
        let base = app.url("");
        let now = now_secs();
        let confirmed = || async {
            one::<(Option<i64>,)>(
                app,
                "SELECT confirmed_at FROM idcard_appointments
                 WHERE application_id = $1 AND ended_at IS NULL",
                &id,
            )
            .await
            .0
        };
        // Not reminded yet: a reply finds nothing to answer.
        assert_eq!(
            replies::simulate(&key, &base, &mobile, "1", now)
                .await
                .unwrap(),
            200
        );
        assert!(confirmed().await.is_none());
        let rules = rules(app).await;
        reminders::run(&app.db, &rules, "https://b.test", starts_at - 29 * 3600)
            .await
            .unwrap();

        // Forged (another key) and stale (an hour old): refused, nothing done.
        assert_eq!(
            replies::simulate(&[9; 32], &base, &mobile, "1", now)
                .await
                .unwrap(),
            401
        );
        assert_eq!(
            replies::simulate(&key, &base, &mobile, "1", now - 3600)
                .await
                .unwrap(),
            401
        );
        assert!(confirmed().await.is_none());

        // "١" (an Arabic phone's 1): confirmed, and told so by SMS.
        let body = serde_json::to_vec(&replies::Inbound {
            id: "provider-msg-1".into(),
            from: mobile.clone(),
            text: "١".into(),
        })
        .unwrap();
        let send = || {
            app.client
                .post(app.url(replies::PATH))
                .header(signature::HEADER, signature::sign(&key, now, &body))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
        };
        assert_eq!(send().await.unwrap().text().await.unwrap(), "Confirmed");
        assert!(confirmed().await.is_some());
        let (replies_sent,): (i64,) = one(
            app,
            "SELECT COUNT(*) FROM outbox WHERE template = 'idcard_appointment_reply_sms'
               AND recipient = $1",
            &mobile,
        )
        .await;
        assert_eq!(replies_sent, 1);
        // The same request again (a replay): nothing more.
        assert_eq!(send().await.unwrap().text().await.unwrap(), "Replayed");

        // Something else: not understood, nothing changed; then "2": cancelled, place free.
        assert_eq!(
            replies::simulate(&key, &base, &mobile, "maybe", now)
                .await
                .unwrap(),
            200
        );
        assert_eq!(live_count(app, &id).await, 1);
        assert_eq!(
            replies::simulate(&key, &base, &mobile, "2", now)
                .await
                .unwrap(),
            200
        );
        assert_eq!(live_count(app, &id).await, 0);
        assert_eq!(state_of(app, &id).await, "awaiting_appointment");
        let slot = Slot::parse(&day, "09:15").unwrap();
        assert_eq!(booked(app, "WAK", slot).await, 0);
        let (kinds,): (i64,) = one(
            app,
            "SELECT COUNT(*) FROM outbox WHERE template = 'idcard_appointment_reply_sms'
               AND recipient = $1",
            &mobile,
        )
        .await;
        assert_eq!(kinds, 3, "confirmed, not understood, cancelled");
    }
);

on_both_backends!(
    every_bad_slot_is_refused_with_its_reason_and_nothing_is_booked,
    |app: &TestApp| async move {
        let (b, id) = ready(app, &AMINA).await;
        let page = format!("/id-card/applications/{id}/appointment");
        let days = bookable_days(app).await;
        let (holiday, closed, good) = (days[2], days[3], days[4]);
        sqlx::query(
            "INSERT INTO public_holidays (country, date_or_monthday, name_en, name_ar, lunar)
             VALUES ('QA', $1, 'Test holiday', 'عطلة', 1)",
        )
        .bind(holiday.iso())
        .execute(app.db.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO centre_closures (centre_code, day, reason_en, reason_ar)
             VALUES ('DOH', $1, 'Inventory', 'جرد')",
        )
        .bind(closed.iso())
        .execute(app.db.pool())
        .await
        .unwrap();
        let friday = (1..=7)
            .map(|n| today().plus_days(n))
            .find(|d| d.weekday() == bawaba::domain::calendar::Weekday::Friday)
            .unwrap();
        let yesterday = today().plus_days(-1);
        let cases = [
            (friday.iso(), "DOH", "09:00", "weekend"),
            (holiday.iso(), "DOH", "09:00", "holiday"),
            (closed.iso(), "DOH", "09:00", "closed"),
            (yesterday.iso(), "DOH", "09:00", "past"),
            (good.iso(), "DOH", "13:55", "outside_hours"),
            (good.iso(), "DOH", "06:45", "outside_hours"),
            (good.iso(), "DOH", "07:10", "not_a_boundary"),
            (good.iso(), "DOH", "", "choose_time"),
            (good.iso(), "DOH", "9 o'clock", "not_a_slot"),
            (good.iso(), "XXX", "09:00", "unknown_centre"),
        ];
        for (day, centre, time, problem) in cases {
            let to = b.post_form(BOOK, &book_form(&id, centre, &day, time)).await;
            assert!(
                to.starts_with(&page) && to.contains(&format!("problem={problem}")),
                "{day} {time} at {centre}: {to}"
            );
            let shown = b.page(&to).await;
            assert!(shown.contains("error-summary"), "{to}: {shown}");
        }
        // The closed day and the holiday are shown in the calendar, not as links.
        let calendar = html(&b, &format!("{page}?centre=DOH")).await;
        assert!(!calendar.contains(&format!("day={}", holiday.iso())));
        assert!(!calendar.contains(&format!("day={}", closed.iso())));
        assert!(calendar.contains("Holiday") && calendar.contains("Closed"));
        assert_eq!(live_count(app, &id).await, 0);
        assert_eq!(state_of(app, &id).await, "awaiting_appointment");

        // Another account can neither book for this application nor cancel its appointment.
        let karim = signed_in(app, &KARIM).await;
        let res = karim
            .client
            .post(format!("{}{BOOK}", karim.base))
            .form(&book_form(&id, "DOH", &good.iso(), "09:00"))
            .send()
            .await
            .unwrap();
        refused(&res);
        assert!(karim.get(&page).await.status() == 404);
        assert_eq!(live_count(app, &id).await, 0);

        // A double submit at once: one appointment, one place.
        let day = good.iso();
        let form = book_form(&id, "DOH", &day, "08:00");
        let both =
            futures::future::join_all([b.post_form(BOOK, &form), b.post_form(BOOK, &form)]).await;
        assert!(both.iter().all(|to| to.starts_with(&page)), "{both:?}");
        assert_eq!(live_count(app, &id).await, 1);
        assert_eq!(
            booked(app, "DOH", Slot::parse(&day, "08:00").unwrap()).await,
            1
        );
        let res = karim
            .client
            .post(format!("{}{CANCEL}", karim.base))
            .form(&[("id", id.as_str())])
            .send()
            .await
            .unwrap();
        refused(&res);
        assert_eq!(live_count(app, &id).await, 1);

        // 23 hours before: neither moved nor cancelled online.
        let soon = now_secs() + 23 * 3600;
        app.execute(&format!(
            "INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ('DOH', {soon}, 1)"
        ))
        .await;
        app.execute(&format!(
            "UPDATE idcard_appointments SET starts_at = {soon} WHERE application_id = '{id}'"
        ))
        .await;
        let to = b
            .post_form(BOOK, &book_form(&id, "DOH", &day, "10:00"))
            .await;
        assert!(to.contains("problem=too_late"), "{to}");
        let to = b.post_form(CANCEL, &[("id", id.as_str())]).await;
        assert!(to.contains("problem=too_late"), "{to}");
        let shown = b.page(&page).await;
        assert!(
            shown.contains("can no longer be changed or cancelled online"),
            "{shown}"
        );
        assert_eq!(live_count(app, &id).await, 1);
        assert_eq!(state_of(app, &id).await, "appointment_booked");
    }
);

on_both_backends!(
    a_slot_that_has_just_filled_offers_the_nearest_free_times,
    |app: &TestApp| async move {
        let (b, id) = ready(app, &AMINA).await;
        let day = *bookable_days(app).await.last().unwrap();
        let slot = Slot::parse(&day.iso(), "09:00").unwrap();
        // Al Shamal has one counter; someone else took 09:00 while the page was open.
        app.execute(&format!(
            "INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ('SHM', {}, 1)",
            slot.starts_at()
        ))
        .await;
        let to = b
            .post_form(BOOK, &book_form(&id, "SHM", &day.iso(), "09:00"))
            .await;
        assert!(
            to.contains("problem=full") && to.contains("time=09:00"),
            "{to}"
        );
        let shown = html(&b, &to).await;
        assert!(shown.contains("has just been taken"), "{shown}");
        assert!(shown.contains("The nearest free times"));
        for near in ["08:45", "09:15"] {
            assert!(
                shown.contains(&format!("name=\"time\" value=\"{near}\"")),
                "{near}: {shown}"
            );
        }
        // The full time is listed, marked full and not choosable.
        assert!(shown.contains("value=\"09:00\" disabled"), "{shown}");
        assert_eq!(live_count(app, &id).await, 0);
        // One of the offers, taken with one press.
        let to = b
            .post_form(BOOK, &book_form(&id, "SHM", &day.iso(), "09:15"))
            .await;
        assert!(to.ends_with("done=booked"), "{to}");
    }
);

on_both_backends!(
    fifty_people_racing_for_the_last_place_of_a_slot_one_wins,
    |app: &TestApp| async move {
        let people = applicants(app, 50).await;
        let day = *bookable_days(app).await.last().unwrap();
        let slot = Slot::parse(&day.iso(), "10:00").unwrap();
        // Al Rayyan has five counters; four places of the slot are taken.
        app.execute(&format!(
            "INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ('RAY', {}, 4)",
            slot.starts_at()
        ))
        .await;
        // The server's own secret: it opens the key the slips are signed with.
        let secret =
            bawaba::platform::secrets::SecretKey::load_or_create(None, &app.data_dir).unwrap();
        let keys = bawaba::platform::signing::Keyring::new(secret);
        let issuer = store::Issuer {
            public_url: "https://bawaba.test",
            keys: &keys,
        };
        let outcomes = futures::future::join_all(people.iter().map(|(account, application)| {
            store::book(
                &app.db,
                account,
                application,
                "RAY",
                slot,
                &issuer,
                now_secs(),
            )
        }))
        .await;
        let mut won = 0;
        let mut full = 0;
        for outcome in outcomes {
            match outcome.unwrap() {
                Some(Outcome::Done(_)) => won += 1,
                Some(Outcome::Full) => full += 1,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((won, full), (1, 49));
        assert_eq!(booked(app, "RAY", slot).await, 5);
        let (booked_apps,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM idcard_applications WHERE state = 'appointment_booked'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(booked_apps, 1);
        let (appointments,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM idcard_appointments WHERE centre_code = 'RAY' AND starts_at = $1",
        )
        .bind(slot.starts_at())
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(appointments, 1);
        // The losers' notifications were rolled back with their bookings: one e-mail queued.
        let (queued,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE template = 'idcard_status'")
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(queued, 1);
    }
);

/// A real provider gives its own signing key (`BAWABA_SMS_INBOUND_KEY`): replies signed with it
/// are taken, and the key derived from the server's secret no longer opens the webhook.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configured_provider_key_replaces_the_derived_one() {
    use bawaba::features::idcard::appointment::replies;
    let provider = "the provider's own key, 40 characters...";
    let app = crate::support::app::spawn_app_with(
        crate::support::app::Backend::Sqlite,
        &[("BAWABA_SMS_INBOUND_KEY", provider.to_string())],
    )
    .await
    .unwrap();
    let secret = bawaba::platform::secrets::SecretKey::load_or_create(None, &app.data_dir).unwrap();
    let base = app.url("");
    let now = now_secs();
    let status = |key: Vec<u8>| {
        let base = base.clone();
        async move {
            replies::simulate(&key, &base, "+97455123456", "1", now)
                .await
                .unwrap()
        }
    };
    assert_eq!(status(provider.as_bytes().to_vec()).await, 200);
    assert_eq!(status(replies::derived_key(&secret).to_vec()).await, 401);
    app.cleanup().await;
}
