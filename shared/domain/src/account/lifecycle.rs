//! How an account comes to be and moves on: registered by its owner or invited (by a
//! colleague's seat, or by an operator), verified or activated through an emailed link, and
//! the terms accepted. Each step says what changes; the repository stores the account under
//! the version it read, so these keep the version (see [`Account::next_version`]).

use jiff::Timestamp;

use super::{
    model::{Account, AccountStatus, PasswordRecord, Registration, Role, TermsVersion},
    profile::{Country, DisplayName},
};
use crate::{
    DomainError, Email, Language,
    id::{AccountId, WaveId},
};

impl PasswordRecord {
    /// A first password (registration, activation): no history yet.
    pub fn first(hash: String, set_at: Timestamp) -> PasswordRecord {
        PasswordRecord {
            hash,
            set_at,
            history: Vec::new(),
        }
    }
}

/// Who is invited to an account they did not register themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub email: Email,
    pub name: DisplayName,
    pub company: Option<DisplayName>,
    pub country: Country,
    pub language: Language,
}

impl Invitee {
    /// A colleague given a seat by `owner`: named after the email's local part, in the
    /// owner's company, country and language until they change it.
    pub fn colleague_of(owner: &Account, email: Email) -> Result<Invitee, DomainError> {
        let local = email.as_str().split('@').next().unwrap_or("colleague");
        Ok(Invitee {
            name: DisplayName::parse(local)?,
            email,
            company: owner.company.clone(),
            country: owner.country.clone(),
            language: owner.language,
        })
    }
}

impl Account {
    /// A registration as stored: its email waits for verification, the password (`hash`)
    /// is set now, and ticking the box accepted the terms in force (`terms`).
    pub fn registered(
        id: AccountId,
        registration: Registration,
        hash: String,
        terms: Option<TermsVersion>,
        now: Timestamp,
    ) -> Account {
        Account {
            id,
            email: registration.email,
            name: registration.name,
            company: registration.company,
            country: registration.country,
            language: registration.language,
            status: AccountStatus::PendingVerification,
            roles: vec![Role::Customer],
            terms_accepted: terms,
            password: Some(PasswordRecord::first(hash, now)),
            eligibility: Vec::new(),
            created_at: now,
            version: 1,
            moved_from: None,
        }
    }

    /// An account someone else opened for `invitee`: no password and no terms until its
    /// holder activates it through the emailed link.
    pub fn invited(id: AccountId, invitee: Invitee, now: Timestamp) -> Account {
        let Invitee {
            email,
            name,
            company,
            country,
            language,
        } = invitee;
        Account {
            id,
            email,
            name,
            company,
            country,
            language,
            status: AccountStatus::PendingActivation,
            roles: vec![Role::Customer],
            terms_accepted: None,
            password: None,
            eligibility: Vec::new(),
            created_at: now,
            version: 1,
            moved_from: None,
        }
    }

    /// An account moved from the old shop by migration wave `wave`: invited (no password, no
    /// terms until activation), remembering its wave so the activation is counted there.
    pub fn moved(id: AccountId, invitee: Invitee, wave: WaveId, now: Timestamp) -> Account {
        Account {
            moved_from: Some(wave),
            ..Account::invited(id, invitee, now)
        }
    }

    /// Whether `next` (this account's next version) is its activation after a move: the
    /// change a wave's `n_activated` counts.
    pub fn activates_moved(&self, next: &Account) -> Option<&WaveId> {
        let activates =
            self.status == AccountStatus::PendingActivation && next.status == AccountStatus::Active;
        self.moved_from.as_ref().filter(|_| activates)
    }

    /// The account once its email was verified through the link.
    pub fn verified(self) -> Account {
        Account {
            status: AccountStatus::Active,
            ..self
        }
    }

    /// An invited account once its holder set the first password (`hash`) at `now`.
    pub fn activated(self, hash: String, now: Timestamp) -> Account {
        Account {
            status: AccountStatus::Active,
            password: Some(PasswordRecord::first(hash, now)),
            ..self
        }
    }

    /// The account with `version` of the terms accepted.
    pub fn with_terms_accepted(self, version: TermsVersion) -> Account {
        Account {
            terms_accepted: Some(version),
            ..self
        }
    }

    /// The account as its next stored version: what a conditional write stores over the one
    /// read, so a change decided on stale data fails.
    pub fn next_version(&self) -> Account {
        Account {
            version: self.version + 1,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::model::{RegistrationForm, check_registration};
    use crate::account::password::PasswordPolicy;

    fn now() -> Timestamp {
        "2026-11-22T10:00:00Z".parse().unwrap()
    }

    fn registered() -> Account {
        let form: RegistrationForm = serde_json::from_value(serde_json::json!({
            "email": "anna@example.de", "name": "Anna", "country": "DE", "language": "fr",
            "password": "Sonne#2026x", "accept_terms": true, "accept_privacy": true
        }))
        .unwrap();
        let registration = check_registration(form, &PasswordPolicy::vendor()).unwrap();
        let terms = TermsVersion::parse("2026-10").ok();
        Account::registered(
            AccountId::parse("a1").unwrap(),
            registration,
            "h1".into(),
            terms,
            now(),
        )
    }

    #[test]
    fn only_the_activation_of_a_moved_account_counts_in_its_wave() {
        let r = registered();
        let invitee = Invitee {
            email: r.email.clone(),
            name: r.name.clone(),
            company: None,
            country: r.country.clone(),
            language: r.language,
        };
        let wave = WaveId::parse("w1").unwrap();
        let moved = Account::moved(r.id.clone(), invitee.clone(), wave.clone(), now());
        assert_eq!(moved.status, AccountStatus::PendingActivation);
        let active = moved.clone().activated("h".into(), now());
        assert_eq!(moved.activates_moved(&active), Some(&wave));
        // A later change of the active account (a reset) is no activation.
        assert_eq!(active.activates_moved(&active.next_version()), None);
        let invited = Account::invited(r.id.clone(), invitee, now());
        let invited_active = invited.clone().activated("h".into(), now());
        assert_eq!(invited.activates_moved(&invited_active), None);
    }

    #[test]
    fn a_registration_waits_for_its_email_with_the_terms_in_force() {
        let a = registered();
        assert_eq!(a.status, AccountStatus::PendingVerification);
        assert_eq!(a.language, Language::Fr);
        assert_eq!(
            a.terms_accepted.as_ref().map(|t| t.as_str()),
            Some("2026-10")
        );
        assert_eq!(a.password.as_ref().map(|p| p.set_at), Some(now()));
        let verified = a.clone().verified();
        assert_eq!(verified.status, AccountStatus::Active);
        assert_eq!(verified.version, a.version);
    }

    #[test]
    fn a_colleague_is_invited_in_the_owners_country_and_activates_with_a_password() {
        let mut owner = registered();
        owner.company = DisplayName::parse("Sonnen GmbH").ok();
        let email = Email::parse("ben.k@example.de").unwrap();
        let invitee = Invitee::colleague_of(&owner, email).unwrap();
        assert_eq!(invitee.name.as_str(), "ben.k");
        let later = now()
            .checked_add(jiff::SignedDuration::from_hours(1))
            .unwrap();
        let invited = Account::invited(AccountId::parse("a2").unwrap(), invitee, now());
        assert_eq!(invited.status, AccountStatus::PendingActivation);
        assert!(invited.password.is_none() && invited.terms_accepted.is_none());
        assert_eq!(invited.company, owner.company);
        let active = invited.activated("h2".into(), later);
        assert_eq!(active.status, AccountStatus::Active);
        assert_eq!(
            active.password.map(|p| (p.hash, p.set_at)),
            Some(("h2".into(), later))
        );
    }

    #[test]
    fn accepting_terms_keeps_the_version_and_the_next_version_counts_up() {
        let a = registered();
        let v = TermsVersion::parse("2027-01").unwrap();
        let accepted = a.clone().with_terms_accepted(v.clone());
        assert_eq!(accepted.terms_accepted, Some(v));
        assert_eq!(accepted.version, a.version);
        assert_eq!(a.next_version().version, a.version + 1);
    }
}
