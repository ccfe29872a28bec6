//! The one check every staff page, server function and handler makes before anything else:
//! the signed-in account holds the role, has set up its second sign-in step, and has a
//! confirmed address. Not a path prefix: a layer sees the raw path, the router a normalised
//! one, and a server function has no path of its page at all (issue 18, finding 1).
//! Anyone else is told "not found", as for a record that is not theirs.

use super::{Role, store};
use crate::{error::AppError, platform::db::Db};

/// Whether an account in this standing may act as `role` (pure, so the rule has its tests).
pub fn may_act_as(standing: &store::Standing, role: Role) -> bool {
    standing.role == role && standing.second_step && standing.address_confirmed
}

/// `account` (the signed-in one, if any) when it may act as `role`; else a refusal.
pub async fn require(db: &Db, account: Option<&str>, role: Role) -> Result<String, AppError> {
    let Some(account) = account else {
        return Err(AppError::refused("staff function, not signed in"));
    };
    match store::standing(db, account).await {
        Ok(Some(s)) if may_act_as(&s, role) => Ok(account.to_string()),
        Ok(_) => Err(AppError::refused(
            "staff function, not staff in good standing",
        )),
        Err(e) => Err(AppError::internal(e)),
    }
}

/// In a server function or a page: the signed-in administrator's account id.
pub async fn administrator(state: &crate::platform::state::AppState) -> Result<String, AppError> {
    let account = crate::platform::request::account();
    require(&state.db, account.as_deref(), Role::Administrator).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(role: &str, second_step: bool, address_confirmed: bool) -> store::Standing {
        store::Standing {
            role: crate::domain::account::Role::from_code(role).unwrap(),
            second_step,
            address_confirmed,
        }
    }

    #[test]
    fn an_administrator_acts_only_with_the_second_step_and_a_confirmed_address() {
        let admin = Role::Administrator;
        assert!(may_act_as(&standing("administrator", true, true), admin));
        assert!(!may_act_as(&standing("administrator", false, true), admin));
        assert!(!may_act_as(&standing("administrator", true, false), admin));
        assert!(!may_act_as(&standing("citizen", true, true), admin));
        assert!(!may_act_as(&standing("officer", true, true), admin));
    }
}
