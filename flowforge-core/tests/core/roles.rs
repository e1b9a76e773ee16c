//! The role matrix: every tenant operation of the contract for every role (owner, admin, member,
//! viewer) in its own organization, and across tenants (an outsider on the organization's
//! resources, the organization's members on a foreign organization's).
//!
//! Tables list the expected outcome per role in the order owner, admin, member, viewer. A
//! read-only operation runs on one shared world; a mutating one gets a fresh world per role, and
//! afterwards a probe (run as the owner) checks that the change was made when allowed and that
//! nothing was written when refused. Every mismatch is collected and reported together, each
//! naming the operation and the role.

use std::fmt::Debug;

use flowforge_core::{
    Actor, Error, MemberQuery, MembershipPatch, NewMembership, NewProject, NewTask, OrgQuery,
    Organization, OrganizationPatch, Project, ProjectPatch, ProjectQuery, Role, Task, TaskPatch,
    TaskQuery, UserId,
};

use crate::support::{World, add, task, user};

/// The roles of a table's columns, in order.
const ROLES: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];

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

/// Mismatches between a table and the library, reported all at once.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    /// Records a mismatch unless `result` is what `expected` says.
    fn outcome<T: Debug>(&mut self, what: &str, expected: Expect, result: Result<T, Error>) {
        if !expected.matches(&result) {
            self.0
                .push(format!("{what}: expected {expected:?}, got {result:?}"));
        }
    }

    /// Records a mismatch unless the change happened exactly when it was allowed.
    fn effect(&mut self, what: &str, expected: Expect, changed: bool) {
        let allowed = expected == OK;
        if changed != allowed {
            let said = if allowed {
                "was allowed but its change is not visible"
            } else {
                "was refused but wrote its change"
            };
            self.0.push(format!("{what}: {said}"));
        }
    }

    /// Records a mismatch when `condition` is false.
    fn check(&mut self, what: &str, condition: bool) {
        if !condition {
            self.0.push(what.to_owned());
        }
    }

    #[track_caller]
    fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatch(es):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
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

/// How many tasks the owner sees whose title or description holds `text`.
fn tasks_matching(w: &World, text: &str) -> u64 {
    let query = TaskQuery::from_pairs([("search", text)]).expect("task query");
    w.ff.list_tasks(&w.owner, &query)
        .map(|page| page.count)
        .unwrap_or(u64::MAX)
}

/// How many projects the owner sees whose name or description holds `text`.
fn projects_matching(w: &World, text: &str) -> u64 {
    let query = ProjectQuery::from_pairs([("search", text)]).expect("project query");
    w.ff.list_projects(&w.owner, &query)
        .map(|page| page.count)
        .unwrap_or(u64::MAX)
}

/// A task created by the owner (the world's own task was created by the member).
fn owners_task(w: &World) -> Task {
    task(&w.ff, &w.owner, &w.project, "The owner's own task")
}

fn retitle(title: &str) -> TaskPatch {
    TaskPatch {
        title: Some(title.into()),
        ..TaskPatch::default()
    }
}

#[test]
fn role_matrix_of_organization_operations() {
    run_matrix(&[
        read("get the organization", [OK, OK, OK, OK], |w, a| {
            w.ff.get_organization(a, w.org.id).map(drop)
        }),
        write(
            "rename the organization",
            [OK, OK, NO, NO],
            |w, a| {
                let patch = OrganizationPatch {
                    name: Some("Acme Renamed".into()),
                    slug: None,
                };
                w.ff.update_organization(a, w.org.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_organization(&w.owner, w.org.id)
                    .is_ok_and(|o| o.name == "Acme Renamed")
            },
        ),
        write(
            "change the organization's slug",
            [OK, OK, NO, NO],
            |w, a| {
                let patch = OrganizationPatch {
                    name: None,
                    slug: Some("acme-co".into()),
                };
                w.ff.update_organization(a, w.org.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_organization(&w.owner, w.org.id)
                    .is_ok_and(|o| o.slug == "acme-co")
            },
        ),
        write(
            "delete the organization",
            [OK, NO, NO, NO],
            |w, a| w.ff.delete_organization(a, w.org.id),
            |w| w.ff.get_organization(&w.owner, w.org.id).is_err(),
        ),
    ]);
}

#[test]
fn role_matrix_of_project_operations() {
    run_matrix(&[
        read("get the project", [OK, OK, OK, OK], |w, a| {
            w.ff.get_project(a, w.project.id).map(drop)
        }),
        write(
            "create a project",
            [OK, OK, NO, NO],
            |w, a| {
                w.ff.create_project(a, &NewProject::new(w.org.id, "Roadmap"))
                    .map(drop)
            },
            |w| projects_matching(w, "Roadmap") == 1,
        ),
        write(
            "rename the project",
            [OK, OK, NO, NO],
            |w, a| {
                let patch = ProjectPatch {
                    name: Some("Relaunch".into()),
                    ..ProjectPatch::default()
                };
                w.ff.update_project(a, w.project.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_project(&w.owner, w.project.id)
                    .is_ok_and(|p| p.name == "Relaunch")
            },
        ),
        write(
            "archive the project",
            [OK, OK, NO, NO],
            |w, a| {
                let patch = ProjectPatch {
                    is_archived: Some(true),
                    ..ProjectPatch::default()
                };
                w.ff.update_project(a, w.project.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_project(&w.owner, w.project.id)
                    .is_ok_and(|p| p.is_archived)
            },
        ),
        write(
            "delete the project",
            [OK, OK, NO, NO],
            |w, a| w.ff.delete_project(a, w.project.id),
            |w| w.ff.get_project(&w.owner, w.project.id).is_err(),
        ),
    ]);
}

#[test]
fn role_matrix_of_task_operations() {
    run_matrix(&[
        read("get the task", [OK, OK, OK, OK], |w, a| {
            w.ff.get_task(a, w.task.id).map(drop)
        }),
        write(
            "create a task",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.create_task(a, &NewTask::new(w.project.id, "Draft the FAQ"))
                    .map(drop)
            },
            |w| tasks_matching(w, "Draft the FAQ") == 1,
        ),
        write(
            "update a task the member created",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.update_task(a, w.task.id, &retitle("Retitled"))
                    .map(drop)
            },
            |w| {
                w.ff.get_task(&w.owner, w.task.id)
                    .is_ok_and(|t| t.title == "Retitled")
            },
        ),
        write(
            "update a task the owner created",
            [OK, OK, OK, NO],
            |w, a| {
                w.ff.update_task(a, owners_task(w).id, &retitle("Retitled by someone"))
                    .map(drop)
            },
            |w| tasks_matching(w, "Retitled by someone") == 1,
        ),
        write(
            "assign a task to the viewer",
            [OK, OK, OK, NO],
            |w, a| {
                let patch = TaskPatch {
                    assigned_to: Some(Some(w.viewer.id())),
                    ..TaskPatch::default()
                };
                w.ff.update_task(a, w.task.id, &patch).map(drop)
            },
            |w| {
                w.ff.get_task(&w.owner, w.task.id)
                    .is_ok_and(|t| t.assigned_to.is_some_and(|u| u.id == w.viewer.id()))
            },
        ),
        write(
            "delete a task the member created",
            [OK, OK, OK, NO],
            |w, a| w.ff.delete_task(a, w.task.id),
            |w| w.ff.get_task(&w.owner, w.task.id).is_err(),
        ),
        write(
            "delete a task the owner created",
            [OK, OK, NO, NO],
            |w, a| w.ff.delete_task(a, owners_task(w).id),
            |w| tasks_matching(w, "The owner's own task") == 0,
        ),
    ]);
}

#[test]
fn role_matrix_of_membership_reads() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    for role in ROLES {
        let actor = w.as_role(role);
        let result = w.ff.list_members(actor, w.org.id, &MemberQuery::default());
        mismatches.check(
            &format!("list members as {role}: expected the 4 members, got {result:?}"),
            result.as_ref().is_ok_and(|page| page.count == 4),
        );
        for target in ROLES {
            let result = w.ff.get_member(actor, w.org.id, w.as_role(target).id());
            mismatches.check(
                &format!(
                    "get the {target} as {role}: expected the {target}'s membership, got {result:?}"
                ),
                result
                    .as_ref()
                    .is_ok_and(|m| m.role == target && m.user.id == w.as_role(target).id()),
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
            &format!(
                "list organizations as {role}: expected only Acme with role {role}, got {orgs:?}"
            ),
            orgs.as_ref().is_ok_and(|p| {
                p.count == 1
                    && p.items.len() == 1
                    && p.items[0].id == w.org.id
                    && p.items[0].role == role
            }),
        );
        let projects = w.ff.list_projects(actor, &ProjectQuery::default());
        mismatches.check(
            &format!("list projects as {role}: expected only Launch, got {projects:?}"),
            projects
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|i| i.id).eq([w.project.id])),
        );
        let tasks = w.ff.list_tasks(actor, &TaskQuery::default());
        mismatches.check(
            &format!("list tasks as {role}: expected only the press release, got {tasks:?}"),
            tasks
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|i| i.id).eq([w.task.id])),
        );
    }
    mismatches.assert_none();
}

/// A user of the world's organization with `role`, added by the owner, who is nobody else in
/// the tables (so that an actor never acts on themselves by accident).
fn another(w: &World, name: &str, role: Role) -> Actor {
    let other = user(&w.ff, &format!("{name}@acme.example"));
    add(&w.ff, &w.owner, &w.org, &other, role);
    other
}

/// The role `user` holds in the world's organization, as the owner sees it.
fn role_of(w: &World, user: UserId) -> Option<Role> {
    w.ff.get_member(&w.owner, w.org.id, user)
        .ok()
        .map(|m| m.role)
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
            mismatches.effect(&what, expected, role_of(&w, newcomer.id()) == Some(granted));
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
                let now = role_of(&w, target.id());
                let want = if expected == OK { to } else { from };
                mismatches.check(
                    &format!("{what}: the target's role is now {now:?}, expected {want}"),
                    now == Some(want),
                );
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
            mismatches.effect(&what, expected, role_of(&w, target.id()).is_none());
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
            let now = role_of(&w, actor.id());
            let want = if expected == OK { to } else { role };
            mismatches.check(
                &format!("{what}: the role is now {now:?}, expected {want}"),
                now == Some(want),
            );
            let back = MembershipPatch { role: Some(role) };
            w.ff.update_member(&co_owner, w.org.id, actor.id(), &back)
                .expect("the co-owner restores the role");
        }
        let what = format!("leave the organization as {role}");
        mismatches.outcome(&what, OK, w.ff.remove_member(actor, w.org.id, actor.id()));
        mismatches.effect(&what, OK, role_of(&w, actor.id()).is_none());
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
    let now = role_of(&w, owner);
    mismatches.check(
        &format!("the last owner is still the owner (found {now:?})"),
        now == Some(Role::Owner),
    );
    mismatches.assert_none();
}

/// The resources of one tenant, as the targets of another tenant's actor.
struct Tenant<'a> {
    org: &'a Organization,
    project: &'a Project,
    task: &'a Task,
    /// A member of `org` (never the actor).
    member: UserId,
    /// `org`'s owner, who checks afterwards that nothing changed.
    owner: &'a Actor,
}

impl Tenant<'_> {
    /// Everything the owner can see of the tenant, to compare before and after.
    fn snapshot(&self, w: &World) -> String {
        let org = w.ff.get_organization(self.owner, self.org.id);
        let members =
            w.ff.list_members(self.owner, self.org.id, &MemberQuery::default());
        let projects = w.ff.list_projects(self.owner, &ProjectQuery::default());
        let tasks = w.ff.list_tasks(self.owner, &TaskQuery::default());
        format!("{org:?}\n{members:?}\n{projects:?}\n{tasks:?}")
    }
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
            let patch = OrganizationPatch {
                name: Some("Hijacked".into()),
                slug: None,
            };
            w.ff.update_organization(a, t.org.id, &patch).map(drop)
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
            let patch = ProjectPatch {
                name: Some("Hijacked".into()),
                ..ProjectPatch::default()
            };
            w.ff.update_project(a, t.project.id, &patch).map(drop)
        }),
        ("archive the project", NF, |w, a, t| {
            let patch = ProjectPatch {
                is_archived: Some(true),
                ..ProjectPatch::default()
            };
            w.ff.update_project(a, t.project.id, &patch).map(drop)
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
    let before = tenant.snapshot(w);
    for (name, expected, run) in cross_tenant_ops() {
        mismatches.outcome(
            &format!("{name} of another tenant as {who}"),
            expected,
            run(w, actor, tenant),
        );
    }
    let after = tenant.snapshot(w);
    if before != after {
        mismatches.check(
            &format!("as {who}, the other tenant changed:\nbefore {before}\nafter  {after}"),
            false,
        );
    }
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
