//! The sandbox's notification worker: posts each queued notification to the merchant, signed,
//! and tries again with growing pauses until the merchant answers 2xx (or the sandbox gives up,
//! and the merchant must ask). Every app server runs `CONCURRENT` of them, as a payment company
//! sends many notifications at once, each taking up to `BATCH` due notifications at a time; a
//! claim keeps two from posting the same notification.

use super::store;
use crate::platform::{db::Db, gateway::signature};
use std::{sync::Arc, time::Duration};
use tokio::task::JoinHandle;

/// Notification senders per app server. One sender capped the whole payment flow at the speed
/// of one notification after another (see docs/BENCHMARKS.md, payments).
pub const CONCURRENT: usize = 4;

/// Notifications one sender claims at a time (`store::claim_notifications`).
pub const BATCH: usize = 4;

/// Claims up to `limit` due notifications, posts them at once and records each outcome (those
/// accepted in one statement); how many were claimed (0: none was due).
pub async fn deliver_due(
    db: &Db,
    http: &reqwest::Client,
    secret: &[u8],
    now: i64,
    limit: usize,
) -> Result<usize, store::SandboxError> {
    let due = store::claim_notifications(db, now, limit).await?;
    let outcomes = futures::future::join_all(due.iter().map(|d| post(http, secret, d))).await;
    let now = crate::platform::session::now_secs();
    let delivered: Vec<&str> = due
        .iter()
        .zip(&outcomes)
        .filter(|(_, error)| error.is_none())
        .map(|(d, _)| d.id.as_str())
        .collect();
    store::notifications_delivered(db, &delivered, now).await?;
    for (d, error) in due.iter().zip(&outcomes) {
        if let Some(e) = error {
            tracing::warn!(notification = %d.id, attempts = d.attempts, error = %e, "sandbox notification not accepted");
            store::notification_failed(db, d, e, now).await?;
        }
    }
    Ok(due.len())
}

/// Posts one due notification; `Ok(false)` when none was due.
pub async fn deliver_one(
    db: &Db,
    http: &reqwest::Client,
    secret: &[u8],
    now: i64,
) -> Result<bool, store::SandboxError> {
    Ok(deliver_due(db, http, secret, now, 1).await? > 0)
}

/// Posts `due` to the merchant, signed; the error when it was not accepted (2xx).
async fn post(http: &reqwest::Client, secret: &[u8], due: &store::Due) -> Option<String> {
    let sent_at = crate::platform::session::now_secs();
    let outcome = http
        .post(&due.url)
        .header(
            signature::HEADER,
            signature::sign(secret, sent_at, due.body.as_bytes()),
        )
        .header("content-type", "application/json")
        .body(due.body.clone())
        .send()
        .await;
    match outcome {
        Ok(res) if res.status().is_success() => None,
        Ok(res) => Some(format!("HTTP {}", res.status())),
        Err(e) => Some(e.to_string()),
    }
}

pub fn spawn(db: Db, secret: Arc<[u8; 32]>, idle: Duration) -> JoinHandle<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("a client with a timeout builds");
    tokio::spawn(async move {
        loop {
            let now = crate::platform::session::now_secs();
            match deliver_due(&db, &http, &*secret, now, BATCH).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "sandbox notifier cannot reach its database"),
            }
            tokio::time::sleep(idle).await;
        }
    })
}
