//! Resources by id: an organization, a member, a project or a task of another tenant (or a
//! deleted task) answers every operation exactly like one that does not exist, and nothing is
//! written.

use flowforge_core::{
    Actor, Error, MemberQuery, MembershipPatch, NewMembership, OrgId, OrgPatch, ProjectId,
    ProjectPatch, Role, TaskId, TaskPatch, UserId,
};

use super::{View, answer, assert_unchanged, snapshot, views};
use crate::support::{
    Mismatches, ROLES, World, archive_project, rename_org, rename_project, retitle,
};

/// An operation on the resource with the given id, its answer reduced to success or the error.
type Op<Id> = fn(&World, &Actor, Id) -> Result<(), Error>;

/// Runs each of `ops` as every view, once on the other tenant's resource (`foreign` picks it)
/// and once on a new id (`missing` makes it), and asserts that both give the plain not-found
/// answer and that nothing was written.
#[track_caller]
fn assert_foreign_like_missing<Id: Copy + ToString>(
    ops: &[(&str, Op<Id>)],
    foreign: fn(&View<'_>) -> Id,
    missing: fn() -> Id,
) {
    let w = World::new();
    let before = snapshot(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in ops {
            let (foreign_id, missing_id) = (foreign(&view), missing());
            let foreign = answer(op(&w, view.actor, foreign_id), &[&foreign_id]);
            let missing = answer(op(&w, view.actor, missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} as {}", view.who), &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_foreign_organization_answers_like_a_missing_one() {
    // Deletions last, so that one that wrongly succeeds hides nothing after it.
    let ops: [(&str, Op<OrgId>); 9] = [
        ("get organization", |w, a, id| {
            w.ff.get_organization(a, id).map(drop)
        }),
        ("rename organization", |w, a, id| {
            w.ff.update_organization(a, id, &rename_org("Renamed"))
                .map(drop)
        }),
        ("rename organization to an invalid name", |w, a, id| {
            let patch = OrgPatch {
                name: Some("1".into()),
                slug: Some("Not A Slug".into()),
            };
            w.ff.update_organization(a, id, &patch).map(drop)
        }),
        ("rename organization to a taken name", |w, a, id| {
            let patch = OrgPatch {
                name: Some("Acme".into()),
                slug: Some("globex".into()),
            };
            w.ff.update_organization(a, id, &patch).map(drop)
        }),
        ("list members", |w, a, id| {
            w.ff.list_members(a, id, &MemberQuery::default()).map(drop)
        }),
        ("add oneself as owner", |w, a, id| {
            let input = NewMembership {
                email: a.user().email.clone(),
                role: Role::Owner,
            };
            w.ff.add_member(a, id, &input).map(drop)
        }),
        ("add an unknown email", |w, a, id| {
            let input = NewMembership {
                email: "nobody@nowhere.example".into(),
                role: Role::Viewer,
            };
            w.ff.add_member(a, id, &input).map(drop)
        }),
        ("leave organization", |w, a, id| {
            w.ff.remove_member(a, id, a.id())
        }),
        ("delete organization", |w, a, id| {
            w.ff.delete_organization(a, id)
        }),
    ];
    assert_foreign_like_missing(&ops, |view| view.foreign_org, OrgId::new);
}

type MemberOp = fn(&World, &Actor, OrgId, UserId) -> Result<(), Error>;

const MEMBER_OPS: [(&str, MemberOp); 5] = [
    ("get member", |w, a, org, user| {
        w.ff.get_member(a, org, user).map(drop)
    }),
    ("promote member to owner", |w, a, org, user| {
        w.ff.update_member(
            a,
            org,
            user,
            &MembershipPatch {
                role: Some(Role::Owner),
            },
        )
        .map(drop)
    }),
    ("demote member to viewer", |w, a, org, user| {
        w.ff.update_member(
            a,
            org,
            user,
            &MembershipPatch {
                role: Some(Role::Viewer),
            },
        )
        .map(drop)
    }),
    ("change member with an empty patch", |w, a, org, user| {
        w.ff.update_member(a, org, user, &MembershipPatch::default())
            .map(drop)
    }),
    ("remove member", |w, a, org, user| {
        w.ff.remove_member(a, org, user)
    }),
];

#[test]
fn a_member_of_a_foreign_organization_answers_like_a_missing_one() {
    let w = World::new();
    let before = snapshot(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in MEMBER_OPS {
            let (missing_org, missing_user) = (OrgId::new(), UserId::new());
            let what = format!("{name} of a foreign organization as {}", view.who);
            let foreign = answer(
                op(&w, view.actor, view.foreign_org, view.foreign_member),
                &[&view.foreign_org, &view.foreign_member],
            );
            let missing = answer(
                op(&w, view.actor, missing_org, missing_user),
                &[&missing_org, &missing_user],
            );
            mismatches.both_not_found(&what, &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_user_of_another_tenant_answers_like_a_missing_member_of_ones_own_organization() {
    let w = World::new();
    let before = snapshot(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in MEMBER_OPS {
            let missing_user = UserId::new();
            let what = format!(
                "{name} (a user of another tenant) in one's own organization as {}",
                view.who
            );
            let foreign = answer(
                op(&w, view.actor, view.own_org, view.foreign_user),
                &[&view.foreign_user],
            );
            let missing = answer(
                op(&w, view.actor, view.own_org, missing_user),
                &[&missing_user],
            );
            mismatches.both_not_found(&what, &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_foreign_project_answers_like_a_missing_one() {
    let ops: [(&str, Op<ProjectId>); 6] = [
        ("get project", |w, a, id| w.ff.get_project(a, id).map(drop)),
        ("rename project", |w, a, id| {
            w.ff.update_project(a, id, &rename_project("Renamed"))
                .map(drop)
        }),
        ("rename project to an empty name", |w, a, id| {
            w.ff.update_project(a, id, &rename_project("")).map(drop)
        }),
        ("archive project", |w, a, id| {
            w.ff.update_project(a, id, &archive_project(true)).map(drop)
        }),
        ("change project with an empty patch", |w, a, id| {
            w.ff.update_project(a, id, &ProjectPatch::default())
                .map(drop)
        }),
        ("delete project", |w, a, id| w.ff.delete_project(a, id)),
    ];
    assert_foreign_like_missing(&ops, |view| view.foreign_project, ProjectId::new);
}

const TASK_OPS: [(&str, Op<TaskId>); 6] = [
    ("get task", |w, a, id| w.ff.get_task(a, id).map(drop)),
    ("retitle task", |w, a, id| {
        w.ff.update_task(a, id, &retitle("Renamed")).map(drop)
    }),
    ("retitle task to an empty title", |w, a, id| {
        w.ff.update_task(a, id, &retitle("")).map(drop)
    }),
    ("assign task to oneself", |w, a, id| {
        w.ff.update_task(
            a,
            id,
            &TaskPatch {
                assigned_to: Some(Some(a.id())),
                ..TaskPatch::default()
            },
        )
        .map(drop)
    }),
    ("change task with an empty patch", |w, a, id| {
        w.ff.update_task(a, id, &TaskPatch::default()).map(drop)
    }),
    ("delete task", |w, a, id| w.ff.delete_task(a, id)),
];

#[test]
fn a_foreign_task_answers_like_a_missing_one() {
    assert_foreign_like_missing(&TASK_OPS, |view| view.foreign_task, TaskId::new);
}

#[test]
fn a_deleted_task_answers_like_a_missing_one() {
    let w = World::new();
    w.ff.delete_task(&w.owner, w.task.id)
        .expect("the owner deletes the task");
    let mut mismatches = Mismatches::default();
    for role in ROLES {
        for (name, op) in TASK_OPS {
            let missing_id = TaskId::new();
            let deleted = answer(op(&w, w.as_role(role), w.task.id), &[&w.task.id]);
            let missing = answer(op(&w, w.as_role(role), missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} (deleted) as {role}"), &deleted, &missing);
        }
    }
    mismatches.assert_none();
}
