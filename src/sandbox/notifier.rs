//! The sandbox's notification worker: posts each queued notification to the merchant, signed,
//! and tries again with growing pauses until the merchant answers 2xx (or the sandbox gives up,
//! and the merchant must ask). Every app server runs `CONCURRENT` of them, as a payment company
//! sends many notifications at once; a claim keeps two from posting the same notification.

use super::store;
use crate::platform::{db::Db, gateway::signature};
use std::{sync::Arc, time::Duration};
use tokio::task::JoinHandle;

/// Notification senders per app server. One sender capped the whole payment flow at the speed
/// of one notification after another (see docs/BENCHMARKS.md, payments).
pub const CONCURRENT: usize = 4;

/// Posts one due notification; `Ok(false)` when none was due.
pub async fn deliver_one(
    db: &Db,
    http: &reqwest::Client,
    secret: &[u8],
    now: i64,
) -> Result<bool, store::SandboxError> {
    let Some(due) = store::claim_notification(db, now).await? else {
        return Ok(false);
    };
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
    let error = match outcome {
        Ok(res) if res.status().is_success() => None,
        Ok(res) => Some(format!("HTTP {}", res.status())),
        Err(e) => Some(e.to_string()),
    };
    if let Some(e) = &error {
        tracing::warn!(notification = %due.id, attempts = due.attempts, error = %e, "sandbox notification not accepted");
    }
    store::notification_done(
        db,
        &due,
        error.as_deref(),
        crate::platform::session::now_secs(),
    )
    .await?;
    Ok(true)
}

pub fn spawn(db: Db, secret: Arc<[u8; 32]>, idle: Duration) -> JoinHandle<()> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("a client with a timeout builds");
    tokio::spawn(async move {
        loop {
            match deliver_one(&db, &http, &*secret, crate::platform::session::now_secs()).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "sandbox notifier cannot reach its database"),
            }
            tokio::time::sleep(idle).await;
        }
    })
}
