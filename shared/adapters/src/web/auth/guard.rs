//! The check every protected route shares: a valid access token, an account that still exists,
//! a scope that allows the route, and the current terms of use accepted (412 otherwise).

use std::sync::Arc;

use lambda_http::{Request, http::header};
use shop_domain::{
    Clock, DomainError,
    account::model::{Account, Role},
    id::AccountId,
};

use super::jwt::{Claims, Scope, TokenVerifier};
use crate::{AppError, store::accounts::AccountsRepo};

/// What a route needs of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A full session and the current terms accepted: every ordinary route.
    Full,
    /// A full session; the terms may be outdated (the route that accepts them, the profile).
    FullAnyTerms,
    /// Any session, also the one issued for an expired password (the password change).
    PasswordChange,
}

/// Where a customer accepts the current terms.
pub const TERMS_LINK: &str = "/v1/me/terms";

/// The token of an `Authorization: Bearer <token>` value. The scheme is case-insensitive
/// (RFC 9110 11.1, formerly RFC 7235: `bearer`, `BEARER`), separated from the token by spaces.
pub fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub struct Caller {
    pub account: Account,
    pub claims: Claims,
}

pub struct Guard {
    pub verifier: TokenVerifier,
    pub accounts: AccountsRepo,
    pub clock: Arc<dyn Clock>,
}

impl Guard {
    pub async fn caller(&self, req: &Request, need: Need) -> Result<Caller, AppError> {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .ok_or_else(|| AppError::Unauthenticated("no bearer token".into()))?;
        let claims = self
            .verifier
            .verify(token.trim(), self.clock.now())
            .map_err(|e| AppError::Unauthenticated(e.to_string()))?;
        if claims.scope == Scope::PasswordChange && need != Need::PasswordChange {
            return Err(DomainError::forbidden(
                "password_change_required",
                "The password has expired: change it with PUT /v1/me/password first.",
            )
            .into());
        }
        let id = AccountId::parse(&claims.sub)
            .map_err(|_| AppError::Unauthenticated("bad subject".into()))?;
        let account = self
            .accounts
            .get(&id)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("account no longer exists".into()))?;
        if need == Need::Full
            && let Some(current) = self.accounts.current_terms().await?
            && account.terms_accepted.as_ref() != Some(&current)
        {
            return Err(DomainError::PreconditionFailed {
                code: "terms_not_accepted",
                detail: format!(
                    "The terms of use were updated (version {current}); accept them with POST {TERMS_LINK}."
                ),
                link: TERMS_LINK,
            }
            .into());
        }
        Ok(Caller { account, claims })
    }

    /// The caller of an admin route (`/v1/admin/...`): a valid token (401 otherwise) whose
    /// roles include `operator` and whose account still holds that role (a revoked operator's
    /// live token is refused at once): `403 operator_required` for anyone else. Operators are
    /// staff, so the customers' terms of use are not asked for.
    pub async fn operator(&self, req: &Request) -> Result<Caller, AppError> {
        let caller = self.caller(req, Need::FullAnyTerms).await?;
        let holds = |roles: &[Role]| roles.contains(&Role::Operator);
        if !holds(&caller.claims.roles) || !holds(&caller.account.roles) {
            return Err(DomainError::forbidden(
                "operator_required",
                "This route is for operators of the shop.",
            )
            .into());
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for value in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "bEaReR   abc",
            " Bearer abc ",
        ] {
            assert_eq!(bearer_token(value), Some("abc"), "{value:?}");
        }
        for value in [
            "",
            "Bearer",
            "Bearer ",
            "Basic abc",
            "Bearerabc",
            "Token abc",
            "abc",
        ] {
            assert_eq!(bearer_token(value), None, "{value:?}");
        }
    }
}
