//! An account's role and the kind of its second sign-in step: enums that pages and server
//! functions pass around (never their codes as strings), stored as their codes.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Citizen,
    Officer,
    Administrator,
}

impl Role {
    pub fn code(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Officer => "officer",
            Role::Administrator => "administrator",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Role::Citizen, Role::Officer, Role::Administrator]
            .into_iter()
            .find(|r| r.code() == code)
    }

    /// Officers and administrators must sign in with a second step; a citizen chooses.
    pub fn needs_second_step(self) -> bool {
        self != Role::Citizen
    }
}

/// Read from the database's code (`#[sqlx(try_from = "String")]`); an unknown code is refused.
impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Self::from_code(&code).ok_or(code)
    }
}

/// The second step of signing in: a code from an authenticator app, or one sent by SMS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondStepKind {
    Totp,
    Sms,
}

impl SecondStepKind {
    pub fn code(self) -> &'static str {
        match self {
            SecondStepKind::Totp => "totp",
            SecondStepKind::Sms => "sms",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [SecondStepKind::Totp, SecondStepKind::Sms]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_nothing_else_reads() {
        for role in [Role::Citizen, Role::Officer, Role::Administrator] {
            assert_eq!(Role::from_code(role.code()), Some(role));
            assert_eq!(Role::try_from(role.code().to_string()), Ok(role));
        }
        for kind in [SecondStepKind::Totp, SecondStepKind::Sms] {
            assert_eq!(SecondStepKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(Role::from_code("Citizen"), None);
        assert_eq!(Role::try_from("root".to_string()), Err("root".to_string()));
        assert_eq!(SecondStepKind::from_code(""), None);
        assert!(!Role::Citizen.needs_second_step());
        assert!(Role::Officer.needs_second_step() && Role::Administrator.needs_second_step());
    }
}
