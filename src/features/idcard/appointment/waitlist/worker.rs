//! The waiting list's job, run by every app server every minute and right after a request
//! frees a place. Each step claims its rows with a conditional UPDATE in the transaction that
//! acts on them, so two servers running it at the same moment make each offer once:
//!
//! 1. lapsed offers are closed and their places queued again for the next person;
//! 2. entries whose days can no longer be booked end;
//! 3. places opened by a new counter, longer hours or a released hold are found, held and
//!    queued for the people waiting for their day;
//! 4. each queued place is offered to the first person waiting for its day (held for
//!    `waitlist_hold_minutes`), or let go to everyone when nobody waits for it.

use super::store::{self, Entry, Offer};
use crate::{
    domain::{
        date::Date,
        idcard::{
            slots::{self, Rules, Slot},
            waitlist,
        },
    },
    features::idcard::{appointment::store as appointments, notices, store as idcard_store},
    platform::db::{Db, DbError},
};
use std::collections::HashMap;

/// Rows handled per query: a busy moment's work goes in slices, each committed.
const BATCH: i64 = 100;

/// What one run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub lapsed: usize,
    pub expired: usize,
    pub found: usize,
    pub offered: usize,
    pub released: usize,
}

/// One run of the job at `now`.
pub async fn run(db: &Db, public_url: &str, now: i64) -> Result<Report, DbError> {
    let rules = Rules::from_terms(&idcard_store::terms(db).await?);
    let calendar = idcard_store::calendar(db).await?;
    let today = Slot::from_starts_at(now).date;
    let mut centres = Centres::default();
    let mut report = Report {
        lapsed: lapse(db, now).await?,
        ..Report::default()
    };
    let first_bookable = slots::window(today, &calendar, &rules).first().copied();
    if let Some(first) = first_bookable {
        report.expired = expire(db, first, now).await?;
    }
    report.found = find(db, &mut centres, &rules, &calendar, today, now).await?;
    let (offered, released) = offer(
        db,
        &mut centres,
        &Ctx {
            rules: &rules,
            calendar: &calendar,
            today,
            public_url,
        },
        now,
    )
    .await?;
    report.offered = offered;
    report.released = released;
    Ok(report)
}

/// Step 1: offers not answered in time pass on.
async fn lapse(db: &Db, now: i64) -> Result<usize, DbError> {
    let mut lapsed = 0;
    loop {
        let due: Vec<Offer> = sqlx::query_as(
            "SELECT id, entry_id, centre_code, starts_at, offered_at, expires_at
             FROM waitlist_offers WHERE ended_at IS NULL AND expires_at <= $1
             ORDER BY expires_at, id LIMIT $2",
        )
        .bind(now)
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        for offer in &due {
            let mut tx = db.begin_write().await?;
            if store::close_offer(&mut tx, offer, "expired", now).await? {
                tx.commit().await?;
                lapsed += 1;
            }
        }
        if (due.len() as i64) < BATCH {
            return Ok(lapsed);
        }
    }
}

/// Step 2: an entry whose last day is before the first bookable one ends (one holding an
/// offer ends once the offer is answered or lapses).
async fn expire(db: &Db, first_bookable: Date, now: i64) -> Result<usize, DbError> {
    let done = sqlx::query(
        "UPDATE appointment_waitlist SET ended_at = $1, ended_how = 'expired'
         WHERE ended_at IS NULL AND last_day < $2
           AND NOT EXISTS (SELECT 1 FROM waitlist_offers o
                           WHERE o.entry_id = appointment_waitlist.id AND o.ended_at IS NULL)",
    )
    .bind(now)
    .bind(first_bookable.iso())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() as usize)
}

/// The centres' records, read once per run.
#[derive(Default)]
struct Centres(HashMap<String, Option<appointments::CentreRecord>>);

impl Centres {
    async fn get(
        &mut self,
        db: &Db,
        code: &str,
        today: Date,
    ) -> Result<Option<appointments::CentreRecord>, DbError> {
        if let Some(found) = self.0.get(code) {
            return Ok(found.clone());
        }
        let found = appointments::centre(db, code, today).await?;
        self.0.insert(code.to_string(), found.clone());
        Ok(found)
    }
}

/// Step 3: free places in the days people wait for. A cancellation queues its place itself;
/// these are the places nobody freed: a counter added, hours extended, a closure lifted, or a
/// place let go because nobody waited for it then.
async fn find(
    db: &Db,
    centres: &mut Centres,
    rules: &Rules,
    calendar: &crate::domain::calendar::WorkingCalendar,
    today: Date,
    now: i64,
) -> Result<usize, DbError> {
    let waiting: Vec<Entry> = sqlx::query_as(
        "SELECT w.id, w.application_id, w.centre_code, w.first_day, w.last_day, w.created_at
         FROM appointment_waitlist w JOIN idcard_applications a ON a.id = w.application_id
         WHERE w.ended_at IS NULL AND a.state = 'awaiting_appointment'
           AND NOT EXISTS (SELECT 1 FROM waitlist_offers o
                           WHERE o.entry_id = w.id AND o.ended_at IS NULL)
         ORDER BY w.created_at, w.id LIMIT $1",
    )
    .bind(BATCH)
    .fetch_all(db.pool())
    .await?;
    let window = slots::window(today, calendar, rules);
    let (Some(first), Some(last)) = (window.first(), window.last()) else {
        return Ok(0);
    };
    let (from, to) = (
        Slot {
            date: *first,
            minute: 0,
        }
        .starts_at(),
        Slot {
            date: last.plus_days(1),
            minute: 0,
        }
        .starts_at(),
    );
    // Each centre's free places over the window, counted down as they are held.
    let mut free: HashMap<String, Vec<(Slot, u32)>> = HashMap::new();
    let mut found = 0;
    for entry in &waiting {
        let Some(range) = entry.range() else {
            continue;
        };
        if !free.contains_key(&entry.centre_code) {
            let Some(centre) = centres.get(db, &entry.centre_code, today).await? else {
                continue;
            };
            let taken: HashMap<i64, i64> = appointments::booked(db, &entry.centre_code, from, to)
                .await?
                .into_iter()
                .collect();
            let places = window
                .iter()
                .filter(|d| {
                    slots::day_problem(**d, &centre.centre, calendar, today, rules).is_none()
                })
                .flat_map(|&date| {
                    slots::day_slots(date, &centre.centre, rules, |minute| {
                        taken
                            .get(&Slot { date, minute }.starts_at())
                            .copied()
                            .unwrap_or(0)
                    })
                })
                .filter(|(_, n)| *n > 0)
                .collect();
            free.insert(entry.centre_code.clone(), places);
        }
        let Some(places) = free.get_mut(&entry.centre_code).filter(|p| !p.is_empty()) else {
            continue;
        };
        let declined: Vec<(i64,)> =
            sqlx::query_as("SELECT starts_at FROM waitlist_offers WHERE entry_id = $1")
                .bind(&entry.id)
                .fetch_all(db.pool())
                .await?;
        let declined: Vec<i64> = declined.into_iter().map(|(at,)| at).collect();
        let open: Vec<Slot> = places.iter().map(|(s, _)| *s).collect();
        let Some(slot) = waitlist::first_free(range, &open, &declined) else {
            continue;
        };
        let mut tx = db.begin_write().await?;
        if store::hold_free(&mut tx, &entry.centre_code, slot.starts_at(), now).await? {
            tx.commit().await?;
            found += 1;
        }
        // Held now, by this run or another: one place fewer here either way.
        if let Some(i) = places.iter().position(|(s, _)| *s == slot) {
            places[i].1 -= 1;
            if places[i].1 == 0 {
                places.remove(i);
            }
        }
    }
    Ok(found)
}

/// What offering a place needs to know.
struct Ctx<'a> {
    rules: &'a Rules,
    calendar: &'a crate::domain::calendar::WorkingCalendar,
    today: Date,
    public_url: &'a str,
}

/// Step 4: each queued place to the first person waiting for it; (offered, released).
async fn offer(
    db: &Db,
    centres: &mut Centres,
    ctx: &Ctx<'_>,
    now: i64,
) -> Result<(usize, usize), DbError> {
    let (mut offered, mut released) = (0, 0);
    loop {
        let queued: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, centre_code, starts_at FROM waitlist_places
             WHERE handled_at IS NULL ORDER BY queued_at, id LIMIT $1",
        )
        .bind(BATCH)
        .fetch_all(db.pool())
        .await?;
        for (place, centre, starts_at) in &queued {
            // Still bookable: a place the lead time has reached is let go, not offered.
            let bookable = match centres.get(db, centre, ctx.today).await? {
                Some(c) => slots::check(
                    Slot::from_starts_at(*starts_at),
                    &c.centre,
                    ctx.calendar,
                    ctx.today,
                    ctx.rules,
                )
                .is_ok(),
                None => false,
            };
            match offer_place(db, place, centre, *starts_at, bookable, ctx, now).await? {
                Some(true) => offered += 1,
                Some(false) => released += 1,
                None => {}
            }
        }
        if (queued.len() as i64) < BATCH {
            return Ok((offered, released));
        }
    }
}

/// Claims one queued place and offers it, or lets it go (`Some(true)`: offered; `Some(false)`:
/// let go; `None`: another server claimed it first).
async fn offer_place(
    db: &Db,
    place: &str,
    centre: &str,
    starts_at: i64,
    bookable: bool,
    ctx: &Ctx<'_>,
    now: i64,
) -> Result<Option<bool>, DbError> {
    // Two servers may pick the same first person for two places at once: the database lets
    // one offer through (one open offer per entry) and the other tries again, afresh.
    for _ in 0..3 {
        let mut tx = db.begin_write().await?;
        let claimed = sqlx::query(
            "UPDATE waitlist_places SET handled_at = $2 WHERE id = $1 AND handled_at IS NULL",
        )
        .bind(place)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(None);
        }
        let first = if bookable {
            store::first_waiting(&mut tx, centre, starts_at).await?
        } else {
            None
        };
        let Some((entry, application)) = first else {
            store::release(&mut tx, centre, starts_at).await?;
            tx.commit().await?;
            return Ok(Some(false));
        };
        let expires_at = waitlist::offer_expires(now, ctx.rules);
        if store::insert_offer(&mut tx, &entry, place, centre, starts_at, expires_at, now)
            .await?
            .is_none()
        {
            continue;
        }
        tell(
            &mut tx,
            &application,
            centre,
            starts_at,
            expires_at,
            ctx.public_url,
            now,
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(true));
    }
    Ok(None)
}

/// The offer's message, by e-mail or SMS as the account chooses, queued with the offer.
async fn tell(
    conn: &mut sqlx::AnyConnection,
    application: &str,
    centre: &str,
    starts_at: i64,
    expires_at: i64,
    public_url: &str,
    now: i64,
) -> Result<(), DbError> {
    #[derive(sqlx::FromRow)]
    struct Found {
        account_id: String,
        language: Option<String>,
        reference: String,
        centre_ar: String,
        centre_en: String,
    }
    let f: Found = sqlx::query_as(
        "SELECT a.account_id, a.language, a.reference, c.name_ar AS centre_ar,
           c.name_en AS centre_en
         FROM idcard_applications a, service_centres c WHERE a.id = $1 AND c.code = $2",
    )
    .bind(application)
    .bind(centre)
    .fetch_one(&mut *conn)
    .await?;
    let link = format!(
        "{}{}#offer",
        public_url.trim_end_matches('/'),
        super::super::appointment_path(application)
    );
    let params = serde_json::json!({
        "reference": f.reference,
        "starts_at": starts_at,
        "expires_at": expires_at,
        "centre_ar": f.centre_ar,
        "centre_en": f.centre_en,
        "link": link,
    });
    crate::features::accounts::notifications::enqueue_chosen(
        conn,
        &f.account_id,
        notices::OFFER,
        notices::OFFER_SMS,
        f.language.as_deref().unwrap_or("ar"),
        params,
        now,
    )
    .await
}

/// Runs the job once, now, in the background: after a request freed a place, so the person
/// waiting hears of it at once rather than at the next minute.
pub fn kick(state: &crate::platform::state::AppState) {
    let state = state.clone();
    tokio::spawn(async move {
        let now = crate::platform::session::now_secs();
        if let Err(e) = run(&state.db, &state.config.public_url, now).await {
            tracing::warn!(error = %e, "waiting list not handled this time");
        }
    });
}

/// The background loop every app server runs.
pub fn spawn(
    state: crate::platform::state::AppState,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::platform::housekeeping::repeat(every, move || {
        let state = state.clone();
        async move {
            let now = crate::platform::session::now_secs();
            match run(&state.db, &state.config.public_url, now).await {
                Ok(r) if r == Report::default() => {}
                Ok(r) => tracing::info!(
                    offered = r.offered,
                    lapsed = r.lapsed,
                    found = r.found,
                    released = r.released,
                    expired = r.expired,
                    "waiting list handled"
                ),
                Err(e) => tracing::warn!(error = %e, "waiting list not handled this time"),
            }
        }
    })
}
