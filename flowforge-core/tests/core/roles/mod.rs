//! The role matrix: every tenant operation of the contract for every role (owner, admin, member,
//! viewer) in its own organization, and across tenants (an outsider on the organization's
//! resources, the organization's members on a foreign organization's).
//!
//! Tables list the expected outcome per role in the order owner, admin, member, viewer. A
//! read-only operation runs on one shared world; a mutating one gets a fresh world per role, and
//! afterwards a probe (run as the owner) checks that the change was made when allowed and that
//! nothing was written when refused. Every mismatch is collected and reported together, each
//! naming the operation and the role.

mod comments;
mod cross_tenant;
mod members;
mod resources;

use std::fmt::Debug;

use flowforge_core::{Actor, Error};

use crate::support::{Mismatches, ROLES, World};

/// What an operation must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// `Ok`, and the change is made.
    Allowed,
    /// `Err(Error::Forbidden(_))`, and nothing is written.
    Forbidden,
    /// `Err(Error::Conflict(_))` for the last owner, and nothing is written.
    LastOwner,
    /// Exactly `Err(Error::NotFound("Not found."))`.
    NotFound,
    /// `Err(Error::Validation(_))` naming this field.
    Invalid(&'static str),
}

const OK: Expect = Expect::Allowed;
const NO: Expect = Expect::Forbidden;

impl Expect {
    fn matches<T>(self, result: &Result<T, Error>) -> bool {
        match (self, result) {
            (Expect::Allowed, Ok(_)) => true,
            (Expect::Forbidden, Err(Error::Forbidden(_))) => true,
            (Expect::LastOwner, Err(Error::Conflict(message))) => message.contains("owner"),
            (Expect::NotFound, Err(Error::NotFound(message))) => message == "Not found.",
            (Expect::Invalid(field), Err(Error::Validation(errors))) => errors.get(field).is_some(),
            _ => false,
        }
    }
}

impl Mismatches {
    /// Records a mismatch unless `result` is what `expected` says.
    fn outcome<T: Debug>(&mut self, what: &str, expected: Expect, result: Result<T, Error>) {
        self.check(expected.matches(&result), || {
            format!("{what}: expected {expected:?}, got {result:?}")
        });
    }

    /// Records a mismatch unless the change happened exactly when it was allowed.
    fn effect(&mut self, what: &str, expected: Expect, changed: bool) {
        let allowed = expected == OK;
        self.check(changed == allowed, || {
            let said = if allowed {
                "was allowed but its change is not visible"
            } else {
                "was refused but wrote its change"
            };
            format!("{what}: {said}")
        });
    }
}

type Run = fn(&World, &Actor) -> Result<(), Error>;
type Probe = fn(&World) -> bool;

/// One operation of a role matrix.
struct Op {
    name: &'static str,
    /// Owner, admin, member, viewer.
    expect: [Expect; 4],
    run: Run,
    /// For a mutating operation: whether its change is visible afterwards.
    changed: Option<Probe>,
}

/// A read-only operation.
fn read(name: &'static str, expect: [Expect; 4], run: Run) -> Op {
    Op {
        name,
        expect,
        run,
        changed: None,
    }
}

/// A mutating operation, with the probe that sees its change.
fn write(name: &'static str, expect: [Expect; 4], run: Run, changed: Probe) -> Op {
    Op {
        name,
        expect,
        run,
        changed: Some(changed),
    }
}

/// Runs every operation as every role.
#[track_caller]
fn run_matrix(ops: &[Op]) {
    let shared = World::new();
    let mut mismatches = Mismatches::default();
    for op in ops {
        for (role, expected) in ROLES.into_iter().zip(op.expect) {
            let fresh;
            let w = if op.changed.is_some() {
                fresh = World::new();
                &fresh
            } else {
                &shared
            };
            let what = format!("{} as {role}", op.name);
            mismatches.outcome(&what, expected, (op.run)(w, w.as_role(role)));
            if let Some(changed) = op.changed {
                mismatches.effect(&what, expected, changed(w));
            }
        }
    }
    mismatches.assert_none();
}
