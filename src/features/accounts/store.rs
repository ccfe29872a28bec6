//! Accounts in the database (SQL for both backends).

use super::{Country, Role};
use crate::{
    domain::{
        contact::{Email, Mobile},
        date::Date,
        identity::IdentityNumber,
    },
    i18n::Locale,
    platform::db::{Db, DbError, OnUnique, WriteTx},
};
use sqlx::Any;

/// What registration hands to the store; every field already validated and normalised.
pub struct NewAccount {
    pub full_name: String,
    pub identity: IdentityNumber,
    pub date_of_birth: Date,
    pub nationality: u16,
    pub email: Email,
    pub mobile: Mobile,
    pub password_hash: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account already has this identity number")]
    IdentityTaken,
    #[error("an account already has this e-mail address")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        CreateError::Db(e.into())
    }
}

/// Inserts the account and returns its id. The unique indexes decide between two registrations
/// racing for the same number or address; the loser learns which one it lost on.
pub async fn create(db: &Db, new: &NewAccount, now: i64) -> Result<String, CreateError> {
    let mut tx = db.begin_write().await?;
    let id = insert(&mut tx, new, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// `create` inside the caller's transaction, so that what comes with a new account (its
/// verification code, the e-mail carrying it) exists if and only if the account does. On a
/// duplicate the transaction is rolled back and the caller gets which field was taken.
pub async fn insert(tx: &mut WriteTx, new: &NewAccount, now: i64) -> Result<String, CreateError> {
    let id = uuid::Uuid::new_v4().to_string();
    // A savepoint, so that after a refused insert the transaction can still ask which index
    // refused it (PostgreSQL refuses every statement after a failed one otherwise), on the
    // connection that holds the write lock (on SQLite another one would wait for it).
    let mut savepoint = sqlx::Connection::begin(&mut **tx).await?;
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, full_name, identity_kind, identity_number, date_of_birth, \
         nationality, email, mobile, password_hash, role, email_verified_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, $11, $11)",
    )
    .bind(&id)
    .bind(&new.full_name)
    .bind(new.identity.kind().code())
    .bind(new.identity.as_str())
    .bind(new.date_of_birth.iso())
    .bind(i64::from(new.nationality))
    .bind(new.email.as_str())
    .bind(new.mobile.as_str())
    .bind(&new.password_hash)
    .bind(new.role.code())
    .bind(now)
    .execute(&mut *savepoint)
    .await;
    match inserted.on_unique()? {
        Some(_) => {
            savepoint.commit().await?;
            Ok(id)
        }
        None => {
            savepoint.rollback().await?;
            Err(which_is_taken(tx, new).await?)
        }
    }
}

async fn which_is_taken(
    conn: &mut sqlx::AnyConnection,
    new: &NewAccount,
) -> Result<CreateError, CreateError> {
    let (identity,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM accounts WHERE identity_kind = $1 AND identity_number = $2",
    )
    .bind(new.identity.kind().code())
    .bind(new.identity.as_str())
    .fetch_one(&mut *conn)
    .await?;
    Ok(if identity > 0 {
        CreateError::IdentityTaken
    } else {
        CreateError::EmailTaken
    })
}

/// The id of the account registered with this e-mail address, if any.
pub async fn id_by_email(db: &Db, email: &Email) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM accounts WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Who may be signing in with `identifier` (an e-mail address, or an identity number of any
/// kind): (account id, password hash). Normally one; an identity number could in theory match
/// numbers of two kinds, and the password then tells them apart.
pub async fn sign_in_candidates(
    db: &Db,
    identifier: &str,
) -> Result<Vec<(String, String)>, DbError> {
    let rows = if let Ok(email) = Email::parse(identifier)
        && identifier.contains('@')
    {
        sqlx::query_as("SELECT id, password_hash FROM accounts WHERE email = $1")
            .bind(email.as_str().to_string())
            .fetch_all(db.pool())
            .await?
    } else {
        let number: String = crate::domain::digits::normalise_digits(identifier)
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_uppercase();
        sqlx::query_as("SELECT id, password_hash FROM accounts WHERE identity_number = $1 LIMIT 3")
            .bind(number)
            .fetch_all(db.pool())
            .await?
    };
    Ok(rows)
}

/// An account as its holder sees it on the profile page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub full_name: String,
    pub identity_kind: String,
    pub identity_number: String,
    pub date_of_birth: String,
    pub nationality: i64,
    pub email: String,
    pub mobile: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
}

/// The account's e-mail address (in a transaction or on the pool), `None` for no such account.
pub async fn email_of<'e>(
    conn: impl sqlx::Executor<'e, Database = Any>,
    id: &str,
) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|(email,)| email))
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<AccountRow>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, full_name, identity_kind, identity_number, date_of_birth, nationality, email, \
         mobile, role, email_verified_at, created_at FROM accounts WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?)
}

/// What a staff check needs to know of an account: its role, whether its second sign-in step
/// is set up and confirmed, and whether its e-mail address is confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub role: Role,
    pub second_step: bool,
    pub address_confirmed: bool,
}

pub async fn standing(db: &Db, id: &str) -> Result<Option<Standing>, DbError> {
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT a.role, f.confirmed_at, a.email_verified_at FROM accounts a \
         LEFT JOIN second_factors f ON f.account_id = a.id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.map(|(role, step, address)| {
        Ok(Standing {
            role: Role::from_code(&role).ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("unexpected value {role:?} in accounts.role").into(),
                ))
            })?,
            second_step: step.is_some(),
            address_confirmed: address.is_some(),
        })
    })
    .transpose()
}

/// Something that happened to an account, for its activity page.
pub async fn record_event(
    db: &Db,
    account_id: &str,
    kind: &str,
    user_agent: Option<&str>,
    ip: Option<&str>,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO account_events (id, account_id, kind, at, user_agent, ip) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(account_id)
    .bind(kind)
    .bind(now)
    .bind(user_agent.map(|ua| ua.chars().take(200).collect::<String>()))
    .bind(ip)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The account registered with this identity number: (id, e-mail).
pub async fn by_identity(
    db: &Db,
    identity: &IdentityNumber,
) -> Result<Option<(String, String)>, DbError> {
    Ok(sqlx::query_as(
        "SELECT id, email FROM accounts WHERE identity_kind = $1 AND identity_number = $2",
    )
    .bind(identity.kind().code())
    .bind(identity.as_str())
    .fetch_optional(db.pool())
    .await?)
}

/// The account's password hash (argon2id PHC string), for asking the password again.
pub async fn password_hash(db: &Db, id: &str) -> Result<Option<String>, DbError> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|(h,)| h))
}

/// Turns an account's vignette reminders on or off (its notification settings; the
/// vignette's reminder job reads them).
pub async fn set_reminders(db: &Db, account_id: &str, on: bool) -> Result<(), DbError> {
    sqlx::query("UPDATE accounts SET vignette_reminders = $2 WHERE id = $1")
        .bind(account_id)
        .bind(i64::from(on))
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Every nationality, Algeria and Qatar first (most users), then by name in `locale`.
pub async fn countries(db: &Db, locale: Locale) -> Result<Vec<Country>, DbError> {
    let column = match locale {
        Locale::ar => "name_ar",
        Locale::fr => "name_fr",
        Locale::en => "name_en",
    };
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT iso_numeric, {column} FROM countries ORDER BY {column}"
    ))
    .fetch_all(db.pool())
    .await?;
    let mut countries: Vec<Country> = rows
        .into_iter()
        .map(|(code, name)| Country {
            code: code as u16,
            name,
        })
        .collect();
    countries.sort_by_key(|c| match c.code {
        12 => 0,
        634 => 1,
        _ => 2,
    });
    Ok(countries)
}

pub async fn known_countries(db: &Db) -> Result<Vec<u16>, DbError> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT iso_numeric FROM countries")
        .fetch_all(db.pool())
        .await?;
    Ok(rows.into_iter().map(|(c,)| c as u16).collect())
}
