//! The waiting list in the database. A freed place for which someone waits is not given back
//! to everyone: it moves from `booked` to `held` and a row of `waitlist_places` queues it, in
//! the transaction that frees it. The job (`worker`) offers each queued place once; the offer
//! keeps it held until it is accepted (held → booked), or declined or lapsed (queued again
//! for the next person), or nobody is left to offer it to (held → free).

use super::super::store::{self as appointments, AppointmentRecord, Issuer, Outcome};
use crate::{
    domain::{
        date::Date,
        idcard::{
            application::{Event, State},
            slots::Slot,
            waitlist::Range,
        },
    },
    platform::db::{Db, DbError, OnUnique},
};

/// A place in the queue.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Entry {
    pub id: String,
    pub application_id: String,
    pub centre_code: String,
    pub first_day: String,
    pub last_day: String,
    pub created_at: i64,
}

impl Entry {
    pub fn range(&self) -> Option<Range> {
        Some(Range {
            first: Date::parse_iso(&self.first_day)?,
            last: Date::parse_iso(&self.last_day)?,
        })
    }
}

/// A place offered to someone waiting, held for them until `expires_at`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Offer {
    pub id: String,
    pub entry_id: String,
    pub centre_code: String,
    pub starts_at: i64,
    pub offered_at: i64,
    pub expires_at: i64,
}

/// Waiting entries whose range holds `day` at `centre`, for applications still awaiting an
/// appointment; the first comes first.
const WAITING_FOR_DAY: &str = "FROM appointment_waitlist w
     JOIN idcard_applications a ON a.id = w.application_id
     WHERE w.centre_code = $1 AND w.ended_at IS NULL AND w.first_day <= $2 AND w.last_day >= $2
       AND a.state = 'awaiting_appointment'";

/// The application's place in the queue and the offer it holds, if any.
pub async fn live(
    conn: &mut sqlx::AnyConnection,
    application: &str,
) -> Result<Option<(Entry, Option<Offer>)>, DbError> {
    let entry: Option<Entry> = sqlx::query_as(
        "SELECT id, application_id, centre_code, first_day, last_day, created_at
         FROM appointment_waitlist WHERE application_id = $1 AND ended_at IS NULL",
    )
    .bind(application)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(entry) = entry else {
        return Ok(None);
    };
    let offer = open_offer(conn, &entry.id).await?;
    Ok(Some((entry, offer)))
}

async fn open_offer(conn: &mut sqlx::AnyConnection, entry: &str) -> Result<Option<Offer>, DbError> {
    sqlx::query_as(
        "SELECT id, entry_id, centre_code, starts_at, offered_at, expires_at
         FROM waitlist_offers WHERE entry_id = $1 AND ended_at IS NULL",
    )
    .bind(entry)
    .fetch_optional(conn)
    .await
    .map_err(Into::into)
}

/// Queues a held place to be offered (to the next person waiting).
pub(super) async fn queue(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO waitlist_places (id, centre_code, starts_at, queued_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(centre)
    .bind(starts_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives a booked place back (a cancellation, a move): held and queued for the waiting list
/// when someone waits for its day, free for everyone otherwise. Part of the freeing
/// transaction, so a freed place is never lost between the two.
pub(in crate::features::idcard::appointment) async fn give_back(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
    now: i64,
) -> Result<(), DbError> {
    let day = Slot::from_starts_at(starts_at).date.iso();
    let waiting: Option<(String,)> =
        sqlx::query_as(&format!("SELECT w.id {WAITING_FOR_DAY} LIMIT 1"))
            .bind(centre)
            .bind(&day)
            .fetch_optional(&mut *conn)
            .await?;
    let statement = if waiting.is_some() {
        "UPDATE appointment_slots SET booked = booked - 1, held = held + 1
         WHERE centre_code = $1 AND starts_at = $2 AND booked > 0"
    } else {
        "UPDATE appointment_slots SET booked = booked - 1
         WHERE centre_code = $1 AND starts_at = $2 AND booked > 0"
    };
    let moved = sqlx::query(statement)
        .bind(centre)
        .bind(starts_at)
        .execute(&mut *conn)
        .await?;
    if waiting.is_some() && moved.rows_affected() == 1 {
        queue(conn, centre, starts_at, now).await?;
    }
    Ok(())
}

/// Ends the application's place in the queue (`how`: booked, left); an offer it held goes to
/// the next person. `false`: it was not waiting.
pub(in crate::features::idcard::appointment) async fn end_entry(
    conn: &mut sqlx::AnyConnection,
    application: &str,
    how: &str,
    now: i64,
) -> Result<bool, DbError> {
    let Some((entry, offer)) = live(conn, application).await? else {
        return Ok(false);
    };
    if let Some(offer) = offer {
        close_offer(conn, &offer, "withdrawn", now).await?;
    }
    sqlx::query(
        "UPDATE appointment_waitlist SET ended_at = $2, ended_how = $3
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(&entry.id)
    .bind(now)
    .bind(how)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Closes an open offer that was not accepted (`how`: declined, expired, withdrawn) and queues
/// its place again, still held, for the next person. `false`: another request or server closed
/// it first (the claim is the UPDATE's condition), and nothing is queued twice.
pub(super) async fn close_offer(
    conn: &mut sqlx::AnyConnection,
    offer: &Offer,
    how: &str,
    now: i64,
) -> Result<bool, DbError> {
    let closed = sqlx::query(
        "UPDATE waitlist_offers SET ended_at = $2, ended_how = $3
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(&offer.id)
    .bind(now)
    .bind(how)
    .execute(&mut *conn)
    .await?;
    if closed.rows_affected() != 1 {
        return Ok(false);
    }
    queue(conn, &offer.centre_code, offer.starts_at, now).await?;
    Ok(true)
}

/// What joining the queue came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Joined {
    Waiting,
    /// Not awaiting an appointment (booked already, not yet paid, closed).
    NotNow,
}

/// Puts the account's application in the queue for `centre` and `range` (`None`: not their
/// application). Waiting again replaces the earlier range, and its place in the queue: the
/// order is the order of asking.
pub async fn join(
    db: &Db,
    account: &str,
    application: &str,
    centre: &str,
    range: Range,
    now: i64,
) -> Result<Option<Joined>, DbError> {
    let mut tx = db.begin_write().await?;
    if !appointments::lock_owned(&mut tx, account, application, now).await? {
        return Ok(None);
    }
    if appointments::current_state(&mut tx, application).await? != State::AwaitingAppointment {
        return Ok(Some(Joined::NotNow));
    }
    end_entry(&mut tx, application, "left", now).await?;
    sqlx::query(
        "INSERT INTO appointment_waitlist (id, application_id, centre_code, first_day, last_day,
           created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(application)
    .bind(centre)
    .bind(range.first.iso())
    .bind(range.last.iso())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Joined::Waiting))
}

/// Takes the account's application off the queue (`None`: not theirs; `Some(false)`: it was
/// not waiting).
pub async fn leave(
    db: &Db,
    account: &str,
    application: &str,
    now: i64,
) -> Result<Option<bool>, DbError> {
    let mut tx = db.begin_write().await?;
    if !appointments::lock_owned(&mut tx, account, application, now).await? {
        return Ok(None);
    }
    let left = end_entry(&mut tx, application, "left", now).await?;
    tx.commit().await?;
    Ok(Some(left))
}

/// "Not this time": the offered place goes to the next person; the applicant keeps waiting
/// (and is not offered that place again). `Some(false)`: no offer was open.
pub async fn decline(
    db: &Db,
    account: &str,
    application: &str,
    now: i64,
) -> Result<Option<bool>, DbError> {
    let mut tx = db.begin_write().await?;
    if !appointments::lock_owned(&mut tx, account, application, now).await? {
        return Ok(None);
    }
    let Some((_, Some(offer))) = live(&mut tx, application).await? else {
        return Ok(Some(false));
    };
    let declined = close_offer(&mut tx, &offer, "declined", now).await?;
    tx.commit().await?;
    Ok(Some(declined))
}

/// Accepts the offer the application holds: its held place becomes the appointment, in one
/// transaction with the application's state, its slip and its notification. A lapsed offer
/// is passed on here if the job has not done it yet.
pub async fn accept(
    db: &Db,
    account: &str,
    application: &str,
    issuer: &Issuer<'_>,
    now: i64,
) -> Result<Option<Outcome>, DbError> {
    let mut tx = db.begin_write().await?;
    if !appointments::lock_owned(&mut tx, account, application, now).await? {
        return Ok(None);
    }
    let Some((entry, Some(offer))) = live(&mut tx, application).await? else {
        return Ok(Some(Outcome::NoAppointment));
    };
    if offer.expires_at <= now {
        close_offer(&mut tx, &offer, "expired", now).await?;
        tx.commit().await?;
        return Ok(Some(Outcome::Lapsed));
    }
    let state = appointments::current_state(&mut tx, application).await?;
    if let Err(not_now) = crate::domain::idcard::application::next(state, Event::AppointmentBooked)
    {
        return Ok(Some(Outcome::NotNow(not_now)));
    }
    let claimed = sqlx::query(
        "UPDATE waitlist_offers SET ended_at = $2, ended_how = 'accepted'
         WHERE id = $1 AND ended_at IS NULL AND expires_at > $2",
    )
    .bind(&offer.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let moved = sqlx::query(
        "UPDATE appointment_slots SET held = held - 1, booked = booked + 1
         WHERE centre_code = $1 AND starts_at = $2 AND held > 0",
    )
    .bind(&offer.centre_code)
    .bind(offer.starts_at)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 || moved.rows_affected() != 1 {
        return Ok(Some(Outcome::NoAppointment));
    }
    let Some(record): Option<AppointmentRecord> = appointments::insert(
        &mut tx,
        application,
        &offer.centre_code,
        offer.starts_at,
        issuer.keys,
        now,
    )
    .await?
    else {
        return Ok(Some(Outcome::NoAppointment));
    };
    sqlx::query(
        "UPDATE appointment_waitlist SET ended_at = $2, ended_how = 'booked'
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(&entry.id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    appointments::finish(
        tx,
        application,
        Event::AppointmentBooked,
        record,
        None,
        issuer.public_url,
        now,
    )
    .await
}

/// The first person waiting for `starts_at`'s day at `centre` who holds no offer and has not
/// let this place go before: (entry, application). People are served in the order they asked,
/// to the second (two who asked in the same second are ordered by their entry's id).
pub(super) async fn first_waiting(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
) -> Result<Option<(String, String)>, DbError> {
    let day = Slot::from_starts_at(starts_at).date.iso();
    sqlx::query_as(&format!(
        "SELECT w.id, w.application_id {WAITING_FOR_DAY}
           AND NOT EXISTS (SELECT 1 FROM waitlist_offers o
                           WHERE o.entry_id = w.id AND (o.ended_at IS NULL OR o.starts_at = $3))
         ORDER BY w.created_at, w.id LIMIT 1"
    ))
    .bind(centre)
    .bind(&day)
    .bind(starts_at)
    .fetch_optional(conn)
    .await
    .map_err(Into::into)
}

/// Records the offer of a queued place to an entry (`None`: that entry got another offer
/// first, which only another server's job can have done).
pub(super) async fn insert_offer(
    conn: &mut sqlx::AnyConnection,
    entry: &str,
    place: &str,
    centre: &str,
    starts_at: i64,
    expires_at: i64,
    now: i64,
) -> Result<Option<()>, DbError> {
    let inserted = sqlx::query(
        "INSERT INTO waitlist_offers (id, entry_id, place_id, centre_code, starts_at, offered_at,
           expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(entry)
    .bind(place)
    .bind(centre)
    .bind(starts_at)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await
    .on_unique()?;
    Ok(inserted.map(|_| ()))
}

/// Lets a held place go to everyone (nobody waits for it, or it can no longer be booked).
pub(super) async fn release(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE appointment_slots SET held = held - 1
         WHERE centre_code = $1 AND starts_at = $2 AND held > 0",
    )
    .bind(centre)
    .bind(starts_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Holds one free place of a slot for the waiting list and queues it (`false`: it was taken
/// meanwhile). The same conditional UPDATE as a booking, so a slot never passes its counters.
pub(super) async fn hold_free(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
    now: i64,
) -> Result<bool, DbError> {
    appointments::slot_row(conn, centre, starts_at).await?;
    let held = sqlx::query(
        "UPDATE appointment_slots SET held = held + 1
         WHERE centre_code = $1 AND starts_at = $2
           AND booked + held < (SELECT counters FROM service_centres WHERE code = $1)",
    )
    .bind(centre)
    .bind(starts_at)
    .execute(&mut *conn)
    .await?;
    if held.rows_affected() != 1 {
        return Ok(false);
    }
    queue(conn, centre, starts_at, now).await?;
    Ok(true)
}
