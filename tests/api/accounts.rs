//! Accounts in the database: one per identity number, one per e-mail address whatever its case,
//! enforced by the database even when two registrations race.

use crate::on_both_backends;
use bawaba::{
    domain::{
        contact::{Email, Mobile},
        date::Date,
        identity::{Declared, IdentityKind, IdentityNumber},
    },
    features::accounts::{
        Role,
        store::{self, CreateError, NewAccount},
    },
};

const NOW: i64 = 1_795_000_000;

fn account(nin: &str, email: &str) -> NewAccount {
    NewAccount {
        full_name: "Amina Benali".into(),
        identity: IdentityNumber::parse(IdentityKind::Nin, nin, Declared::default()).unwrap(),
        date_of_birth: Date {
            year: 1990,
            month: 3,
            day: 27,
        },
        nationality: 12,
        email: Email::parse(email).unwrap(),
        mobile: Mobile::parse("0555 12 34 56").unwrap(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Citizen,
    }
}

const NIN_A: &str = "109990123456789012";
const NIN_B: &str = "209990123456789013";

on_both_backends!(
    one_account_per_identity_number,
    |app: &TestApp| async move {
        store::create(&app.db, &account(NIN_A, "amina@example.dz"), NOW)
            .await
            .unwrap();
        let again = store::create(&app.db, &account(NIN_A, "other@example.dz"), NOW).await;
        assert!(
            matches!(again, Err(CreateError::IdentityTaken)),
            "{again:?}"
        );
    }
);

on_both_backends!(
    one_account_per_e_mail_whatever_its_case,
    |app: &TestApp| async move {
        let id = store::create(&app.db, &account(NIN_A, "amina@example.dz"), NOW)
            .await
            .unwrap();
        let again = store::create(&app.db, &account(NIN_B, "Amina@EXAMPLE.dz"), NOW).await;
        assert!(matches!(again, Err(CreateError::EmailTaken)), "{again:?}");
        let found = store::id_by_email(&app.db, &Email::parse("AMINA@example.DZ").unwrap())
            .await
            .unwrap();
        assert_eq!(found, Some(id));
        // The database itself refuses an address that was not lower-cased.
        let raw = sqlx::query(
            "INSERT INTO accounts (id, full_name, identity_kind, identity_number, date_of_birth, \
             nationality, email, mobile, password_hash, role, created_at, updated_at) \
             VALUES ('x', 'X', 'nin', '309990123456789012', '1990-01-01', 12, 'Upper@example.dz', \
             '+213555123456', 'h', 'citizen', 0, 0)",
        )
        .execute(app.db.pool())
        .await;
        assert!(raw.is_err());
    }
);

on_both_backends!(
    two_registrations_racing_for_one_address_make_one_account,
    |app: &TestApp| async move {
        let db = app.db.clone();
        let attempts = (0..6).map(|i| {
            let db = db.clone();
            let nin = format!("1099901234567890{i:02}");
            tokio::spawn(
                async move { store::create(&db, &account(&nin, "race@example.dz"), NOW).await },
            )
        });
        let mut created = 0;
        for attempt in attempts.collect::<Vec<_>>() {
            match attempt.await.unwrap() {
                Ok(_) => created += 1,
                Err(CreateError::EmailTaken) => {}
                Err(other) => panic!("unexpected: {other:?}"),
            }
        }
        assert_eq!(created, 1);
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
    }
);
