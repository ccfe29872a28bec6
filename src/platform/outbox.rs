//! The outbox: notifications written in the same transaction as the event that causes them,
//! delivered by a worker in every app server.
//!
//! Several workers (several servers) may run at once: a worker *claims* a message by moving it
//! from `pending` to `sending` in one UPDATE that only succeeds for the first, so no message is
//! sent twice by two workers. A claim is a lease: if its worker dies mid-send, the message is
//! taken again when the lease has run out (then, and only then, it may arrive twice). Failures
//! are retried with exponential backoff; after `MAX_ATTEMPTS` the message is `failed`.

use super::{
    db::{Db, DbError},
    mail::{MailTransport, Rendered, SendError, SmsTransport},
};
use std::time::Duration;
use tokio::task::JoinHandle;

pub const MAX_ATTEMPTS: i64 = 10;
/// How long a claim lasts: longer than any send (the SMTP timeout is 20 s; a claim's messages
/// go at once, so a batch takes as long as its slowest).
const LEASE_SECS: i64 = 120;

/// Seconds to wait after the `attempts`-th failed try: 30 s, 1 min, 2 min, … capped at 1 hour
/// (all ten tries span about four hours).
pub fn retry_delay_secs(attempts: i64) -> i64 {
    let exponent = attempts.clamp(1, 20) - 1;
    (30_i64 << exponent).min(3600)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// One message to send.
pub struct Notification<'a> {
    pub account_id: Option<&'a str>,
    pub channel: Channel,
    pub recipient: &'a str,
    pub template: &'a str,
    /// `ar`, `fr` or `en`.
    pub language: &'a str,
    pub params: serde_json::Value,
}

impl<'a> Notification<'a> {
    /// An e-mail from `template` to `recipient`, in `language` (`ar`, `fr` or `en`).
    pub fn email(template: &'a str, recipient: &'a str, language: &'a str) -> Self {
        Self::new(Channel::Email, template, recipient, language)
    }

    /// An SMS from `template` to `recipient`, in `language`.
    pub fn sms(template: &'a str, recipient: &'a str, language: &'a str) -> Self {
        Self::new(Channel::Sms, template, recipient, language)
    }

    pub fn new(channel: Channel, template: &'a str, recipient: &'a str, language: &'a str) -> Self {
        Self {
            account_id: None,
            channel,
            recipient,
            template,
            language,
            params: serde_json::Value::Null,
        }
    }

    /// The account the message is about (its activity page lists it).
    pub fn account(self, account_id: &'a str) -> Self {
        Self {
            account_id: Some(account_id),
            ..self
        }
    }

    /// What the template fills in.
    pub fn params(self, params: serde_json::Value) -> Self {
        Self { params, ..self }
    }
}

/// Adds a message inside the caller's transaction: it exists if and only if the event does.
pub async fn enqueue(
    conn: &mut sqlx::AnyConnection,
    n: &Notification<'_>,
    now: i64,
) -> Result<String, DbError> {
    let mut one = Outgoing::default();
    let id = one.add(n);
    one.write(conn, now).await?;
    Ok(id)
}

/// Messages an event sends, written together in one statement inside its transaction
/// (`write`): a paid vignette's e-mail and its payment's receipt were two `INSERT`s in the
/// success's transaction (issue 23).
#[derive(Default)]
pub struct Outgoing(Vec<Queued>);

/// A message `Outgoing` holds until it is written.
struct Queued {
    id: String,
    account_id: Option<String>,
    channel: Channel,
    recipient: String,
    template: String,
    language: String,
    params: String,
}

impl Outgoing {
    /// Adds `n` to what `write` will write; returns the message's id.
    pub fn add(&mut self, n: &Notification<'_>) -> String {
        let id = uuid::Uuid::new_v4().to_string();
        self.0.push(Queued {
            id: id.clone(),
            account_id: n.account_id.map(str::to_string),
            channel: n.channel,
            recipient: n.recipient.to_string(),
            template: n.template.to_string(),
            language: n.language.to_string(),
            params: n.params.to_string(),
        });
        id
    }

    /// Writes every message added, in the caller's transaction (nothing when there are none).
    pub async fn write(self, conn: &mut sqlx::AnyConnection, now: i64) -> Result<(), DbError> {
        const COLUMNS: usize = 7;
        if self.0.is_empty() {
            return Ok(());
        }
        let now_at = self.0.len() * COLUMNS + 1;
        let rows: Vec<String> = (0..self.0.len())
            .map(|i| {
                let p: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("${}", i * COLUMNS + c))
                    .collect();
                format!("({}, 'pending', 0, ${now_at}, ${now_at})", p.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO outbox (id, account_id, channel, recipient, template, language, params, \
             status, attempts, next_attempt_at, created_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for m in &self.0 {
            query = query
                .bind(&m.id)
                .bind(m.account_id.as_deref())
                .bind(m.channel.code())
                .bind(&m.recipient)
                .bind(&m.template)
                .bind(&m.language)
                .bind(&m.params);
        }
        query.bind(now).execute(conn).await?;
        Ok(())
    }
}

/// A message a worker holds.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub template: String,
    pub language: String,
    pub params: String,
    pub attempts: i64,
}

const DUE: &str = "((status = 'pending' AND next_attempt_at <= $3) \
                   OR (status = 'sending' AND claimed_until <= $3))";

/// Takes up to `limit` of the oldest due messages. The WHERE is repeated in the UPDATE so that
/// of two workers that chose the same rows, only the first changes them (PostgreSQL re-checks
/// it on each row it waited for; SQLite runs writers one at a time). On PostgreSQL rows another
/// worker is claiming are skipped: without `SKIP LOCKED` the lanes all chose the same oldest
/// rows, waited for their claim, and all but one found nothing due while hundreds were (171
/// e-mails/s in the bench instead of over 1,000).
///
/// One statement, so no transaction around it: a single write is atomic on both backends, and
/// on SQLite it takes the write lock before it reads, as `BEGIN IMMEDIATE` would. Several
/// messages a claim, because under load they are due several at a time and each claim is a
/// write that waits its turn for SQLite's one writer (issue 23).
pub async fn claim(db: &Db, worker: &str, now: i64, limit: usize) -> Result<Vec<Claimed>, DbError> {
    let skip_locked = match db.backend() {
        super::db::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        super::db::Backend::Sqlite => "",
    };
    // The rows are chosen once (`MATERIALIZED`): as `id IN (SELECT … LIMIT n)` PostgreSQL may
    // run the choice again for each row it updates, and each run, skipping the rows this very
    // statement has just locked, chose further ones (five claimed for a limit of four).
    // Pending messages and lapsed leases are read apart, each by its own partial index in that
    // index's order: as one OR, PostgreSQL read them by a bitmap scan, which visits every entry
    // a message's earlier versions left in the index until VACUUM (284 blocks a claim in a run
    // of `payments_bench`), where a plain index scan marks them dead once (issue 23).
    let rows: Vec<Claimed> = sqlx::query_as(&format!(
        "WITH pending AS MATERIALIZED \
         (SELECT id, next_attempt_at AS due, created_at FROM outbox \
          WHERE status = 'pending' AND next_attempt_at <= $3 \
          ORDER BY next_attempt_at, created_at LIMIT $4 {skip_locked}), \
         lapsed AS MATERIALIZED \
         (SELECT id, claimed_until AS due, created_at FROM outbox \
          WHERE status = 'sending' AND claimed_until <= $3 \
          ORDER BY claimed_until LIMIT $4 {skip_locked}), \
         picked AS MATERIALIZED \
         (SELECT id FROM (SELECT * FROM pending UNION ALL SELECT * FROM lapsed) AS d \
          ORDER BY due, created_at LIMIT $4) \
         UPDATE outbox SET status = 'sending', claimed_by = $1, claimed_until = $2, \
         attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM picked) AND {DUE} \
         RETURNING id, channel, recipient, template, language, params, attempts"
    ))
    .bind(worker)
    .bind(now + LEASE_SECS)
    .bind(now)
    .bind(limit as i64)
    .fetch_all(db.writer())
    .await?;
    Ok(rows)
}

/// A delivered message keeps its status, not its contents: parameters can carry one-time
/// codes and links, which must not outlive their delivery in clear. One statement for all the
/// messages of a claim that went.
async fn mark_sent(db: &Db, ids: &[&str], worker: &str, now: i64) -> Result<(), DbError> {
    if ids.is_empty() {
        return Ok(());
    }
    let places: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
    let sql = format!(
        "UPDATE outbox SET status = 'sent', sent_at = $1, claimed_by = NULL, claimed_until = NULL, \
         last_error = NULL, params = '{{}}' WHERE claimed_by = $2 AND id IN ({})",
        places.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(now).bind(worker);
    for id in ids {
        query = query.bind(*id);
    }
    query.execute(db.writer()).await?;
    Ok(())
}

async fn mark_failed(
    db: &Db,
    message: &Claimed,
    worker: &str,
    error: &str,
    permanent: bool,
    now: i64,
) -> Result<(), DbError> {
    let give_up = permanent || message.attempts >= MAX_ATTEMPTS;
    sqlx::query(
        "UPDATE outbox SET status = $1, next_attempt_at = $2, claimed_by = NULL, \
         claimed_until = NULL, last_error = $3, \
         params = CASE WHEN $1 = 'failed' THEN '{}' ELSE params END WHERE id = $4 AND claimed_by = $5",
    )
    .bind(if give_up { "failed" } else { "pending" })
    .bind(now + retry_delay_secs(message.attempts))
    .bind(error)
    .bind(&message.id)
    .bind(worker)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Turns a template and its parameters into text, in the message's language.
pub type Render =
    fn(template: &str, language: &str, params: &serde_json::Value) -> Option<Rendered>;

#[derive(Clone)]
pub struct Transports {
    pub mail: MailTransport,
    pub sms: SmsTransport,
}

/// Renders `message` on tokio's blocking threads: a vignette's e-mail makes its PDF (a few
/// milliseconds of CPU), which on an async worker would hold up every request queued behind
/// it. `Err` only if the render panicked (a release build aborts first: `panic = "abort"`).
async fn render_apart(
    render: Render,
    message: &Claimed,
) -> Result<Option<Rendered>, tokio::task::JoinError> {
    let (template, language, params) = (
        message.template.clone(),
        message.language.clone(),
        message.params.clone(),
    );
    tokio::task::spawn_blocking(move || {
        let params: serde_json::Value = serde_json::from_str(&params).unwrap_or_default();
        render(&template, &language, &params)
    })
    .await
}

/// Renders and sends one claimed message.
async fn send(transports: &Transports, render: Render, message: &Claimed) -> Result<(), SendError> {
    match render_apart(render, message).await {
        Err(e) => Err(SendError::Permanent(format!(
            "template {} in {} not rendered: {e}",
            message.template, message.language
        ))),
        Ok(None) => Err(SendError::Permanent(format!(
            "no template {} in {}",
            message.template, message.language
        ))),
        Ok(Some(Rendered::Email {
            subject,
            text,
            html,
            attachments,
        })) if message.channel == "email" => {
            transports
                .mail
                .send(&message.recipient, &subject, &text, &html, &attachments)
                .await
        }
        Ok(Some(Rendered::Sms { text })) if message.channel == "sms" => {
            transports.sms.send(&message.recipient, &text).await
        }
        Ok(Some(_)) => Err(SendError::Permanent(format!(
            "template {} does not fit channel {}",
            message.template, message.channel
        ))),
    }
}

/// Claims up to `limit` due messages and delivers them at once; how many it claimed (0 when
/// nothing was due). Those that went are marked sent together, then each failure is recorded
/// with its backoff.
pub async fn deliver_due(
    db: &Db,
    transports: &Transports,
    render: Render,
    worker: &str,
    now: i64,
    limit: usize,
) -> Result<usize, DbError> {
    let messages = claim(db, worker, now, limit).await?;
    let outcomes =
        futures::future::join_all(messages.iter().map(|m| send(transports, render, m))).await;
    let (mut sent, mut failed) = (Vec::new(), Vec::new());
    for (message, outcome) in messages.iter().zip(outcomes) {
        match outcome {
            Ok(()) => {
                tracing::info!(id = %message.id, template = %message.template, channel = %message.channel, "notification sent");
                sent.push(message.id.as_str());
            }
            Err(e) => failed.push((message, e)),
        }
    }
    mark_sent(db, &sent, worker, super::session::now_secs()).await?;
    for (message, e) in failed {
        let permanent = matches!(e, SendError::Permanent(_));
        tracing::warn!(id = %message.id, attempts = message.attempts, permanent, error = %e, "notification not sent");
        mark_failed(
            db,
            message,
            worker,
            &e.to_string(),
            permanent,
            super::session::now_secs(),
        )
        .await?;
    }
    Ok(messages.len())
}

/// Claims and delivers one message; `Ok(false)` when nothing was due.
pub async fn deliver_one(
    db: &Db,
    transports: &Transports,
    render: Render,
    worker: &str,
    now: i64,
) -> Result<bool, DbError> {
    Ok(deliver_due(db, transports, render, worker, now, 1).await? > 0)
}

/// Messages one app server sends at once to a relay or provider over the network. Each send
/// waits on the relay's replies (MAIL, RCPT, DATA, the body: four round trips), so a relay a
/// few milliseconds away would otherwise cap a server at a few dozen e-mails a second; the
/// database claims keep the lanes apart.
pub const LANES: usize = 4;

/// Messages a lane claims at most at once. Under load they are due faster than one at a time,
/// and a claim and its marking are a write each: in batches a purchase's two e-mails cost about
/// half a claim and half a marking instead of two each (`payments_bench`). Small, so that a few
/// due messages still spread over the lanes.
pub const BATCH: usize = 4;

impl Transports {
    /// How many messages to send at once: `LANES` when a message goes over the network, one
    /// when every message is a file (no wait to overlap; more lanes only made more concurrent
    /// writes, and SQLite's purchases slowed from 104 to 67-70 a second in `payments_bench`).
    pub fn lanes(&self) -> usize {
        let files = matches!(self.mail, MailTransport::Files { .. })
            && matches!(self.sms, SmsTransport::Files { .. });
        if files { 1 } else { LANES }
    }
}

/// The worker of one app server: `Transports::lanes` loops that each deliver everything due,
/// then look again after `idle`. Aborting the handle stops them all.
pub fn spawn_worker(
    db: Db,
    transports: Transports,
    render: Render,
    idle: Duration,
) -> JoinHandle<()> {
    let worker = format!("worker-{}", uuid::Uuid::new_v4());
    tokio::spawn(async move {
        // Dropped (the handle aborted), the set aborts its lanes.
        let mut lanes = tokio::task::JoinSet::new();
        for lane in 0..transports.lanes() {
            let (db, transports) = (db.clone(), transports.clone());
            // Each lane claims in its own name: a claim is released only by its holder.
            let name = format!("{worker}-{lane}");
            lanes.spawn(async move {
                loop {
                    let now = super::session::now_secs();
                    match deliver_due(&db, &transports, render, &name, now, BATCH).await {
                        Ok(0) => {}
                        Ok(_) => continue,
                        // The database being down shows in /readyz; try again after the pause.
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox worker could not reach the database")
                        }
                    }
                    tokio::time::sleep(idle).await;
                }
            });
        }
        while lanes.join_next().await.is_some() {}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_go_several_at_once_only_over_the_network() {
        let dir = std::path::Path::new("/nonexistent");
        let from = "Bawaba <no-reply@bawaba.test>";
        let files = || MailTransport::from_config(None, from, dir).unwrap();
        let relay = MailTransport::from_config(Some("smtp://127.0.0.1:2525"), from, dir).unwrap();
        let sms = || SmsTransport::files(dir.join("sms"));
        let lanes = |mail, sms| Transports { mail, sms }.lanes();
        assert_eq!(lanes(files(), sms()), 1);
        assert_eq!(lanes(relay, sms()), LANES);
    }

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).map(retry_delay_secs).collect();
        assert_eq!(delays[..4], [30, 60, 120, 240]);
        assert!(delays.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*delays.last().unwrap(), 3600);
        assert_eq!(retry_delay_secs(1000), 3600);
    }
}
