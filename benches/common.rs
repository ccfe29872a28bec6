//! What the benchmarks share: a fresh database (SQLite in a temporary directory, or a new
//! database on a PostgreSQL server, dropped afterwards) and confirmed accounts.

use bawaba::{
    domain::{
        contact::{Email, Mobile},
        date::Date,
        identity::{Declared, IdentityKind, IdentityNumber},
    },
    features::accounts::{
        Role,
        store::{self, NewAccount},
    },
    platform::{db::Db, session::now_secs},
};
use std::path::PathBuf;

pub struct BenchDatabase {
    pub url: String,
    pub data_dir: PathBuf,
    /// For PostgreSQL: the server's URL and the database made for this run.
    pg: Option<(String, String)>,
}

impl BenchDatabase {
    /// SQLite unless `arg` is a `postgres://…` URL.
    pub async fn new(name: &str, arg: Option<&str>) -> Self {
        let data_dir = std::env::temp_dir().join(format!("bawaba-{name}-{}", now_secs()));
        std::fs::create_dir_all(&data_dir).unwrap();
        match arg {
            Some(url) if url.starts_with("postgres") => {
                let db_name = format!("bawaba_bench_{}", now_secs());
                let (base, _) = url.rsplit_once('/').expect("postgres://…/database");
                use sqlx::{Connection, Executor};
                let mut admin = sqlx::AnyConnection::connect(url).await.unwrap();
                admin
                    .execute(format!("CREATE DATABASE {db_name}").as_str())
                    .await
                    .unwrap();
                Self {
                    url: format!("{base}/{db_name}"),
                    data_dir,
                    pg: Some((url.to_string(), db_name)),
                }
            }
            _ => Self {
                url: format!("sqlite://{}?mode=rwc", data_dir.join("bawaba.db").display()),
                data_dir,
                pg: None,
            },
        }
    }

    pub fn backend(&self) -> &'static str {
        if self.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    pub async fn drop(self, db: Db) {
        db.close().await;
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if let Some((admin_url, name)) = self.pg {
            use sqlx::{Connection, Executor};
            let mut admin = sqlx::AnyConnection::connect(&admin_url).await.unwrap();
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                .await;
        }
    }
}

/// `n` confirmed citizens `{prefix}{i}@bench.example`, all with one password hash (setting up
/// 200 accounts should not take 200 hashes). Identity numbers run on across calls.
pub async fn confirmed_accounts(db: &Db, n: usize, prefix: &str, password_hash: &str) {
    static NEXT_IDENTITY: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dob = Date {
        year: 1990,
        month: 3,
        day: 27,
    };
    for i in 0..n {
        let number = NEXT_IDENTITY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let new = NewAccount {
            full_name: format!("Bench User {i}"),
            identity: IdentityNumber::parse(
                IdentityKind::Nin,
                &format!("1{number:017}"),
                Declared {
                    date_of_birth: Some(dob),
                    nationality: Some(12),
                },
            )
            .unwrap(),
            date_of_birth: dob,
            nationality: 12,
            email: Email::parse(&format!("{prefix}{i}@bench.example")).unwrap(),
            mobile: Mobile::parse("+213555123456").unwrap(),
            password_hash: password_hash.to_string(),
            role: Role::Citizen,
        };
        let id = store::create(db, &new, now_secs()).await.unwrap();
        sqlx::query("UPDATE accounts SET email_verified_at = 1 WHERE id = $1")
            .bind(id)
            .execute(db.pool())
            .await
            .unwrap();
    }
}
