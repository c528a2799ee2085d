//! The account aggregate and the decisions about it: registration, sign-in, password changes,
//! email validation and activation. Pure: hashing and randomness are done by the caller, which
//! passes in their results.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    lockout::SignInFailures,
    password::{PasswordPolicy, Violation},
    profile::{Country, DisplayName},
};
use crate::{
    DomainError, Email, Language,
    catalog::Eligibility,
    error::FieldError,
    id::{AccountId, WaveId},
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Registered; sign-in waits for the email validation link.
    PendingVerification,
    /// Moved from the old shop; waits for the customer to set a password.
    PendingActivation,
    Active,
}

/// What an account may do, as stored with it and carried in its access tokens (`customer`,
/// `operator`): a typo cannot grant anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Buys and manages its own licenses: every account.
    Customer,
    /// Runs the shop's admin routes.
    Operator,
}

ascii_newtype! {
    /// The version of the terms of use, as published (`2026-10`); compared for equality only.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
    TermsVersion: trimmed visible 1..=32,
    "invalid_terms_version", "Terms version is 1 to 32 visible characters."
}

/// The stored password: its hash, when it was set, and the hashes of earlier ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRecord {
    pub hash: String,
    pub set_at: Timestamp,
    /// Earlier hashes, newest first (the current one is not repeated here).
    pub history: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub email: Email,
    pub name: DisplayName,
    pub company: Option<DisplayName>,
    pub country: Country,
    pub language: Language,
    pub status: AccountStatus,
    pub roles: Vec<Role>,
    pub terms_accepted: Option<TermsVersion>,
    pub password: Option<PasswordRecord>,
    /// Restricted product groups (EDU, GOV) this account may buy; set by an operator.
    #[serde(default)]
    pub eligibility: Vec<Eligibility>,
    pub created_at: Timestamp,
    /// Optimistic-lock counter: every stored change requires the version it read.
    pub version: u64,
    /// The migration wave that created it (moved from the old shop): its activation is
    /// counted in that wave's report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_from: Option<WaveId>,
}

/// A registration as the web app sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationForm {
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub company: Option<String>,
    pub country: String,
    #[serde(default)]
    pub language: Option<String>,
    pub password: String,
    pub accept_terms: bool,
    pub accept_privacy: bool,
}

/// A registration whose every field is valid; the password is checked but not yet hashed.
#[derive(Debug)]
pub struct Registration {
    pub email: Email,
    pub name: DisplayName,
    pub company: Option<DisplayName>,
    pub country: Country,
    pub language: Language,
    pub password: String,
}

/// Checks every field at once and lists each problem, so the form can mark them all.
pub fn check_registration(
    form: RegistrationForm,
    policy: &PasswordPolicy,
) -> Result<Registration, DomainError> {
    let mut fields = Vec::new();
    let mut field = |name: &str, problem: DomainError| {
        fields.push(FieldError {
            field: name.into(),
            code: problem.code(),
            detail: problem.to_string(),
        });
    };
    let email = take(&mut field, "email", Email::parse(&form.email));
    let name = take(&mut field, "name", DisplayName::parse(&form.name));
    let company = match form.company.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(c) => take(&mut field, "company", DisplayName::parse(c)).map(Some),
    };
    let country = take(&mut field, "country", Country::parse(&form.country));
    let language = match &form.language {
        None => Some(Language::En),
        Some(l) => take(&mut field, "language", l.parse()),
    };
    for v in policy.violations(&form.password) {
        fields.push(password_field(v));
    }
    if !form.accept_terms {
        fields.push(FieldError {
            field: "accept_terms".into(),
            code: "terms_not_accepted",
            detail: "Accept the terms of use.".into(),
        });
    }
    if !form.accept_privacy {
        fields.push(FieldError {
            field: "accept_privacy".into(),
            code: "privacy_not_accepted",
            detail: "Accept the privacy notice.".into(),
        });
    }
    match (email, name, company, country, language) {
        (Some(email), Some(name), Some(company), Some(country), Some(language))
            if fields.is_empty() =>
        {
            Ok(Registration {
                email,
                name,
                company,
                country,
                language,
                password: form.password,
            })
        }
        _ => Err(DomainError::Invalid {
            code: "invalid_registration",
            detail: "Some fields need another look.".into(),
            fields,
        }),
    }
}

/// The value of a field, or `None` after reporting why it is wrong.
fn take<T>(
    report: &mut impl FnMut(&str, DomainError),
    name: &str,
    parsed: Result<T, DomainError>,
) -> Option<T> {
    parsed.map_err(|e| report(name, e)).ok()
}

pub fn password_field(v: Violation) -> FieldError {
    FieldError {
        field: "password".into(),
        code: v.code(),
        detail: v.detail(),
    }
}

/// A new password set through an emailed link (activation, reset), typed twice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkPasswordForm {
    pub token: String,
    pub password: String,
    pub password_confirmation: String,
}

impl LinkPasswordForm {
    pub fn check(&self, policy: &PasswordPolicy) -> Result<(), DomainError> {
        check_new_password(policy, &self.password, &self.password_confirmation)
    }
}

/// A new password, typed twice: every broken rule and a mismatch, listed at once.
pub fn check_new_password(
    policy: &PasswordPolicy,
    password: &str,
    confirmation: &str,
) -> Result<(), DomainError> {
    let mut fields: Vec<FieldError> = policy
        .violations(password)
        .into_iter()
        .map(password_field)
        .collect();
    if password != confirmation {
        fields.push(FieldError {
            field: "password_confirmation".into(),
            code: "password_mismatch",
            detail: "The two passwords differ.".into(),
        });
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid {
            code: "invalid_password",
            detail: "Choose another password.".into(),
            fields,
        })
    }
}

/// What a sign-in attempt leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// The password is right and the account active; `password_expired` limits the session to
    /// changing the password.
    Granted { password_expired: bool },
    /// The password is right but the email was never validated. Only someone who knows the
    /// password learns this, so it reveals nothing to a guesser.
    EmailNotVerified,
    /// Unknown account, no password yet, locked, or wrong password: all answered alike.
    Refused,
}

impl SignIn {
    /// Every attempt but a granted one is recorded as a failure (an unknown email too), so
    /// all refusals do the same work and guessing is limited per email, known or not.
    pub fn is_failure(self) -> bool {
        !matches!(self, SignIn::Granted { .. })
    }
}

impl Account {
    /// Decides one attempt given the email's recorded `failures` and whether the password
    /// matched.
    pub fn sign_in(
        &self,
        failures: &SignInFailures,
        password_matches: bool,
        now: Timestamp,
        policy: &PasswordPolicy,
    ) -> SignIn {
        if failures.is_locked(now) {
            return SignIn::Refused;
        }
        let Some(password) = self.password.as_ref().filter(|_| password_matches) else {
            return SignIn::Refused;
        };
        match self.status {
            AccountStatus::PendingVerification => SignIn::EmailNotVerified,
            AccountStatus::PendingActivation => SignIn::Refused,
            AccountStatus::Active => SignIn::Granted {
                password_expired: policy.expired(password.set_at, now),
            },
        }
    }
}

/// How a new password comes in: the owner changing it (bound by the minimum age) or a reset
/// through an emailed link (which is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordChange {
    ByOwner,
    ByReset,
}

impl Account {
    /// The stored hashes a new password must differ from: the current one and the history,
    /// `policy.history` in all.
    pub fn recent_password_hashes<'a>(
        &'a self,
        policy: &PasswordPolicy,
    ) -> impl Iterator<Item = &'a str> {
        self.password
            .iter()
            .flat_map(|p| {
                std::iter::once(p.hash.as_str()).chain(p.history.iter().map(String::as_str))
            })
            .take(policy.history)
    }

    /// The account with `new_hash` as its password, the old one moved into the history.
    /// `reused` says whether the new password matched one of [`Account::recent_password_hashes`].
    pub fn with_new_password(
        &self,
        new_hash: String,
        reused: bool,
        how: PasswordChange,
        now: Timestamp,
        policy: &PasswordPolicy,
    ) -> Result<Account, DomainError> {
        if let (PasswordChange::ByOwner, Some(current)) = (how, &self.password)
            && !policy.old_enough_to_change(current.set_at, now)
        {
            let opens = current
                .set_at
                .checked_add(policy.min_age)
                .unwrap_or(current.set_at);
            return Err(DomainError::conflict(
                "password_too_recent",
                format!(
                    "The password was set less than {} days ago; it can be changed from {opens}.",
                    policy.min_age.as_hours() / 24
                ),
            ));
        }
        if reused {
            return Err(DomainError::Invalid {
                code: "invalid_password",
                detail: "Choose another password.".into(),
                fields: vec![FieldError {
                    field: "password".into(),
                    code: "password_reused",
                    detail: format!(
                        "Do not reuse any of your last {} passwords.",
                        policy.history
                    ),
                }],
            });
        }
        let history = self
            .password
            .iter()
            .flat_map(|p| std::iter::once(p.hash.clone()).chain(p.history.iter().cloned()))
            .take(policy.history.saturating_sub(1))
            .collect();
        Ok(Account {
            password: Some(PasswordRecord {
                hash: new_hash,
                set_at: now,
                history,
            }),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::SignedDuration;

    fn form() -> RegistrationForm {
        serde_json::from_value(serde_json::json!({
            "email": " Anna@Example.DE ", "name": "Anna Müller", "country": "de",
            "language": "de", "password": "Sonne#2026x", "accept_terms": true, "accept_privacy": true
        }))
        .unwrap()
    }

    fn account(status: AccountStatus) -> Account {
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        Account {
            id: AccountId::parse("acc-1").unwrap(),
            email: Email::parse("anna@example.de").unwrap(),
            name: DisplayName::parse("Anna").unwrap(),
            company: None,
            country: Country::parse("DE").unwrap(),
            language: Language::De,
            status,
            roles: vec![Role::Customer],
            terms_accepted: None,
            password: Some(PasswordRecord {
                hash: "h".into(),
                set_at: now,
                history: vec![],
            }),
            eligibility: Vec::new(),
            created_at: now,
            version: 1,
            moved_from: None,
        }
    }

    #[test]
    fn a_valid_form_becomes_a_registration() {
        let r = check_registration(form(), &PasswordPolicy::vendor()).unwrap();
        assert_eq!(r.email.as_str(), "anna@example.de");
        assert_eq!((r.country.as_str(), r.language), ("DE", Language::De));
        assert!(r.company.is_none());
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let mut f = form();
        f.email = "nope".into();
        f.country = "Germany".into();
        f.password = "short".into();
        f.accept_terms = false;
        let Err(DomainError::Invalid { fields, .. }) =
            check_registration(f, &PasswordPolicy::vendor())
        else {
            panic!("expected field errors");
        };
        let codes: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.code)).collect();
        assert_eq!(
            codes,
            vec![
                ("email", "invalid_email"),
                ("country", "invalid_country"),
                ("password", "password_too_short"),
                ("password", "password_needs_digit"),
                ("password", "password_needs_special"),
                ("accept_terms", "terms_not_accepted"),
            ]
        );
    }

    #[test]
    fn sign_in_decisions() {
        let p = PasswordPolicy::vendor();
        let none = SignInFailures::default();
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let active = account(AccountStatus::Active);
        assert_eq!(
            active.sign_in(&none, true, now, &p),
            SignIn::Granted {
                password_expired: false
            }
        );
        assert_eq!(active.sign_in(&none, false, now, &p), SignIn::Refused);
        assert!(SignIn::Refused.is_failure() && SignIn::EmailNotVerified.is_failure());
        let unverified = account(AccountStatus::PendingVerification);
        assert_eq!(
            unverified.sign_in(&none, true, now, &p),
            SignIn::EmailNotVerified
        );
        assert_eq!(unverified.sign_in(&none, false, now, &p), SignIn::Refused);
        let later = now + SignedDuration::from_hours(24 * 366);
        let granted = active.sign_in(&none, true, later, &p);
        assert_eq!(
            granted,
            SignIn::Granted {
                password_expired: true
            }
        );
        assert!(!granted.is_failure());
    }

    #[test]
    fn a_new_password_keeps_what_the_account_is_eligible_for() {
        let p = PasswordPolicy::vendor();
        let mut a = account(AccountStatus::Active);
        a.eligibility = vec![Eligibility::Edu];
        let later = a.password.as_ref().unwrap().set_at + SignedDuration::from_hours(24 * 30);
        for how in [PasswordChange::ByOwner, PasswordChange::ByReset] {
            let changed = a
                .with_new_password("n".into(), false, how, later, &p)
                .unwrap();
            assert_eq!(changed.eligibility, vec![Eligibility::Edu]);
        }
    }

    #[test]
    fn owners_wait_the_minimum_age_resets_do_not() {
        let p = PasswordPolicy::vendor();
        let a = account(AccountStatus::Active);
        let set = a.password.as_ref().unwrap().set_at;
        let soon = set + SignedDuration::from_hours(47);
        let err = a
            .with_new_password("n".into(), false, PasswordChange::ByOwner, soon, &p)
            .unwrap_err();
        assert_eq!(err.code(), "password_too_recent");
        assert!(
            a.with_new_password("n".into(), false, PasswordChange::ByReset, soon, &p)
                .is_ok()
        );
        let later = set + SignedDuration::from_hours(48);
        assert!(
            a.with_new_password("n".into(), false, PasswordChange::ByOwner, later, &p)
                .is_ok()
        );
        assert_eq!(
            a.with_new_password("n".into(), true, PasswordChange::ByReset, later, &p)
                .unwrap_err()
                .code(),
            "invalid_password"
        );
    }

    #[test]
    fn the_history_keeps_the_last_eight_passwords_in_all() {
        let p = PasswordPolicy::vendor();
        let mut a = account(AccountStatus::Active);
        let mut at = a.password.as_ref().unwrap().set_at;
        for i in 0..12 {
            at += SignedDuration::from_hours(24 * 3);
            a = a
                .with_new_password(format!("h{i}"), false, PasswordChange::ByOwner, at, &p)
                .unwrap();
        }
        let recent: Vec<&str> = a.recent_password_hashes(&p).collect();
        assert_eq!(recent, ["h11", "h10", "h9", "h8", "h7", "h6", "h5", "h4"]);
    }

    #[test]
    fn a_locked_account_refuses_even_the_right_password_until_the_lock_ends() {
        let p = PasswordPolicy::vendor();
        let now: Timestamp = "2026-11-23T10:00:00Z".parse().unwrap();
        let a = account(AccountStatus::Active);
        let locked = SignInFailures::replay(&[now; 5], &p.lockout);
        assert_eq!(a.sign_in(&locked, true, now, &p), SignIn::Refused);
        let after = now + SignedDuration::from_mins(15);
        assert_eq!(
            a.sign_in(&locked, true, after, &p),
            SignIn::Granted {
                password_expired: false
            }
        );
    }

    #[test]
    fn roles_are_stored_by_their_names_and_unknown_ones_refused() {
        let json = serde_json::to_value([Role::Customer, Role::Operator]).unwrap();
        assert_eq!(json, serde_json::json!(["customer", "operator"]));
        let mut stored = serde_json::to_value(account(AccountStatus::Active)).unwrap();
        assert_eq!(stored["roles"], serde_json::json!(["customer"]));
        stored["roles"] = serde_json::json!(["admin"]);
        assert!(serde_json::from_value::<Account>(stored).is_err());
    }
}
