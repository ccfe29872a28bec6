//! `/dev/mailbox`: on a development machine with no SMTP server or SMS provider, the e-mails
//! (`.eml`) and SMS (`.txt`) the outbox wrote under the data directory, newest first, each
//! viewable as sent. Off unless `BAWABA_DEV_MAILBOX=on`: it shows codes and links meant for
//! other people, so a real deployment never serves it (404, as if it did not exist).

use super::state::AppState;
use axum::{
    extract::{Path, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
};

pub const PATH: &str = "/dev/mailbox";
/// One message of the mailbox.
pub const SHOW_PATH: &str = "/dev/mailbox/{name}";
/// The list shows this many of the newest messages.
const SHOWN: usize = 200;

fn escape(text: &str) -> String {
    super::mail::escape(text)
}

/// A file name the outbox could have written: no path, only its own characters.
fn is_message_name(name: &str) -> bool {
    (name.ends_with(".eml") || name.ends_with(".txt"))
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn dirs(state: &AppState) -> [std::path::PathBuf; 2] {
    let data = &state.config.data_dir;
    [data.join("mail"), data.join("sms")]
}

/// The recipient, from the first line of the file (`To: …` in both formats).
fn recipient(content: &str) -> String {
    content
        .lines()
        .find_map(|l| l.strip_prefix("To: "))
        .unwrap_or_default()
        .to_string()
}

pub async fn list(State(state): State<AppState>) -> Response {
    if !state.config.dev_mailbox {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut messages = Vec::new();
    for dir in dirs(&state) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !is_message_name(&name) {
                continue;
            }
            let content = std::fs::read_to_string(entry.path()).unwrap_or_default();
            let modified = entry.metadata().and_then(|m| m.modified()).ok();
            messages.push((modified, name, recipient(&content)));
        }
    }
    messages.sort_by_key(|m| std::cmp::Reverse(m.0));
    let rows: String = messages
        .iter()
        .take(SHOWN)
        .map(|(_, name, to)| {
            let kind = if name.ends_with(".eml") { "e-mail" } else { "SMS" };
            format!(
                "<tr><td>{kind}</td><td dir=\"ltr\">{}</td><td><a href=\"{PATH}/{n}\">{n}</a></td></tr>",
                escape(to),
                n = escape(name)
            )
        })
        .collect();
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\" dir=\"ltr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Development mailbox — Bawaba</title></head><body><main>\
         <h1>Development mailbox</h1><p>Messages written under the data directory because no \
         SMTP server or SMS provider is configured. Newest first; {} in all.</p>\
         <table><caption>Messages</caption><thead><tr><th scope=\"col\">Kind</th>\
         <th scope=\"col\">To</th><th scope=\"col\">File</th></tr></thead><tbody>{rows}</tbody>\
         </table></main></body></html>",
        messages.len()
    ))
    .into_response()
}

pub async fn show(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if !state.config.dev_mailbox || !is_message_name(&name) {
        return StatusCode::NOT_FOUND.into_response();
    }
    for dir in dirs(&state) {
        if let Ok(content) = std::fs::read(dir.join(&name)) {
            return (
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                content,
            )
                .into_response();
        }
    }
    StatusCode::NOT_FOUND.into_response()
}

#[cfg(test)]
mod tests {
    use super::is_message_name;

    #[test]
    fn only_the_outbox_s_own_file_names_are_served() {
        assert!(is_message_name("1795993500-0b3c9e1e-4a8f.eml"));
        assert!(is_message_name("1795993500-0b3c.txt"));
        for bad in [
            "../secret.key",
            "secret.key",
            ".tmp.eml",
            "a/b.eml",
            "x.eml\0",
            "bawaba.db",
        ] {
            assert!(!is_message_name(bad), "{bad}");
        }
    }
}
