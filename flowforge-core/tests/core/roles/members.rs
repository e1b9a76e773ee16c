//! The role matrices of memberships: who may read members and lists, add members with which
//! role, change whose role to what, remove whom, and leave; and the last owner.

use flowforge_core::{
    Actor, MemberQuery, MembershipPatch, NewMembership, OrgQuery, ProjectQuery, Role, TaskQuery,
};

use super::{Expect, NO, OK};
use crate::support::{Mismatches, ROLES, World, add, user};

/// A user of the world's organization with `role`, added by the owner, who is nobody else in
/// the tables (so that an actor never acts on themselves by accident).
fn another(w: &World, name: &str, role: Role) -> Actor {
    let other = user(&w.ff, &format!("{name}@acme.example"));
    add(&w.ff, &w.owner, &w.org, &other, role);
    other
}

#[test]
fn role_matrix_of_membership_reads() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    for role in ROLES {
        let actor = w.as_role(role);
        let result = w.ff.list_members(actor, w.org.id, &MemberQuery::default());
        mismatches.check(result.as_ref().is_ok_and(|page| page.count == 4), || {
            format!("list members as {role}: expected the 4 members, got {result:?}")
        });
        for target in ROLES {
            let result = w.ff.get_member(actor, w.org.id, w.as_role(target).id());
            mismatches.check(
                result
                    .as_ref()
                    .is_ok_and(|m| m.role == target && m.user.id == w.as_role(target).id()),
                || {
                    format!(
                        "get the {target} as {role}: expected the {target}'s membership, got {result:?}"
                    )
                },
            );
        }
    }
    mismatches.assert_none();
}

#[test]
fn every_role_lists_what_its_organization_holds() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    for role in ROLES {
        let actor = w.as_role(role);
        let orgs = w.ff.list_organizations(actor, &OrgQuery::default());
        mismatches.check(
            orgs.as_ref().is_ok_and(|p| {
                p.count == 1
                    && p.items.len() == 1
                    && p.items[0].id == w.org.id
                    && p.items[0].role == role
            }),
            || {
                format!(
                    "list organizations as {role}: expected only Acme with role {role}, got {orgs:?}"
                )
            },
        );
        let projects = w.ff.list_projects(actor, &ProjectQuery::default());
        mismatches.check(
            projects
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|i| i.id).eq([w.project.id])),
            || format!("list projects as {role}: expected only Launch, got {projects:?}"),
        );
        let tasks = w.ff.list_tasks(actor, &TaskQuery::default());
        mismatches.check(
            tasks
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|i| i.id).eq([w.task.id])),
            || format!("list tasks as {role}: expected only the press release, got {tasks:?}"),
        );
    }
    mismatches.assert_none();
}

#[test]
fn role_matrix_of_adding_members() {
    // Rows: the actor. Columns: the role granted (owner, admin, member, viewer).
    let table: [(Role, [Expect; 4]); 4] = [
        (Role::Owner, [OK, OK, OK, OK]),
        (Role::Admin, [NO, OK, OK, OK]),
        (Role::Member, [NO, NO, NO, NO]),
        (Role::Viewer, [NO, NO, NO, NO]),
    ];
    let mut mismatches = Mismatches::default();
    for (actor_role, row) in table {
        let w = World::new();
        for (granted, expected) in ROLES.into_iter().zip(row) {
            let newcomer = user(&w.ff, &format!("new-{granted}@acme.example"));
            let what = format!("add a new {granted} as {actor_role}");
            let input = NewMembership {
                email: newcomer.user().email.clone(),
                role: granted,
            };
            mismatches.outcome(
                &what,
                expected,
                w.ff.add_member(w.as_role(actor_role), w.org.id, &input),
            );
            mismatches.effect(&what, expected, w.role_of(newcomer.id()) == Some(granted));
        }
    }
    mismatches.assert_none();
}

#[test]
fn role_matrix_of_changing_member_roles() {
    // For each actor: rows are the target's current role, columns the new role (owner, admin,
    // member, viewer). The target is always someone other than the actor.
    let all = [OK, OK, OK, OK];
    let none = [NO, NO, NO, NO];
    let table: [(Role, [[Expect; 4]; 4]); 4] = [
        (Role::Owner, [all, all, all, all]),
        (
            Role::Admin,
            [none, none, [NO, OK, OK, OK], [NO, OK, OK, OK]],
        ),
        (Role::Member, [none, none, none, none]),
        (Role::Viewer, [none, none, none, none]),
    ];
    let mut mismatches = Mismatches::default();
    for (actor_role, rows) in table {
        let w = World::new();
        for (from, row) in ROLES.into_iter().zip(rows) {
            for (to, expected) in ROLES.into_iter().zip(row) {
                let target = another(&w, &format!("{from}-to-{to}"), from);
                let what = format!("change another {from} to {to} as {actor_role}");
                let patch = MembershipPatch { role: Some(to) };
                let result =
                    w.ff.update_member(w.as_role(actor_role), w.org.id, target.id(), &patch);
                mismatches.outcome(&what, expected, result);
                let now = w.role_of(target.id());
                let want = if expected == OK { to } else { from };
                mismatches.check(now == Some(want), || {
                    format!("{what}: the target's role is now {now:?}, expected {want}")
                });
            }
        }
    }
    mismatches.assert_none();
}

#[test]
fn role_matrix_of_removing_members() {
    // Rows: the actor. Columns: the role of the member removed (someone other than the actor).
    let table: [(Role, [Expect; 4]); 4] = [
        (Role::Owner, [OK, OK, OK, OK]),
        (Role::Admin, [NO, NO, OK, OK]),
        (Role::Member, [NO, NO, NO, NO]),
        (Role::Viewer, [NO, NO, NO, NO]),
    ];
    let mut mismatches = Mismatches::default();
    for (actor_role, row) in table {
        let w = World::new();
        for (target_role, expected) in ROLES.into_iter().zip(row) {
            let target = another(&w, &format!("other-{target_role}"), target_role);
            let what = format!("remove another {target_role} as {actor_role}");
            mismatches.outcome(
                &what,
                expected,
                w.ff.remove_member(w.as_role(actor_role), w.org.id, target.id()),
            );
            mismatches.effect(&what, expected, w.role_of(target.id()).is_none());
        }
    }
    mismatches.assert_none();
}

#[test]
fn every_role_may_leave_but_only_an_owner_may_change_their_own_role() {
    // Rows: the actor. Columns: the new role (owner, admin, member, viewer). One world per actor,
    // with a second owner (so that the owner is never the last one here) who puts the actor's
    // role back after each change; leaving comes last.
    let table: [(Role, [Expect; 4]); 4] = [
        (Role::Owner, [OK, OK, OK, OK]),
        (Role::Admin, [NO, NO, NO, NO]),
        (Role::Member, [NO, NO, NO, NO]),
        (Role::Viewer, [NO, NO, NO, NO]),
    ];
    let mut mismatches = Mismatches::default();
    for (role, row) in table {
        let w = World::new();
        let co_owner = another(&w, "co-owner", Role::Owner);
        let actor = w.as_role(role);
        for (to, expected) in ROLES.into_iter().zip(row) {
            let what = format!("change one's own role to {to} as {role}");
            let patch = MembershipPatch { role: Some(to) };
            mismatches.outcome(
                &what,
                expected,
                w.ff.update_member(actor, w.org.id, actor.id(), &patch),
            );
            let now = w.role_of(actor.id());
            let want = if expected == OK { to } else { role };
            mismatches.check(now == Some(want), || {
                format!("{what}: the role is now {now:?}, expected {want}")
            });
            let back = MembershipPatch { role: Some(role) };
            w.ff.update_member(&co_owner, w.org.id, actor.id(), &back)
                .expect("the co-owner restores the role");
        }
        let what = format!("leave the organization as {role}");
        mismatches.outcome(&what, OK, w.ff.remove_member(actor, w.org.id, actor.id()));
        mismatches.effect(&what, OK, w.role_of(actor.id()).is_none());
    }
    mismatches.assert_none();
}

#[test]
fn the_last_owner_can_neither_leave_nor_be_demoted() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    let owner = w.owner.id();
    mismatches.outcome(
        "the last owner leaves",
        Expect::LastOwner,
        w.ff.remove_member(&w.owner, w.org.id, owner),
    );
    for to in [Role::Admin, Role::Member, Role::Viewer] {
        let patch = MembershipPatch { role: Some(to) };
        let result = w.ff.update_member(&w.owner, w.org.id, owner, &patch);
        mismatches.outcome(
            &format!("the last owner demotes themselves to {to}"),
            Expect::LastOwner,
            result,
        );
        // An admin may not touch an owner at all: that is a matter of role, not of the last owner.
        let result = w.ff.update_member(&w.admin, w.org.id, owner, &patch);
        mismatches.outcome(
            &format!("demote the last owner to {to} as admin"),
            NO,
            result,
        );
    }
    for role in [Role::Admin, Role::Member, Role::Viewer] {
        let result = w.ff.remove_member(w.as_role(role), w.org.id, owner);
        mismatches.outcome(&format!("remove the last owner as {role}"), NO, result);
    }
    let now = w.role_of(owner);
    mismatches.check(now == Some(Role::Owner), || {
        format!("the last owner is still the owner (found {now:?})")
    });
    mismatches.assert_none();
}
