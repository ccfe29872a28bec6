//! `bawaba centres …`: the operator's commands for the service centres' capacity, run on a
//! server with its settings. `counters CODE N` sets how many counters a centre has open (a new
//! counter adds a place to every slot); the waiting list's job then runs at once, so people
//! waiting for that centre are offered the new places without waiting for the next minute.

use crate::platform::{config::Config, session::now_secs, state::AppState};
use std::process::ExitCode;

pub const USAGE: &str = "\
Usage: bawaba centres list
       bawaba centres counters CODE N
`list` shows each service centre with its hours and counters. `counters` sets the counters open
at centre CODE (1 to 99); places a new counter opens go first to the people on its waiting list.
";

/// Runs `bawaba centres …`; `args` are those after `centres`.
pub async fn run(args: &[String]) -> ExitCode {
    let command = args.first().map(String::as_str);
    if matches!(command, Some("--help" | "-h")) {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = match command {
        Some("list") => with_state(list).await,
        Some("counters") => {
            let code = args.get(1).cloned().unwrap_or_default();
            match args.get(2).and_then(|n| n.parse::<i64>().ok()) {
                Some(n) if (1..=99).contains(&n) => {
                    with_state(move |state| async move { counters(&state, &code, n).await }).await
                }
                _ => Err(format!(
                    "counters needs a centre code and a number from 1 to 99\n\n{USAGE}"
                )),
            }
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Ok(USAGE.to_string()),
    };
    match result {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bawaba centres: {message}");
            ExitCode::from(2)
        }
    }
}

async fn with_state<F, Fut>(job: F) -> Result<String, String>
where
    F: FnOnce(AppState) -> Fut,
    Fut: std::future::Future<Output = Result<String, String>>,
{
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let state = crate::platform::state::build_state(config, |_, _| Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let db = state.db.clone();
    let said = job(state).await;
    db.close().await;
    said
}

async fn list(state: AppState) -> Result<String, String> {
    let centres = crate::features::idcard::store::centres(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(centres
        .iter()
        .map(|c| {
            format!(
                "{}  {}  {}–{}  {} counter(s)",
                c.code, c.name_en, c.opens, c.closes, c.counters
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

async fn counters(state: &AppState, code: &str, n: i64) -> Result<String, String> {
    let done = sqlx::query("UPDATE service_centres SET counters = $2 WHERE code = $1")
        .bind(code)
        .bind(n)
        .execute(state.db.writer())
        .await
        .map_err(|e| e.to_string())?;
    if done.rows_affected() != 1 {
        return Err(format!(
            "no service centre has the code `{code}` (see `bawaba centres list`)"
        ));
    }
    let report = super::waitlist::worker::run(&state.db, &state.config.public_url, now_secs())
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "{code} has {n} counter(s). Waiting list: {} place(s) found, {} offer(s) made.",
        report.found, report.offered
    ))
}
