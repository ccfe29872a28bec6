//! Accounts in the database (SQL for both backends).

use super::Role;
use crate::{
    domain::{
        contact::{Email, Mobile},
        date::Date,
        identity::IdentityNumber,
    },
    platform::db::{Db, DbError},
};

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
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin_write().await?;
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
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {
            tx.commit().await?;
            Ok(id)
        }
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            tx.rollback().await?;
            Err(which_is_taken(db, new).await?)
        }
        Err(e) => Err(e.into()),
    }
}

async fn which_is_taken(db: &Db, new: &NewAccount) -> Result<CreateError, CreateError> {
    let (identity,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM accounts WHERE identity_kind = $1 AND identity_number = $2",
    )
    .bind(new.identity.kind().code())
    .bind(new.identity.as_str())
    .fetch_one(db.pool())
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
