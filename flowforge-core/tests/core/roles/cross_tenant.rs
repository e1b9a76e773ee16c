//! Across tenants: every operation on another tenant's resources answers exactly not found (or,
//! in a body, names the foreign id as invalid), for the outsider on the organization and for every
//! role of the organization on the foreign one; and nothing of the other tenant changes.

use flowforge_core::{
    Actor, Error, MemberQuery, MembershipPatch, NewMembership, NewProject, NewTask, Org, Project,
    Role, Task, UserId,
};

use super::Expect;
use crate::support::{
    Mismatches, ROLES, World, archive_project, rename_org, rename_project, retitle,
};

/// The resources of one tenant, as the targets of another tenant's actor.
struct Tenant<'a> {
    org: &'a Org,
    project: &'a Project,
    task: &'a Task,
    /// A member of `org` (never the actor).
    member: UserId,
    /// `org`'s owner, who checks afterwards that nothing changed.
    owner: &'a Actor,
}

type CrossRun = fn(&World, &Actor, &Tenant<'_>) -> Result<(), Error>;

/// Every operation on another tenant's resources, with what it must answer. Deletions come last,
/// so that an operation that wrongly succeeds does not hide the ones after it.
fn cross_tenant_ops() -> Vec<(&'static str, Expect, CrossRun)> {
    const NF: Expect = Expect::NotFound;
    vec![
        ("get the organization", NF, |w, a, t| {
            w.ff.get_organization(a, t.org.id).map(drop)
        }),
        ("rename the organization", NF, |w, a, t| {
            w.ff.update_organization(a, t.org.id, &rename_org("Hijacked"))
                .map(drop)
        }),
        ("list the members", NF, |w, a, t| {
            w.ff.list_members(a, t.org.id, &MemberQuery::default())
                .map(drop)
        }),
        ("get a member", NF, |w, a, t| {
            w.ff.get_member(a, t.org.id, t.member).map(drop)
        }),
        ("get oneself as a member", NF, |w, a, t| {
            w.ff.get_member(a, t.org.id, a.id()).map(drop)
        }),
        ("add oneself as owner", NF, |w, a, t| {
            let input = NewMembership {
                email: a.user().email.clone(),
                role: Role::Owner,
            };
            w.ff.add_member(a, t.org.id, &input).map(drop)
        }),
        ("change a member's role", NF, |w, a, t| {
            w.ff.update_member(
                a,
                t.org.id,
                t.member,
                &MembershipPatch {
                    role: Some(Role::Viewer),
                },
            )
            .map(drop)
        }),
        ("get the project", NF, |w, a, t| {
            w.ff.get_project(a, t.project.id).map(drop)
        }),
        ("rename the project", NF, |w, a, t| {
            w.ff.update_project(a, t.project.id, &rename_project("Hijacked"))
                .map(drop)
        }),
        ("archive the project", NF, |w, a, t| {
            w.ff.update_project(a, t.project.id, &archive_project(true))
                .map(drop)
        }),
        (
            "create a project in the organization",
            Expect::Invalid("organization"),
            |w, a, t| {
                w.ff.create_project(a, &NewProject::new(t.org.id, "Planted"))
                    .map(drop)
            },
        ),
        ("get the task", NF, |w, a, t| {
            w.ff.get_task(a, t.task.id).map(drop)
        }),
        ("update the task", NF, |w, a, t| {
            w.ff.update_task(a, t.task.id, &retitle("Hijacked"))
                .map(drop)
        }),
        (
            "create a task in the project",
            Expect::Invalid("project"),
            |w, a, t| {
                w.ff.create_task(a, &NewTask::new(t.project.id, "Planted"))
                    .map(drop)
            },
        ),
        ("delete the task", NF, |w, a, t| {
            w.ff.delete_task(a, t.task.id)
        }),
        ("delete the project", NF, |w, a, t| {
            w.ff.delete_project(a, t.project.id)
        }),
        ("remove a member", NF, |w, a, t| {
            w.ff.remove_member(a, t.org.id, t.member)
        }),
        ("leave the organization", NF, |w, a, t| {
            w.ff.remove_member(a, t.org.id, a.id())
        }),
        ("delete the organization", NF, |w, a, t| {
            w.ff.delete_organization(a, t.org.id)
        }),
    ]
}

/// Runs every cross-tenant operation as `actor` (named `who`) against `tenant`.
fn cross_tenant(
    w: &World,
    who: &str,
    actor: &Actor,
    tenant: &Tenant<'_>,
    mismatches: &mut Mismatches,
) {
    let before = w.snapshot(tenant.owner, tenant.org.id);
    for (name, expected, run) in cross_tenant_ops() {
        mismatches.outcome(
            &format!("{name} of another tenant as {who}"),
            expected,
            run(w, actor, tenant),
        );
    }
    let after = w.snapshot(tenant.owner, tenant.org.id);
    mismatches.check(before == after, || {
        format!("as {who}, the other tenant changed:\nbefore {before}\nafter  {after}")
    });
}

#[test]
fn an_outsider_gets_not_found_for_every_operation_on_the_organization() {
    let w = World::new();
    let tenant = Tenant {
        org: &w.org,
        project: &w.project,
        task: &w.task,
        member: w.member.id(),
        owner: &w.owner,
    };
    let mut mismatches = Mismatches::default();
    cross_tenant(&w, "outsider", &w.outsider, &tenant, &mut mismatches);
    mismatches.assert_none();
}

#[test]
fn no_role_of_the_organization_reaches_a_foreign_organization() {
    let w = World::new();
    let tenant = Tenant {
        org: &w.foreign,
        project: &w.foreign_project,
        task: &w.foreign_task,
        member: w.outsider.id(),
        owner: &w.outsider,
    };
    let mut mismatches = Mismatches::default();
    for role in ROLES {
        cross_tenant(
            &w,
            &role.to_string(),
            w.as_role(role),
            &tenant,
            &mut mismatches,
        );
    }
    mismatches.assert_none();
}
