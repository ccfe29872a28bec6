//! Appointments in the database (SQL for both backends). The slots themselves are computed
//! (`domain::idcard::slots`); here live only the count of each slot's bookings and the
//! appointments. A place is taken by one conditional UPDATE (`take_place`), so the database,
//! not a check-then-insert, keeps every slot within its centre's counters.

use crate::{
    domain::{
        date::Date,
        idcard::{
            application::{Event, NotNow, State},
            slots::{self, Centre, Hours},
        },
        reference::ServiceCentre,
    },
    features::idcard::store::apply_with,
    platform::{
        db::{Db, DbError, OnUnique},
        signing::{self, Keyring},
    },
};

/// What a change of appointment needs besides its facts: the address its notification links
/// to, and the keys its slip is signed with.
pub struct Issuer<'a> {
    pub public_url: &'a str,
    pub keys: &'a Keyring,
}

impl<'a> From<&'a crate::platform::state::AppState> for Issuer<'a> {
    fn from(state: &'a crate::platform::state::AppState) -> Self {
        Self {
            public_url: &state.config.public_url,
            keys: &state.keys,
        }
    }
}

/// A centre with what its slots are computed from.
#[derive(Clone, Debug)]
pub struct CentreRecord {
    pub info: ServiceCentre,
    pub centre: Centre,
}

/// The centre `code` with its closures from `from` on; `None` for an unknown code.
pub async fn centre(db: &Db, code: &str, from: Date) -> Result<Option<CentreRecord>, DbError> {
    let Some(info) = crate::features::idcard::store::centres(db)
        .await?
        .into_iter()
        .find(|c| c.code == code)
    else {
        return Ok(None);
    };
    let hours =
        Hours::parse(&info.opens, &info.closes, i64::from(info.counters)).ok_or_else(|| {
            DbError::Sqlx(sqlx::Error::Decode(
                format!("service_centres {code}: hours or counters make no sense").into(),
            ))
        })?;
    let closed: Vec<(String,)> = sqlx::query_as(
        "SELECT day FROM centre_closures WHERE centre_code = $1 AND day >= $2 ORDER BY day",
    )
    .bind(code)
    .bind(from.iso())
    .fetch_all(db.pool())
    .await?;
    let closed = closed
        .into_iter()
        .filter_map(|(day,)| Date::parse_iso(&day))
        .collect();
    Ok(Some(CentreRecord {
        info,
        centre: Centre { hours, closed },
    }))
}

/// Each taken slot of a centre between two moments (Unix seconds, `to` excluded), with how
/// many places are taken: booked, or held for the waiting list.
pub async fn booked(db: &Db, centre: &str, from: i64, to: i64) -> Result<Vec<(i64, i64)>, DbError> {
    sqlx::query_as(
        "SELECT starts_at, booked + held FROM appointment_slots
         WHERE centre_code = $1 AND starts_at >= $2 AND starts_at < $3 AND booked + held > 0",
    )
    .bind(centre)
    .bind(from)
    .bind(to)
    .fetch_all(db.pool())
    .await
    .map_err(Into::into)
}

/// An application's appointment.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AppointmentRecord {
    pub id: String,
    pub application_id: String,
    pub centre_code: String,
    pub starts_at: i64,
    pub created_at: i64,
    /// The applicant said they will come (the reminder's link, or an SMS reply).
    pub confirmed_at: Option<i64>,
}

/// The application's live appointment (at most one: the database's unique index).
pub async fn live<'e>(
    conn: impl sqlx::Executor<'e, Database = sqlx::Any>,
    application: &str,
) -> Result<Option<AppointmentRecord>, DbError> {
    sqlx::query_as(
        "SELECT id, application_id, centre_code, starts_at, created_at, confirmed_at
         FROM idcard_appointments WHERE application_id = $1 AND ended_at IS NULL",
    )
    .bind(application)
    .fetch_optional(conn)
    .await
    .map_err(Into::into)
}

/// What a booking, a rescheduling or a cancellation came to.
#[derive(Debug)]
pub enum Outcome {
    Done(AppointmentRecord),
    /// The slot's last place went to someone else first.
    Full,
    /// Not in this state (not yet paid or chosen, booked already, closed).
    NotNow(NotNow),
    /// Inside the cut-off: the appointment can no longer be changed online.
    TooLate,
    /// Nothing to change or cancel (or, for an offer from the waiting list, no offer open).
    NoAppointment,
    /// The offer from the waiting list lapsed before it was accepted; it has passed on.
    Lapsed,
}

/// Takes the account's application row for a change of its appointment (`false`: not theirs).
/// On PostgreSQL the row stays locked until the transaction ends, so two changes of one
/// application (a double click, two tabs) happen one after the other.
pub(super) async fn lock_owned(
    conn: &mut sqlx::AnyConnection,
    account: &str,
    id: &str,
    now: i64,
) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE idcard_applications SET updated_at = $3 WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(account)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One place of the slot, if one is left: the capacity check and the count's increase are one
/// statement, which the database applies to the row atomically. Places held for the waiting
/// list count as taken.
pub(super) async fn take_place(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
) -> Result<bool, DbError> {
    slot_row(conn, centre, starts_at).await?;
    let taken = sqlx::query(
        "UPDATE appointment_slots SET booked = booked + 1
         WHERE centre_code = $1 AND starts_at = $2
           AND booked + held < (SELECT counters FROM service_centres WHERE code = $1)",
    )
    .bind(centre)
    .bind(starts_at)
    .execute(&mut *conn)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// The slot's count row, made at its first booking (slots are computed; only their counts are
/// stored).
pub(super) async fn slot_row(
    conn: &mut sqlx::AnyConnection,
    centre: &str,
    starts_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO appointment_slots (centre_code, starts_at, booked) VALUES ($1, $2, 0)
         ON CONFLICT (centre_code, starts_at) DO NOTHING",
    )
    .bind(centre)
    .bind(starts_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the live appointment (`how`: cancelled, rescheduled) and gives its place back at once:
/// to the waiting list when someone waits for its day, to everyone otherwise.
async fn end(
    conn: &mut sqlx::AnyConnection,
    appointment: &AppointmentRecord,
    how: &str,
    now: i64,
) -> Result<bool, DbError> {
    let ended = sqlx::query(
        "UPDATE idcard_appointments SET ended_at = $2, ended_how = $3
         WHERE id = $1 AND ended_at IS NULL",
    )
    .bind(&appointment.id)
    .bind(now)
    .bind(how)
    .execute(&mut *conn)
    .await?;
    if ended.rows_affected() != 1 {
        return Ok(false);
    }
    super::waitlist::store::give_back(conn, &appointment.centre_code, appointment.starts_at, now)
        .await?;
    Ok(true)
}

/// A new live appointment, its slip sealed (`None`: the application has one already).
pub(super) async fn insert(
    conn: &mut sqlx::AnyConnection,
    application: &str,
    centre: &str,
    starts_at: i64,
    keys: &Keyring,
    now: i64,
) -> Result<Option<AppointmentRecord>, DbError> {
    use crate::domain::seal::Sealable as _;
    let record = AppointmentRecord {
        id: uuid::Uuid::new_v4().to_string(),
        application_id: application.to_string(),
        centre_code: centre.to_string(),
        starts_at,
        created_at: now,
        confirmed_at: None,
    };
    // The slip is signed with the key active in this transaction, its id read here.
    let (reference, active_key_id): (String, Option<String>) = sqlx::query_as(&format!(
        "SELECT reference, {} FROM idcard_applications WHERE id = $1",
        signing::ACTIVE_KEY_ID
    ))
    .bind(application)
    .fetch_one(&mut *conn)
    .await?;
    let signer = keys.active(conn, active_key_id.as_deref(), now).await?;
    let seal = crate::domain::idcard::slip::SlipSeal {
        reference,
        centre: centre.to_string(),
        starts_at,
        booked_at: now,
        key_id: signer.key_id.clone(),
    }
    .sign(&signer.key);
    let inserted = sqlx::query(
        "INSERT INTO idcard_appointments (id, application_id, centre_code, starts_at, created_at,
           seal)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&record.id)
    .bind(application)
    .bind(centre)
    .bind(starts_at)
    .bind(now)
    .bind(seal)
    .execute(conn)
    .await
    .on_unique()?;
    Ok(inserted.map(|_| record))
}

/// Books `slot` at `centre` for the account's application (`None`: not theirs). The slot
/// must have been checked against the rules (`slots::check`) by the caller; the application's
/// state and the slot's capacity are checked here, in one transaction with the state's change,
/// its timeline line and the notification.
pub async fn book(
    db: &Db,
    account: &str,
    application: &str,
    centre: &str,
    slot: slots::Slot,
    issuer: &Issuer<'_>,
    now: i64,
) -> Result<Option<Outcome>, DbError> {
    let mut tx = db.begin_write().await?;
    if !lock_owned(&mut tx, account, application, now).await? {
        return Ok(None);
    }
    let state = current_state(&mut tx, application).await?;
    if let Err(not_now) = crate::domain::idcard::application::next(state, Event::AppointmentBooked)
    {
        return Ok(Some(Outcome::NotNow(not_now)));
    }
    // The place is taken last (`finish`): the slot's row is the one every booker of that time
    // waits for, so its lock is held for the commit only, not for the seal and the notices.
    // The row itself must exist first (the appointment refers to it).
    slot_row(&mut tx, centre, slot.starts_at()).await?;
    let Some(record) = insert(
        &mut tx,
        application,
        centre,
        slot.starts_at(),
        issuer.keys,
        now,
    )
    .await?
    else {
        // A live appointment exists already (the state said otherwise only if another
        // request booked between the two reads, which the row lock rules out).
        return Ok(Some(Outcome::NotNow(NotNow {
            state,
            event: Event::AppointmentBooked,
        })));
    };
    // Booked without waiting: the application's place on the waiting list (and any offer it
    // holds) goes to the next person.
    super::waitlist::store::end_entry(&mut tx, application, "booked", now).await?;
    finish(
        tx,
        application,
        Event::AppointmentBooked,
        record,
        Some((centre, slot.starts_at())),
        issuer.public_url,
        now,
    )
    .await
}

/// Moves the account's appointment to `slot` at `centre`, up to the cut-off: the new place is
/// taken before the old one is given back, in one transaction, so the applicant never ends up
/// with neither.
#[allow(clippy::too_many_arguments)]
pub async fn reschedule(
    db: &Db,
    account: &str,
    application: &str,
    centre: &str,
    slot: slots::Slot,
    rules: &slots::Rules,
    issuer: &Issuer<'_>,
    now: i64,
) -> Result<Option<Outcome>, DbError> {
    let mut tx = db.begin_write().await?;
    let old = match changeable(&mut tx, account, application, rules, now).await? {
        None => return Ok(None),
        Some(Err(why)) => return Ok(Some(why)),
        Some(Ok(old)) => old,
    };
    if old.centre_code == centre && old.starts_at == slot.starts_at() {
        // The same slot again: nothing to move.
        return Ok(Some(Outcome::Done(old)));
    }
    if !take_place(&mut tx, centre, slot.starts_at()).await? {
        return Ok(Some(Outcome::Full));
    }
    if !end(&mut tx, &old, "rescheduled", now).await? {
        return Ok(Some(Outcome::NoAppointment));
    }
    let Some(record) = insert(
        &mut tx,
        application,
        centre,
        slot.starts_at(),
        issuer.keys,
        now,
    )
    .await?
    else {
        return Ok(Some(Outcome::NoAppointment));
    };
    finish(
        tx,
        application,
        Event::AppointmentRescheduled,
        record,
        None,
        issuer.public_url,
        now,
    )
    .await
}

/// Cancels the account's appointment, up to the cut-off: the place is free at once and the
/// application is back to awaiting an appointment.
pub async fn cancel(
    db: &Db,
    account: &str,
    application: &str,
    rules: &slots::Rules,
    public_url: &str,
    now: i64,
) -> Result<Option<Outcome>, DbError> {
    let mut tx = db.begin_write().await?;
    let old = match changeable(&mut tx, account, application, rules, now).await? {
        None => return Ok(None),
        Some(Err(why)) => return Ok(Some(why)),
        Some(Ok(old)) => old,
    };
    if !end(&mut tx, &old, "cancelled", now).await? {
        return Ok(Some(Outcome::NoAppointment));
    }
    finish(
        tx,
        application,
        Event::AppointmentCancelled,
        old,
        None,
        public_url,
        now,
    )
    .await
}

/// The applicant will come: the live appointment of the account's application is marked
/// confirmed (`None`: not their application; `Some(false)`: no live appointment).
pub async fn confirm(
    db: &Db,
    account: &str,
    application: &str,
    now: i64,
) -> Result<Option<bool>, DbError> {
    let owned: Option<(String,)> =
        sqlx::query_as("SELECT id FROM idcard_applications WHERE id = $1 AND account_id = $2")
            .bind(application)
            .bind(account)
            .fetch_optional(db.pool())
            .await?;
    if owned.is_none() {
        return Ok(None);
    }
    let live = sqlx::query(
        "UPDATE idcard_appointments SET confirmed_at = COALESCE(confirmed_at, $2)
         WHERE application_id = $1 AND ended_at IS NULL",
    )
    .bind(application)
    .bind(now)
    .execute(db.writer())
    .await?;
    Ok(Some(live.rows_affected() == 1))
}

/// The account's live appointment, if it can still be changed (`None`: not their
/// application), its application's row locked for the change.
async fn changeable(
    conn: &mut sqlx::AnyConnection,
    account: &str,
    application: &str,
    rules: &slots::Rules,
    now: i64,
) -> Result<Option<Result<AppointmentRecord, Outcome>>, DbError> {
    if !lock_owned(conn, account, application, now).await? {
        return Ok(None);
    }
    let Some(old) = live(&mut *conn, application).await? else {
        return Ok(Some(Err(Outcome::NoAppointment)));
    };
    if !slots::can_change(old.starts_at, now, rules) {
        return Ok(Some(Err(Outcome::TooLate)));
    }
    Ok(Some(Ok(old)))
}

/// The application's event (state, timeline, notification) and the commit that makes the
/// whole change visible at once; nothing is kept when the state machine refuses.
#[allow(clippy::too_many_arguments)]
pub(super) async fn finish(
    mut tx: crate::platform::db::WriteTx,
    application: &str,
    event: Event,
    record: AppointmentRecord,
    // A place still to take (a new booking): the last statement before the commit, and
    // nothing is kept if the slot is full by then.
    take: Option<(&str, i64)>,
    public_url: &str,
    now: i64,
) -> Result<Option<Outcome>, DbError> {
    // A new appointment's e-mail attaches its slip, made from this document at delivery.
    let mut extra = serde_json::Map::new();
    if matches!(
        event,
        Event::AppointmentBooked | Event::AppointmentRescheduled
    ) && let Some(slip) = super::slip::document(&mut tx, application, None).await?
    {
        extra.insert(
            "slip".into(),
            serde_json::to_value(slip).map_err(|e| DbError::Sqlx(sqlx::Error::Encode(e.into())))?,
        );
    }
    match apply_with(&mut tx, application, event, public_url, extra, now).await? {
        Ok(_) => {
            if let Some((centre, starts_at)) = take
                && !take_place(&mut tx, centre, starts_at).await?
            {
                return Ok(Some(Outcome::Full));
            }
            tx.commit().await?;
            Ok(Some(Outcome::Done(record)))
        }
        Err(not_now) => Ok(Some(Outcome::NotNow(not_now))),
    }
}

pub(super) async fn current_state(
    conn: &mut sqlx::AnyConnection,
    id: &str,
) -> Result<State, DbError> {
    let (code,): (String,) = sqlx::query_as("SELECT state FROM idcard_applications WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    State::parse(&code).ok_or_else(|| {
        DbError::Sqlx(sqlx::Error::Decode(
            format!("idcard application {id}: unknown state {code:?}").into(),
        ))
    })
}
