//! Password hashing (argon2id with OWASP's recommended parameters) and the password rules.
//! Verification of an unknown user runs against a fixed dummy hash so that it costs the same
//! time as for a known one.

use std::sync::{Condvar, Mutex, OnceLock, PoisonError};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::{Error, Result};

/// argon2id, 7 MiB of memory, 5 iterations, 1 lane: of the configurations OWASP's password
/// storage cheat sheet gives as equally strong (19 MiB and 2 iterations among them, the same
/// work), the one that holds the least memory while it runs.
fn params() -> Params {
    Params::new(7 * 1024, 5, 1, None).unwrap_or_default()
}

/// Whether `stored` is not an argon2id hash of today's parameters (an older one is hashed again
/// at its user's next login).
pub(crate) fn is_outdated(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || Params::try_from(&parsed).map_or(true, |p| {
            let now = params();
            (p.m_cost(), p.t_cost(), p.p_cost()) != (now.m_cost(), now.t_cost(), now.p_cost())
        })
}

/// Hashes `password` with a fresh random salt, in PHC string form.
///
/// # Errors
/// [`Error::Internal`] if the hasher fails (it does not for valid parameters).
pub(crate) fn hash(password: &str) -> Result<String> {
    let internal = |e: argon2::password_hash::Error| Error::Internal(e.to_string().into());
    let salt = SaltString::generate(&mut OsRng);
    let params = params();
    let mut salt_bytes = [0; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(internal)?;
    let mut out = [0; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &params,
        Algorithm::Argon2id,
        Version::V0x13,
        password,
        salt_bytes,
        &mut out,
    )
    .map_err(|e| internal(e.into()))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(internal)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches `stored`; a malformed stored hash matches nothing.
pub(crate) fn verify(stored: &str, password: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    #[cfg(test)]
    VERIFICATIONS.with(|n| n.set(n.get() + 1));
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let algorithm = Algorithm::try_from(parsed.algorithm);
    let version = parsed
        .version
        .map_or(Ok(Version::default()), Version::try_from);
    let (Ok(algorithm), Ok(version), Ok(params)) = (algorithm, version, Params::try_from(&parsed))
    else {
        return false;
    };
    let mut salt_bytes = [0; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0; expected.len()];
    compute(&params, algorithm, version, password, salt_bytes, &mut out).is_ok()
        // `Output`'s equality takes the same time wherever the outputs differ.
        && Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Runs argon2 into `out` in a reused work area.
fn compute(
    params: &Params,
    algorithm: Algorithm,
    version: Version,
    password: &str,
    salt: &[u8],
    out: &mut [u8],
) -> argon2::Result<()> {
    let hasher = Argon2::new(algorithm, version, params.clone());
    WORK_AREAS.with(params.block_count(), |blocks| {
        hasher.hash_password_into_with_memory(password.as_bytes(), salt, out, blocks)
    })
}

/// The memory argon2 fills, 7 MiB per hash (more for an older hash's parameters), kept and
/// reused by at most one hash per core at a time. Hashing is all CPU, so more at once only queue
/// inside the kernel; and a fresh area per hash was memory glibc's allocator kept: 32
/// connections logging in for 5 s left the server at 4.3 GB of RSS. The areas are freed when
/// the last hash ends with none waiting, so a server that is not hashing holds none.
struct WorkAreas {
    state: Mutex<AreaState>,
    returned: Condvar,
}

#[derive(Default)]
struct AreaState {
    idle: Vec<Vec<Block>>,
    lent: usize,
    waiting: usize,
}

static WORK_AREAS: WorkAreas = WorkAreas {
    state: Mutex::new(AreaState {
        idle: Vec::new(),
        lent: 0,
        waiting: 0,
    }),
    returned: Condvar::new(),
};

impl WorkAreas {
    /// Runs `f` with a work area of at least `blocks` blocks, waiting while every core's is lent.
    fn with<T>(&self, blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        let limit = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.idle.is_empty() && state.lent >= limit {
            state.waiting += 1;
            state = self
                .returned
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.waiting -= 1;
        }
        let mut lent = Lent {
            areas: self,
            area: state.idle.pop().unwrap_or_default(),
        };
        state.lent += 1;
        drop(state);
        if lent.area.len() < blocks {
            lent.area.resize(blocks, Block::new());
        }
        f(&mut lent.area)
    }
}

/// A lent work area, given back when dropped (even by a panic in the hash).
struct Lent<'a> {
    areas: &'a WorkAreas,
    area: Vec<Block>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let mut state = self
            .areas
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.lent -= 1;
        if state.lent == 0 && state.waiting == 0 {
            state.idle.clear();
        } else if self.area.len() <= params().block_count() {
            // An area grown for an older hash's parameters is not kept.
            state.idle.push(std::mem::take(&mut self.area));
        }
        drop(state);
        self.areas.returned.notify_one();
    }
}

/// Spends the time of one verification for an email that has no account: a real argon2id
/// verification against a hash of the same parameters, made once, on first use.
pub(crate) fn verify_dummy(password: &str) {
    // `black_box`: the answer is thrown away, and an optimizer that saw that could drop part of
    // the work, making an unknown email measurably faster than a wrong password.
    std::hint::black_box(verify(dummy_hash(), std::hint::black_box(password)));
}

/// The hash unknown emails are verified against.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash("flowforge-timing-equalizer").unwrap_or_default())
}

/// A hash of `password` with the parameters FlowForge used before (19 MiB, 2 iterations).
#[cfg(test)]
pub(crate) fn hash_with_older_parameters(password: &str) -> String {
    use argon2::password_hash::PasswordHasher;
    let older = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).unwrap_or_default(),
    );
    let salt = SaltString::generate(&mut OsRng);
    older
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
thread_local! {
    /// How many argon2 verifications ran on this thread (tests count them).
    static VERIFICATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many argon2 verifications have run on this thread.
#[cfg(test)]
pub(crate) fn verifications() -> u64 {
    VERIFICATIONS.with(std::cell::Cell::get)
}

/// Checks `password` against the rules, naming the `password` field in the error.
pub(crate) fn check_rules(password: &str, email: &str) -> Result<()> {
    let mut errors = crate::error::FieldErrors::default();
    add_rule_violations(&mut errors, "password", password, email);
    errors.into_result()
}

/// Adds each rule `password` breaks to `errors`, under `field`.
pub(crate) fn add_rule_violations(
    errors: &mut crate::error::FieldErrors,
    field: &str,
    password: &str,
    email: &str,
) {
    for message in rule_violations(password, email) {
        errors.add(field, message);
    }
}

/// The shortest password, in characters.
pub(crate) const MIN_PASSWORD: usize = 8;
/// The longest password, in characters.
pub(crate) const MAX_PASSWORD: usize = 128;

/// The password rules: at least 8 characters, not all digits, not the email or its local part.
pub(crate) fn rule_violations(password: &str, email: &str) -> Vec<&'static str> {
    let mut messages = Vec::new();
    if password.chars().count() < MIN_PASSWORD {
        messages.push("This password is too short. It must contain at least 8 characters.");
    }
    if !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
        messages.push("This password is entirely numeric.");
    }
    if password.chars().count() > MAX_PASSWORD {
        messages.push("Ensure this field has no more than 128 characters.");
    }
    let lowered = password.to_lowercase();
    let local = email.split('@').next().unwrap_or_default();
    if !email.is_empty() && (lowered == email || lowered == local) {
        messages.push("The password may not be the email address or its local part.");
    }
    messages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(!is_outdated(&stored));
        assert!(verify(&stored, "correct horse"));
        assert!(!verify(&stored, "correct horsE"));
        assert!(!verify("not a hash", "correct horse"));
    }

    #[test]
    fn a_hash_of_other_parameters_verifies_and_is_outdated() {
        let stored = hash_with_older_parameters("correct horse");
        assert!(verify(&stored, "correct horse"));
        assert!(is_outdated(&stored));
        assert!(is_outdated("not a hash"));
    }

    #[test]
    fn hashes_agree_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = standard.hash_password(b"correct horse", &salt).unwrap();
        assert!(verify(&theirs.to_string(), "correct horse"));
        assert!(!verify(&theirs.to_string(), "correct horsE"));
        let ours = hash("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(standard.verify_password(b"correct horse", &parsed).is_ok());
    }

    #[test]
    fn hashes_at_once_share_at_most_one_work_area_per_core() {
        let stored = hash("correct horse").unwrap();
        let limit = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        std::thread::scope(|s| {
            for _ in 0..limit * 3 {
                s.spawn(|| assert!(verify(&stored, "correct horse")));
            }
        });
        let state = WORK_AREAS.state.lock().unwrap();
        assert!(
            state.idle.len() + state.lent <= limit,
            "{} areas",
            state.idle.len()
        );
    }

    #[test]
    fn areas_are_kept_for_waiting_hashes_only_and_never_grown_ones() {
        let areas = WorkAreas {
            state: Mutex::default(),
            returned: Condvar::new(),
        };
        let current = params().block_count();
        let idle = || {
            let state = areas.state.lock().unwrap();
            state.idle.iter().map(Vec::len).collect::<Vec<_>>()
        };
        // While a hash waits, an ending hash gives its area back for it.
        areas.state.lock().unwrap().waiting = 1;
        areas.with(current * 3, |area| assert_eq!(area.len(), current * 3));
        assert_eq!(idle(), [0; 0], "the larger area was dropped");
        areas.with(current, |area| assert_eq!(area.len(), current));
        assert_eq!(idle(), [current], "an area of today's size is kept");
        areas.state.lock().unwrap().waiting = 0;
        areas.with(current, |area| assert_eq!(area.len(), current));
        assert_eq!(idle(), [0; 0], "the last hash to end frees every area");
    }

    #[test]
    fn the_dummy_hash_has_the_parameters_of_a_real_one() {
        let real = hash("correct horse").unwrap();
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).map(str::to_owned);
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn password_rules_name_every_violation() {
        assert!(rule_violations("long enough pass", "ann@example.com").is_empty());
        assert_eq!(rule_violations("1234567", "a@b.co").len(), 2);
        assert_eq!(
            rule_violations("Ann.Smith", "ann.smith@example.com"),
            ["The password may not be the email address or its local part."]
        );
        assert_eq!(
            rule_violations("ANN@EXAMPLE.COM", "ann@example.com").len(),
            1
        );
    }
}
