//! Admission: who a request acts for (its bearer token) and whether its rates let it in. Every
//! request is counted, whether or not its token is good: against the user's rate with a valid
//! token, else against the client address's; login attempts also per address and email.

use std::net::IpAddr;

use flowforge_core::throttle::{Decision, Throttle, ThrottleKey, tightest};
use flowforge_core::{Actor, Error, FlowForge};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::config::Settings;
use crate::reply::{Refusal, Reply};

/// Who a request acts for, once it was counted and let in.
pub enum Admission {
    /// A valid access token: the request acts as this user.
    Authenticated(Actor),
    /// No `Authorization` header.
    Anonymous,
    /// A token that is malformed, invalid, expired or revoked, or of a deactivated user: the
    /// request is answered with this error (it was still counted against the address's rate).
    CredentialsRefused(Error),
}

impl Admission {
    /// The user the request acts as, if any.
    pub fn user(&self) -> Option<flowforge_core::UserId> {
        match self {
            Admission::Authenticated(actor) => Some(actor.id()),
            Admission::Anonymous | Admission::CredentialsRefused(_) => None,
        }
    }
}

/// The server's rates, each `None` when turned off.
pub struct Throttles {
    anon: Option<Throttle>,
    user: Option<Throttle>,
    login: Option<Throttle>,
}

impl Throttles {
    /// The rates of `settings`, kept where `ff` keeps them (in memory, or in the database).
    pub fn new(ff: &FlowForge, settings: &Settings) -> Self {
        let throttle = |name: &str, rate: Option<_>| rate.map(|r| ff.throttle(name, r));
        Self {
            anon: throttle("anon", settings.throttle_anon.0),
            user: throttle("user", settings.throttle_user.0),
            login: throttle("login", settings.throttle_login.0),
        }
    }

    /// Authenticates the bearer token (if any) and counts the request against the user's rate
    /// or, without a valid token, the client address's. The error is the throttle's: the request is
    /// throttled, or a shared throttle's database fails. It may ask the database: run it on the
    /// blocking pool, in the same trip as the call it admits where it can, or on a connection
    /// held with `FlowForge::hold_reader` (one user's row: bounded work).
    pub fn admit(
        &self,
        ff: &FlowForge,
        bearer: Bearer,
        client: IpAddr,
        decisions: &mut Vec<Decision>,
    ) -> Result<Admission, Refusal> {
        let admission = match bearer {
            None => Admission::Anonymous,
            Some(Err(())) => Admission::CredentialsRefused(Error::Unauthenticated(
                "Authorization header must be \"Bearer <token>\".".into(),
            )),
            Some(Ok(token)) => match ff.authenticate_token(&token) {
                Ok(actor) => Admission::Authenticated(actor),
                Err(error) => Admission::CredentialsRefused(error),
            },
        };
        match &admission {
            Admission::Authenticated(actor) => {
                let key = ThrottleKey::User(actor.id().to_string());
                check(self.user.as_ref(), &key, decisions)?;
            }
            _ => check(self.anon.as_ref(), &ThrottleKey::Address(client), decisions)?,
        }
        Ok(admission)
    }

    /// Counts a login attempt for `email` from `address` (on the blocking pool, as `admit`).
    pub fn admit_login(
        &self,
        address: IpAddr,
        email: &str,
        decisions: &mut Vec<Decision>,
    ) -> Result<(), Refusal> {
        check(
            self.login.as_ref(),
            &ThrottleKey::login(address, email),
            decisions,
        )
    }
}

/// Checks a throttle (if the rate is on), recording its answer; a throttled answer ends the
/// request.
fn check(
    throttle: Option<&Throttle>,
    key: &ThrottleKey,
    decisions: &mut Vec<Decision>,
) -> Result<(), Refusal> {
    let Some(throttle) = throttle else {
        return Ok(());
    };
    let decision = throttle.check(key)?;
    decisions.push(decision);
    match decision {
        Decision::Allowed(_) => Ok(()),
        Decision::Throttled(quota) => Err(Error::Throttled {
            retry_after: quota.retry_after_secs().unwrap_or(1),
        }
        .into()),
    }
}

/// `reply` with the `RateLimit-*` headers of the tightest rate that applied, if any did.
pub fn with_rate_limit(mut reply: Reply, decisions: &[Decision]) -> Reply {
    if let Some(decision) = tightest(decisions) {
        let quota = decision.quota();
        for (name, value) in [
            ("ratelimit-limit", u64::from(quota.limit)),
            ("ratelimit-remaining", u64::from(quota.remaining)),
            ("ratelimit-reset", quota.reset_secs()),
        ] {
            reply
                .headers_mut()
                .insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
    reply
}

/// A request's bearer token: `None` without an `Authorization` header, `Err` for a header that
/// is not `Bearer <token>`.
pub type Bearer = Option<Result<String, ()>>;

/// The bearer token of the request.
pub fn bearer(headers: &HeaderMap) -> Bearer {
    let value = headers.get(header::AUTHORIZATION)?;
    let text = value.to_str().map_err(drop);
    Some(text.and_then(|t| {
        let (scheme, token) = t.trim().split_once(' ').ok_or(())?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            Ok(token.trim().to_owned())
        } else {
            Err(())
        }
    }))
}
