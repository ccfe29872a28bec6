//! Accounts: registration with an identity number, verified e-mail, sign-in, recovery.
//! Built in slices (issue 3); this first slice holds the account table, its store and the password rules. The pure
//! rules for identity numbers, e-mail and mobile numbers are in `domain::identity` and
//! `domain::contact`, shared with the browser.

#[cfg(feature = "ssr")]
pub mod messages;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// What an account may do. Officers and administrators must use a second factor.
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
}
