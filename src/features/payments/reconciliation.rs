//! Reconciliation: what an administrator checks each day against the gateway's statement.
//! A day (UTC) is read two ways: the payments *started* that day, by state, method and
//! currency; and the money that *moved* that day (successes and refunds), per currency. The
//! differences between the gateway's view and ours are `payment_flags` rows: raised by the
//! engine as news arrives, and by [`sweep`], which asks the gateway about a whole day.

use super::{
    admin::report::{FlagLine, MoneyLine, TotalLine},
    engine::{self, PaymentError, Payments},
    store::{self, PaymentRow},
};
use crate::{
    domain::{
        date::Date,
        money::{Currency, Money},
        payment::PaymentState,
    },
    platform::{
        db::{Db, DbError},
        gateway::{GatewayStatus, Observed, PaymentGateway},
    },
};
use sqlx::AnyConnection;

/// A UTC day as a half-open range of Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Day {
    pub start: i64,
    pub end: i64,
}

impl Day {
    pub fn of(date: Date) -> Self {
        let start = date.days_since_epoch() * 86_400;
        Self {
            start,
            end: start + 86_400,
        }
    }
}

/// Payments started on `day`, by state, method and currency. Sums are cast back to BIGINT:
/// PostgreSQL's SUM of a BIGINT is NUMERIC, which the `Any` driver cannot read.
pub async fn totals(db: &Db, day: Day) -> Result<Vec<TotalLine>, DbError> {
    let rows: Vec<(String, Option<String>, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT state, method, currency, COUNT(*), CAST(SUM(amount_minor) AS BIGINT), \
         CAST(SUM(refunded_minor) AS BIGINT) FROM payments \
         WHERE created_at >= $1 AND created_at < $2 GROUP BY state, method, currency",
    )
    .bind(day.start)
    .bind(day.end)
    .fetch_all(db.pool())
    .await?;
    let mut lines = Vec::with_capacity(rows.len());
    for (state, method, currency, count, amount, refunded) in rows {
        let state = PaymentState::parse(&state).ok_or_else(|| corrupt("state", &state))?;
        let currency = Currency::parse(&currency).ok_or_else(|| corrupt("currency", &currency))?;
        lines.push(TotalLine {
            state,
            method,
            count,
            amount: Money::new(amount, currency),
            refunded: Money::new(refunded, currency),
        });
    }
    // Currency, then the state machine's order, then method: the same order every day.
    lines.sort_by_key(|l| {
        (
            l.amount.currency.code(),
            PaymentState::ALL.iter().position(|s| *s == l.state),
            l.method.clone(),
        )
    });
    Ok(lines)
}

/// Money received (payments that succeeded on `day`) and refunded (refunds made on `day`),
/// per currency: what the gateway's settlement for the day should show.
pub async fn money(db: &Db, day: Day) -> Result<Vec<MoneyLine>, DbError> {
    let received: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT currency, COUNT(*), CAST(SUM(amount_minor) AS BIGINT) FROM payments \
         WHERE succeeded_at >= $1 AND succeeded_at < $2 GROUP BY currency",
    )
    .bind(day.start)
    .bind(day.end)
    .fetch_all(db.pool())
    .await?;
    let refunded: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT p.currency, COUNT(*), CAST(SUM(e.amount_minor) AS BIGINT) \
         FROM payment_events e JOIN payments p ON p.id = e.payment_id \
         WHERE e.event = 'refunded' AND e.at >= $1 AND e.at < $2 GROUP BY p.currency",
    )
    .bind(day.start)
    .bind(day.end)
    .fetch_all(db.pool())
    .await?;
    let mut lines: Vec<MoneyLine> = Vec::new();
    for (code, count, minor) in received {
        let currency = Currency::parse(&code).ok_or_else(|| corrupt("currency", &code))?;
        line_for(&mut lines, currency).received_count += count;
        line_for(&mut lines, currency).received.minor += minor;
    }
    for (code, count, minor) in refunded {
        let currency = Currency::parse(&code).ok_or_else(|| corrupt("currency", &code))?;
        line_for(&mut lines, currency).refund_count += count;
        line_for(&mut lines, currency).refunded.minor += minor;
    }
    for l in &mut lines {
        l.net = Money::new(l.received.minor - l.refunded.minor, l.received.currency);
    }
    lines.sort_by_key(|l| l.received.currency.code());
    Ok(lines)
}

fn line_for(lines: &mut Vec<MoneyLine>, currency: Currency) -> &mut MoneyLine {
    let at = match lines.iter().position(|l| l.received.currency == currency) {
        Some(i) => i,
        None => {
            let zero = Money::new(0, currency);
            lines.push(MoneyLine {
                received_count: 0,
                received: zero,
                refund_count: 0,
                refunded: zero,
                net: zero,
            });
            lines.len() - 1
        }
    };
    &mut lines[at]
}

/// Flags nobody has closed yet, newest first (for one payment, or all of them).
pub async fn open_flags(db: &Db, payment_id: Option<&str>) -> Result<Vec<FlagLine>, DbError> {
    let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT f.id, f.payment_id, p.reference, f.kind, f.detail, f.at FROM payment_flags f \
         JOIN payments p ON p.id = f.payment_id \
         WHERE f.resolved_at IS NULL AND ($1 = '' OR f.payment_id = $1) \
         ORDER BY f.at DESC, f.id LIMIT 500",
    )
    .bind(payment_id.unwrap_or_default())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, payment_id, reference, kind, detail, at)| FlagLine {
            id,
            payment_id,
            reference,
            kind,
            detail,
            at,
        })
        .collect())
}

/// Closes a flag with what the administrator found or did; `false` if it was closed already.
pub async fn resolve_flag(
    db: &Db,
    flag_id: &str,
    by: &str,
    resolution: &str,
    now: i64,
) -> Result<bool, DbError> {
    let n = sqlx::query(
        "UPDATE payment_flags SET resolved_at = $1, resolved_by = $2, resolution = $3 \
         WHERE id = $4 AND resolved_at IS NULL",
    )
    .bind(now)
    .bind(by)
    .bind(resolution)
    .bind(flag_id)
    .execute(db.writer())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Raises a flag unless the same kind is already open for the payment (a sweep run twice
/// lists a difference once). Returns whether a new flag was raised.
async fn flag_once(
    conn: &mut AnyConnection,
    payment_id: &str,
    kind: &str,
    detail: &str,
    now: i64,
) -> Result<bool, DbError> {
    let open: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM payment_flags WHERE payment_id = $1 AND kind = $2 AND resolved_at IS NULL",
    )
    .bind(payment_id)
    .bind(kind)
    .fetch_optional(&mut *conn)
    .await?;
    if open.is_some() {
        return Ok(false);
    }
    store::flag(conn, payment_id, kind, detail, now).await?;
    Ok(true)
}

/// Where the gateway's view of a finished payment differs from ours, as a flag kind and a
/// detail for the person who checks. Live payments are not compared: the engine settles them.
pub fn compare(ours: &PaymentRow, theirs: &Observed) -> Option<(&'static str, String)> {
    let state = ours.state();
    let paid_here = matches!(
        state,
        PaymentState::Succeeded | PaymentState::PartiallyRefunded | PaymentState::Refunded
    );
    let describe = |s: &GatewayStatus| match s {
        GatewayStatus::Open => "open".to_string(),
        GatewayStatus::Succeeded => "succeeded".to_string(),
        GatewayStatus::Failed(why) => format!("failed ({why})"),
        GatewayStatus::Cancelled => "cancelled".to_string(),
        GatewayStatus::Expired => "expired".to_string(),
        GatewayStatus::Unknown => "unknown".to_string(),
    };
    let paid_there = theirs.status == GatewayStatus::Succeeded;
    if theirs.status == GatewayStatus::Unknown && paid_here {
        return Some((
            "missing_at_gateway",
            format!("ours {}, the gateway has no such payment", state.code()),
        ));
    }
    // Money taken there and not here, or the reverse: someone must refund or deliver.
    if paid_there != paid_here {
        return Some((
            "status_mismatch",
            format!(
                "ours {}, the gateway's {}",
                state.code(),
                describe(&theirs.status)
            ),
        ));
    }
    if !paid_here {
        return None;
    }
    match theirs.amount {
        Some(a) if a != ours.payment.amount => Some((
            "amount_mismatch",
            format!(
                "ours {} {}, the gateway's {} {}",
                ours.payment.amount.minor,
                ours.payment.amount.currency.code(),
                a.minor,
                a.currency.code()
            ),
        )),
        _ if theirs.refunded_minor != ours.payment.refunded_minor => Some((
            "refund_mismatch",
            format!(
                "refunded: ours {}, the gateway's {}",
                ours.payment.refunded_minor, theirs.refunded_minor
            ),
        )),
        _ => None,
    }
}

/// What a sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Payments the gateway was asked about.
    pub compared: usize,
    /// New flags raised.
    pub found: usize,
    /// Payments the gateway did not answer about.
    pub unreachable: usize,
}

/// Asks the gateway about every payment started on `day` that reached it: live ones are
/// settled by the engine (as the poller would), finished ones are compared and every
/// difference is flagged once.
pub async fn sweep(p: &Payments, db: &Db, day: Day, now: i64) -> Result<Swept, PaymentError> {
    let ids: Vec<(String,)> = sqlx::query_as(
        "SELECT id FROM payments WHERE created_at >= $1 AND created_at < $2 \
         AND (gateway_ref IS NOT NULL OR state IN ('created', 'pending')) ORDER BY created_at LIMIT 5000",
    )
    .bind(day.start)
    .bind(day.end)
    .fetch_all(db.pool())
    .await?;
    let mut swept = Swept::default();
    for (id,) in ids {
        let Some(row) = store::payment(db.pool(), &id).await? else {
            continue;
        };
        if row.state().is_live() {
            match engine::check(p, db, &id, "reconciliation", now).await {
                Ok(_) => swept.compared += 1,
                Err(PaymentError::Gateway(_)) => swept.unreachable += 1,
                Err(e) => return Err(e),
            }
            continue;
        }
        let observed = match p.gateway.status(&row.id, row.gateway_ref.as_deref()).await {
            Ok(o) => o,
            Err(e) => {
                tracing::warn!(payment = %row.id, error = %e, "reconciliation could not ask the gateway");
                swept.unreachable += 1;
                continue;
            }
        };
        swept.compared += 1;
        if let Some((kind, detail)) = compare(&row, &observed) {
            let mut conn = db.writer().acquire().await?;
            if flag_once(&mut conn, &row.id, kind, &detail, now).await? {
                swept.found += 1;
            }
        }
    }
    Ok(swept)
}

/// The nightly comparison: once a day (after 01:00 UTC, when late notifications have had
/// time to arrive) one app server compares yesterday with the gateway, so the report's list
/// of differences is complete without anyone pressing the button. Returns what it did, or
/// `None` when yesterday was already done (by this server or another).
pub async fn nightly(p: &Payments, db: &Db, now: i64) -> Result<Option<Swept>, PaymentError> {
    const AFTER_SECS: i64 = 3600;
    if now.rem_euclid(86_400) < AFTER_SECS {
        return Ok(None);
    }
    let yesterday = Date::from_days_since_epoch(now.div_euclid(86_400) - 1);
    let claimed = sqlx::query(
        "INSERT INTO daily_runs (job, day, started_at) VALUES ('payments_sweep', $1, $2) \
         ON CONFLICT (job, day) DO NOTHING",
    )
    .bind(yesterday.iso())
    .bind(now)
    .execute(db.writer())
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(None);
    }
    let swept = sweep(p, db, Day::of(yesterday), now).await?;
    tracing::info!(day = %yesterday.iso(), compared = swept.compared, found = swept.found,
        unreachable = swept.unreachable, "nightly payments comparison");
    Ok(Some(swept))
}

/// One payment of the day, as the CSV lists it.
struct CsvLine {
    row: PaymentRow,
    kind: String,
    open_flags: String,
}

/// The day's payments as CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs
/// read Arabic right). Amounts are exact: minor units, with the currency beside them.
pub async fn csv(db: &Db, day: Day) -> Result<String, DbError> {
    let mut conn = db.pool().acquire().await?;
    let payments = store::started_between(&mut conn, day.start, day.end).await?;
    let flags: Vec<(String, String)> = sqlx::query_as(
        "SELECT f.payment_id, f.kind FROM payment_flags f JOIN payments p ON p.id = f.payment_id \
         WHERE f.resolved_at IS NULL AND p.created_at >= $1 AND p.created_at < $2 \
         ORDER BY f.at, f.id",
    )
    .bind(day.start)
    .bind(day.end)
    .fetch_all(&mut *conn)
    .await?;
    let mut open: std::collections::HashMap<String, Vec<String>> = Default::default();
    for (payment, kind) in flags {
        open.entry(payment).or_default().push(kind);
    }
    let lines: Vec<CsvLine> = payments
        .into_iter()
        .map(|(row, kind)| CsvLine {
            open_flags: open.get(&row.id).map(|k| k.join(" ")).unwrap_or_default(),
            row,
            kind,
        })
        .collect();
    Ok(render_csv(&lines))
}

const CSV_HEADER: [&str; 15] = [
    "reference",
    "started_at_utc",
    "state",
    "service",
    "amount_minor",
    "refunded_minor",
    "currency",
    "method",
    "brand",
    "masked",
    "succeeded_at_utc",
    "failure",
    "gateway",
    "gateway_ref",
    "open_flags",
];

fn render_csv(lines: &[CsvLine]) -> String {
    let time = |t: i64| crate::domain::date::utc_time(t);
    let mut out = String::from("\u{FEFF}");
    out.push_str(&CSV_HEADER.join(","));
    out.push_str("\r\n");
    for l in lines {
        let r = &l.row;
        let fields = [
            r.reference.clone(),
            time(r.created_at),
            r.state().code().to_string(),
            l.kind.clone(),
            r.payment.amount.minor.to_string(),
            r.payment.refunded_minor.to_string(),
            r.payment.amount.currency.code().to_string(),
            r.method.clone().unwrap_or_default(),
            r.brand.clone().unwrap_or_default(),
            r.masked.clone().unwrap_or_default(),
            r.succeeded_at.map(time).unwrap_or_default(),
            r.failure.clone().unwrap_or_default(),
            r.gateway.clone(),
            r.gateway_ref.clone().unwrap_or_default(),
            l.open_flags.clone(),
        ];
        let escaped: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&escaped.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field: quoted when it holds a separator, a quote or a line break; a text that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading apostrophe.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn corrupt(column: &str, value: &str) -> DbError {
    DbError::Sqlx(sqlx::Error::Decode(
        format!("unexpected value {value:?} in payments.{column}").into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::payment::Payment;

    fn ours(state: PaymentState, minor: i64, refunded: i64) -> PaymentRow {
        PaymentRow {
            id: "p1".into(),
            reference: "PAY-0000000001".into(),
            order_id: "o1".into(),
            account_id: "a1".into(),
            idempotency_key: "k".into(),
            gateway: "sandbox".into(),
            language: "ar".into(),
            gateway_ref: Some("g1".into()),
            redirect_url: None,
            method: Some("card".into()),
            brand: Some("visa".into()),
            masked: Some("•••• 1111".into()),
            payment: Payment {
                state,
                amount: Money::new(minor, Currency::Dzd),
                refunded_minor: refunded,
            },
            failure: None,
            expires_at: 0,
            check_after: 0,
            succeeded_at: None,
            created_at: 1_796_000_000,
        }
    }

    fn theirs(status: GatewayStatus, minor: i64, refunded: i64) -> Observed {
        Observed {
            payment_id: "p1".into(),
            gateway_ref: Some("g1".into()),
            status,
            amount: Some(Money::new(minor, Currency::Dzd)),
            method: None,
            brand: None,
            masked: None,
            refunded_minor: refunded,
        }
    }

    #[test]
    fn agreeing_views_raise_nothing() {
        use PaymentState as S;
        let failed = GatewayStatus::Failed("declined".into());
        for (state, status) in [
            (S::Succeeded, GatewayStatus::Succeeded),
            (S::Failed, failed.clone()),
            (S::Failed, GatewayStatus::Cancelled),
            (S::Cancelled, GatewayStatus::Cancelled),
            (S::Expired, GatewayStatus::Expired),
            (S::Expired, GatewayStatus::Open),
            (S::Failed, GatewayStatus::Unknown),
        ] {
            assert_eq!(
                compare(
                    &ours(state, 200_000, 0),
                    &theirs(status.clone(), 200_000, 0)
                ),
                None,
                "{state:?} vs {status:?}"
            );
        }
        assert_eq!(
            compare(
                &ours(S::PartiallyRefunded, 200_000, 50_000),
                &theirs(GatewayStatus::Succeeded, 200_000, 50_000)
            ),
            None
        );
    }

    #[test]
    fn money_on_one_side_only_is_a_state_mismatch() {
        use PaymentState as S;
        let kind =
            |state, status| compare(&ours(state, 100, 0), &theirs(status, 100, 0)).map(|f| f.0);
        assert_eq!(
            kind(S::Expired, GatewayStatus::Succeeded),
            Some("status_mismatch")
        );
        assert_eq!(
            kind(S::Failed, GatewayStatus::Succeeded),
            Some("status_mismatch")
        );
        assert_eq!(
            kind(S::Succeeded, GatewayStatus::Cancelled),
            Some("status_mismatch")
        );
        assert_eq!(
            kind(S::Refunded, GatewayStatus::Failed("declined".into())),
            Some("status_mismatch")
        );
        assert_eq!(
            kind(S::Succeeded, GatewayStatus::Unknown),
            Some("missing_at_gateway")
        );
    }

    #[test]
    fn amounts_and_refunds_are_compared_exactly() {
        use PaymentState as S;
        let f = compare(
            &ours(S::Succeeded, 200_000, 0),
            &theirs(GatewayStatus::Succeeded, 199_999, 0),
        );
        assert_eq!(f.map(|f| f.0), Some("amount_mismatch"));
        let f = compare(
            &ours(S::PartiallyRefunded, 200_000, 50_000),
            &theirs(GatewayStatus::Succeeded, 200_000, 0),
        );
        assert_eq!(f.clone().map(|f| f.0), Some("refund_mismatch"));
        assert!(f.unwrap().1.contains("50000"));
    }

    #[test]
    fn a_utc_day_is_86400_seconds_from_midnight() {
        let day = Day::of(Date {
            year: 2026,
            month: 11,
            day: 30,
        });
        assert_eq!(day.start, 1_795_996_800);
        assert_eq!(day.end - day.start, 86_400);
        assert_eq!(
            crate::domain::date::utc_time(day.start),
            "2026-11-30 00:00 UTC"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("PAY-1"), "PAY-1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-5,2"), "\"'-5,2\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
    }

    #[test]
    fn the_csv_has_a_header_and_one_line_per_payment() {
        let mut row = ours(PaymentState::Succeeded, 200_000, 0);
        row.succeeded_at = Some(1_796_000_060);
        let text = render_csv(&[CsvLine {
            row,
            kind: "demo".into(),
            open_flags: "amount_mismatch".into(),
        }]);
        let lines: Vec<&str> = text.trim_start_matches('\u{FEFF}').split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER.join(","));
        assert_eq!(
            lines[1],
            "PAY-0000000001,2026-11-30 00:53 UTC,succeeded,demo,200000,0,DZD,card,visa,•••• 1111,\
             2026-11-30 00:54 UTC,,sandbox,g1,amount_mismatch"
        );
        assert_eq!(lines[2], "");
    }
}
