//! `bawaba admin create --email …`: the first administrator, made by the operator on the
//! server (nobody can register as one). The person's details go through the same rules as
//! registration; whatever is not given as an option is asked on the terminal, and so is the
//! password, twice, without echo (or read from standard input when it is not a terminal, for
//! provisioning scripts). The operator vouches for the address, so it counts as confirmed;
//! the administrator must set up two-step sign-in at the first sign-in.

use super::{
    Role, passwords, problem_message,
    store::{self, CreateError, NewAccount},
};
use crate::{
    domain::{journey::Answers, registration},
    i18n::Locale,
    platform::{config::Config, session::now_secs},
};
use std::{
    io::{BufRead, IsTerminal, Write},
    process::ExitCode,
};

pub const USAGE: &str = "\
Usage: bawaba admin create --email ADDRESS [--name \"FULL NAME\"] [--identity-kind nin|qid|other]
                           [--identity-number N] [--date-of-birth YYYY-MM-DD] [--nationality CODE]
                           [--mobile +CCNNN…]
Creates an administrator account. Missing details and the password are asked for; with standard
input not a terminal, they are read from it one per line (the password twice).
";

/// The options, in the order they are asked, with the registration answer each fills.
const FIELDS: &[(&str, &str, &str)] = &[
    ("--name", "full_name", "Full name"),
    (
        "--identity-kind",
        "identity_kind",
        "Identity document (nin, qid or other)",
    ),
    ("--identity-number", "identity_number", "Identity number"),
    (
        "--date-of-birth",
        "date_of_birth",
        "Date of birth (YYYY-MM-DD)",
    ),
    (
        "--nationality",
        "nationality",
        "Nationality (ISO 3166 numeric code: 12 Algeria, 634 Qatar)",
    ),
    ("--email", "email", "E-mail address"),
    ("--mobile", "mobile", "Mobile number (+213…, +974…)"),
];

/// Runs `bawaba admin …`; `args` are those after `admin`.
pub async fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("create") => {}
        Some("--help" | "-h") | None => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("bawaba admin: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    match create(&args[1..]).await {
        Ok(email) => {
            println!(
                "Administrator {email} created. Sign in and set up two-step sign-in to continue."
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bawaba admin create: {message}");
            ExitCode::from(2)
        }
    }
}

fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
        .or_else(|| {
            args.iter()
                .find_map(|a| a.strip_prefix(&format!("{name}=")).map(str::to_string))
        })
}

/// One line from standard input, after a prompt on standard error (so stdout stays clean).
fn ask(lines: &mut impl Iterator<Item = std::io::Result<String>>, prompt: &str) -> String {
    eprint!("{prompt}: ");
    let _ = std::io::stderr().flush();
    lines
        .next()
        .and_then(Result::ok)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn ask_password(lines: &mut impl Iterator<Item = std::io::Result<String>>, prompt: &str) -> String {
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{prompt}: ")).unwrap_or_default()
    } else {
        lines.next().and_then(Result::ok).unwrap_or_default()
    }
}

async fn create(args: &[String]) -> Result<String, String> {
    if option(args, "--email").is_none() {
        return Err(format!("--email is required\n\n{USAGE}"));
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut answers = Answers::new();
    for (flag, field, prompt) in FIELDS {
        let value = option(args, flag).unwrap_or_else(|| ask(&mut lines, prompt));
        if *field == "date_of_birth" {
            // The registration pages take the date as three fields.
            let mut parts = value.splitn(3, '-');
            for part in ["dob_year", "dob_month", "dob_day"] {
                answers.insert(part.into(), parts.next().unwrap_or_default().to_string());
            }
        } else {
            answers.insert((*field).into(), value);
        }
    }
    let password = ask_password(&mut lines, "Password (at least 12 characters)");
    let again = ask_password(&mut lines, "The same password again");
    if password != again {
        return Err("the two passwords differ".into());
    }

    let config = Config::from_env().map_err(|e| e.to_string())?;
    let state = crate::platform::state::build_state(config, |_, _| Default::default())
        .await
        .map_err(|e| e.to_string())?;
    let known = super::store::known_countries(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    let today = super::register::server::today();
    let explain = |problems: Vec<(String, String)>| {
        problems
            .into_iter()
            .map(|(field, code)| format!("{field}: {}", problem_message(Locale::en, &code)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let applicant = registration::applicant(&answers, today, |c| known.contains(&c))
        .map_err(|(_, problems)| explain(problems))?;
    let problems = registration::validate_final(&password, true, passwords::is_common);
    if !problems.is_empty() {
        return Err(explain(problems));
    }
    let password_hash = passwords::hash(password).await.map_err(|e| e.to_string())?;
    let email = applicant.email.as_str().to_string();
    let now = now_secs();
    let new = NewAccount {
        full_name: applicant.full_name,
        identity: applicant.identity,
        date_of_birth: applicant.date_of_birth,
        nationality: applicant.nationality,
        email: applicant.email,
        mobile: applicant.mobile,
        password_hash,
        role: Role::Administrator,
    };
    let id = store::create(&state.db, &new, now)
        .await
        .map_err(|e| match e {
            CreateError::IdentityTaken => "an account already has this identity number".into(),
            CreateError::EmailTaken => "an account already has this e-mail address".into(),
            other => other.to_string(),
        })?;
    sqlx::query("UPDATE accounts SET email_verified_at = $2 WHERE id = $1")
        .bind(&id)
        .bind(now)
        .execute(state.db.writer())
        .await
        .map_err(|e| e.to_string())?;
    store::record_event(
        &state.db,
        &id,
        "account_created",
        Some("bawaba admin create"),
        None,
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    state.db.close().await;
    Ok(email)
}
