//! The documents of applications in the database, their files in the file store.

use super::process::Processed;
use crate::{
    domain::idcard::documents::{DocumentKind, QualityRules},
    platform::{
        db::{Db, DbError},
        files::{FileError, Files},
    },
};

/// The upload limits (data).
#[derive(Clone, Copy, Debug)]
pub struct UploadLimits {
    pub max_file_bytes: usize,
    pub max_image_pixels: u64,
}

/// The pre-check's thresholds and the upload limits (`idcard_document_rules`).
pub async fn rules(db: &Db) -> Result<(QualityRules, UploadLimits), DbError> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, value FROM idcard_document_rules")
        .fetch_all(db.pool())
        .await?;
    let get = |name: &str| {
        rows.iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| u32::try_from(*v).ok())
            .ok_or_else(|| {
                DbError::Sqlx(sqlx::Error::Decode(
                    format!("idcard_document_rules: {name} is missing or out of range").into(),
                ))
            })
    };
    let rules = QualityRules {
        document_min_short_side: get("document_min_short_side")?,
        photo_min_width: get("photo_min_width")?,
        photo_min_height: get("photo_min_height")?,
        photo_aspect_milli: get("photo_aspect_milli")?,
        photo_aspect_tolerance_milli: get("photo_aspect_tolerance_milli")?,
        min_mean_luminance: get("min_mean_luminance")?,
        max_mean_luminance: get("max_mean_luminance")?,
        min_sharpness: get("min_sharpness")?,
        max_pdf_pages: get("max_pdf_pages")?,
    };
    let limits = UploadLimits {
        max_file_bytes: get("max_file_bytes")? as usize,
        max_image_pixels: u64::from(get("max_image_pixels")?),
    };
    Ok((rules, limits))
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DocumentRecord {
    pub id: String,
    pub kind: String,
    pub storage_key: String,
    pub file_type: String,
    pub bytes: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub pages: Option<i64>,
    pub problems: String,
    pub uploaded_at: i64,
}

const COLUMNS: &str =
    "id, kind, storage_key, file_type, bytes, width, height, pages, problems, uploaded_at";

/// The documents of application `id` (owner checked by the caller), oldest first.
pub async fn documents(db: &Db, application: &str) -> Result<Vec<DocumentRecord>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_documents WHERE application_id = $1
         ORDER BY uploaded_at, id"
    ))
    .bind(application)
    .fetch_all(db.pool())
    .await?)
}

pub async fn count(db: &Db, application: &str, kind: DocumentKind) -> Result<usize, DbError> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM idcard_documents WHERE application_id = $1 AND kind = $2",
    )
    .bind(application)
    .bind(kind.code())
    .fetch_one(db.pool())
    .await?;
    Ok(n as usize)
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    File(#[from] FileError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e.into())
    }
}

/// Keeps a processed file: the file first (under a random key), then its row; a row that
/// cannot be written takes its file away again, so no file is kept without its row. `None`
/// when the application was submitted meanwhile.
pub async fn add(
    db: &Db,
    files: &Files,
    application: &str,
    kind: DocumentKind,
    file: Processed,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    let token: [u8; 16] = rand::random();
    let key = format!(
        "idcard/{application}/{}.{}",
        hex::encode(token),
        file.file_type.extension()
    );
    let size = file.bytes.len() as i64;
    files.put(&key, file.bytes).await?;
    let problems: Vec<&str> = file.problems.iter().map(|p| p.code()).collect();
    let kept = async {
        let mut tx = db.begin_write().await?;
        // Submitted meanwhile: the documents are frozen with the answers.
        if !crate::features::idcard::store::lock_open(&mut tx, application, now).await? {
            return Ok::<_, DbError>(false);
        }
        sqlx::query(
            "INSERT INTO idcard_documents
           (id, application_id, kind, storage_key, file_type, bytes, width, height, pages,
            problems, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&id)
        .bind(application)
        .bind(kind.code())
        .bind(&key)
        .bind(file.file_type.mime())
        .bind(size)
        .bind(file.width.map(i64::from))
        .bind(file.height.map(i64::from))
        .bind(file.pages.map(i64::from))
        .bind(problems.join(","))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }
    .await;
    match kept {
        Ok(true) => Ok(Some(id)),
        not_kept => {
            if let Err(gone) = files.delete(&key).await {
                tracing::error!(error = %gone, key, "could not remove a file whose row failed");
            }
            not_kept.map(|_| None).map_err(Into::into)
        }
    }
}

/// One document of the application, if it is one of its.
pub async fn document(
    db: &Db,
    application: &str,
    id: &str,
) -> Result<Option<DocumentRecord>, DbError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM idcard_documents WHERE id = $1 AND application_id = $2"
    ))
    .bind(id)
    .bind(application)
    .fetch_optional(db.pool())
    .await?)
}

/// Removes a document of the application: its row, then its file. `false` when it was not
/// one of the application's, or the application was submitted meanwhile.
pub async fn remove(
    db: &Db,
    files: &Files,
    application: &str,
    id: &str,
    now: i64,
) -> Result<bool, StoreError> {
    let Some(doc) = document(db, application, id).await? else {
        return Ok(false);
    };
    let mut tx = db.begin_write().await?;
    if !crate::features::idcard::store::lock_open(&mut tx, application, now).await? {
        return Ok(false);
    }
    sqlx::query("DELETE FROM idcard_documents WHERE id = $1 AND application_id = $2")
        .bind(id)
        .bind(application)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    files.delete(&doc.storage_key).await?;
    Ok(true)
}
