//! Isolation: a resource of another tenant answers exactly like one that does not exist, on
//! every operation; in a body, a foreign id is refused exactly like an id that names nothing, and
//! nothing is written; in a filter, a foreign id matches nothing, like a missing one; and no list
//! ever shows another tenant's items.
//!
//! Every check runs for each role of the organization (against the foreign organization) and for
//! the outsider (against the organization). Answers are compared as their `Debug` text, which
//! holds the variant and every message, with the ids of the request masked (an error may echo
//! the id it was given, and nothing else may differ). Mismatches are collected and reported
//! together, each naming the operation and the actor.

use std::fmt::Debug;

use flowforge_core::{
    Actor, Error, MemberQuery, MembershipPatch, NewMembership, NewProject, NewTask, OrgId,
    OrgQuery, OrganizationPatch, ProjectId, ProjectPatch, ProjectQuery, Role, TaskId, TaskPatch,
    TaskQuery, UserId,
};

use crate::support::World;

/// The answer to a request for a missing resource.
const NOT_FOUND: &str = r#"Err(NotFound("Not found."))"#;

/// Mismatches, reported all at once.
#[derive(Default)]
struct Mismatches(Vec<String>);

impl Mismatches {
    /// Records `message` unless `condition` holds.
    fn check(&mut self, condition: bool, message: impl FnOnce() -> String) {
        if !condition {
            self.0.push(message());
        }
    }

    /// Records a mismatch unless the foreign and the missing answers are the same.
    fn alike(&mut self, what: &str, foreign: &str, missing: &str) {
        self.check(foreign == missing, || {
            format!("{what}: a foreign id answers {foreign}, a missing one {missing}")
        });
    }

    /// Records a mismatch unless the foreign and the missing answers are both the plain
    /// not-found answer.
    fn both_not_found(&mut self, what: &str, foreign: &str, missing: &str) {
        self.alike(what, foreign, missing);
        self.check(missing == NOT_FOUND, || {
            format!("{what}: a missing id answers {missing}, expected {NOT_FOUND}")
        });
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

/// The `Debug` text of an answer, with each of `ids` masked as `<id>`.
fn answer<T: Debug>(result: Result<T, Error>, ids: &[&dyn ToString]) -> String {
    let mut text = match result {
        Ok(value) => format!("Ok({value:?})"),
        Err(error) => format!("Err({error:?})"),
    };
    for id in ids {
        text = text.replace(&id.to_string(), "<id>");
    }
    text
}

/// One actor's view: their own tenant's resources, and the other tenant's.
struct View<'a> {
    who: String,
    actor: &'a Actor,
    own_org: OrgId,
    own_project: ProjectId,
    own_task: TaskId,
    foreign_org: OrgId,
    foreign_project: ProjectId,
    foreign_task: TaskId,
    /// A user who exists and belongs to the other tenant only.
    foreign_user: UserId,
    /// A member of the other tenant who is not the actor's own organization's member.
    foreign_member: UserId,
}

/// Each role of the organization facing the foreign organization, and the outsider facing the
/// organization.
fn views(w: &World) -> Vec<View<'_>> {
    let mut views: Vec<View<'_>> = [Role::Owner, Role::Admin, Role::Member, Role::Viewer]
        .into_iter()
        .map(|role| View {
            who: role.to_string(),
            actor: w.as_role(role),
            own_org: w.org.id,
            own_project: w.project.id,
            own_task: w.task.id,
            foreign_org: w.foreign.id,
            foreign_project: w.foreign_project.id,
            foreign_task: w.foreign_task.id,
            foreign_user: w.outsider.id(),
            foreign_member: w.outsider.id(),
        })
        .collect();
    views.push(View {
        who: "outsider".into(),
        actor: &w.outsider,
        own_org: w.foreign.id,
        own_project: w.foreign_project.id,
        own_task: w.foreign_task.id,
        foreign_org: w.org.id,
        foreign_project: w.project.id,
        foreign_task: w.task.id,
        foreign_user: w.member.id(),
        foreign_member: w.member.id(),
    });
    views
}

/// Everything the owners of both tenants can see, to show that nothing was written.
fn snapshot(w: &World) -> String {
    let mut text = String::new();
    for (owner, org) in [(&w.owner, w.org.id), (&w.outsider, w.foreign.id)] {
        let organization = w.ff.get_organization(owner, org);
        let members = w.ff.list_members(owner, org, &MemberQuery::default());
        let projects = w.ff.list_projects(owner, &ProjectQuery::default());
        let tasks = w.ff.list_tasks(owner, &TaskQuery::default());
        text += &format!("{organization:?}\n{members:?}\n{projects:?}\n{tasks:?}\n");
    }
    text
}

#[track_caller]
fn assert_unchanged(w: &World, before: &str) {
    let after = snapshot(w);
    assert!(
        after == before,
        "something was written:\nbefore {before}\nafter  {after}"
    );
}

type OrgOp = fn(&World, &Actor, OrgId) -> Result<(), Error>;

#[test]
fn a_foreign_organization_answers_like_a_missing_one() {
    let w = World::new();
    let before = snapshot(&w);
    // Deletions last, so that one that wrongly succeeds hides nothing after it.
    let ops: [(&str, OrgOp); 9] = [
        ("get organization", |w, a, id| {
            w.ff.get_organization(a, id).map(drop)
        }),
        ("rename organization", |w, a, id| {
            let patch = OrganizationPatch {
                name: Some("Renamed".into()),
                slug: None,
            };
            w.ff.update_organization(a, id, &patch).map(drop)
        }),
        ("rename organization to an invalid name", |w, a, id| {
            let patch = OrganizationPatch {
                name: Some("1".into()),
                slug: Some("Not A Slug".into()),
            };
            w.ff.update_organization(a, id, &patch).map(drop)
        }),
        ("rename organization to a taken name", |w, a, id| {
            let patch = OrganizationPatch {
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
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in ops {
            let missing_id = OrgId::new();
            let foreign = answer(op(&w, view.actor, view.foreign_org), &[&view.foreign_org]);
            let missing = answer(op(&w, view.actor, missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} as {}", view.who), &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
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

type ProjectOp = fn(&World, &Actor, ProjectId) -> Result<(), Error>;

#[test]
fn a_foreign_project_answers_like_a_missing_one() {
    let w = World::new();
    let before = snapshot(&w);
    let ops: [(&str, ProjectOp); 6] = [
        ("get project", |w, a, id| w.ff.get_project(a, id).map(drop)),
        ("rename project", |w, a, id| {
            let patch = ProjectPatch {
                name: Some("Renamed".into()),
                ..ProjectPatch::default()
            };
            w.ff.update_project(a, id, &patch).map(drop)
        }),
        ("rename project to an empty name", |w, a, id| {
            let patch = ProjectPatch {
                name: Some(String::new()),
                ..ProjectPatch::default()
            };
            w.ff.update_project(a, id, &patch).map(drop)
        }),
        ("archive project", |w, a, id| {
            let patch = ProjectPatch {
                is_archived: Some(true),
                ..ProjectPatch::default()
            };
            w.ff.update_project(a, id, &patch).map(drop)
        }),
        ("change project with an empty patch", |w, a, id| {
            w.ff.update_project(a, id, &ProjectPatch::default())
                .map(drop)
        }),
        ("delete project", |w, a, id| w.ff.delete_project(a, id)),
    ];
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in ops {
            let missing_id = ProjectId::new();
            let foreign = answer(
                op(&w, view.actor, view.foreign_project),
                &[&view.foreign_project],
            );
            let missing = answer(op(&w, view.actor, missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} as {}", view.who), &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

type TaskOp = fn(&World, &Actor, TaskId) -> Result<(), Error>;

const TASK_OPS: [(&str, TaskOp); 6] = [
    ("get task", |w, a, id| w.ff.get_task(a, id).map(drop)),
    ("retitle task", |w, a, id| {
        w.ff.update_task(
            a,
            id,
            &TaskPatch {
                title: Some("Renamed".into()),
                ..TaskPatch::default()
            },
        )
        .map(drop)
    }),
    ("retitle task to an empty title", |w, a, id| {
        w.ff.update_task(
            a,
            id,
            &TaskPatch {
                title: Some(String::new()),
                ..TaskPatch::default()
            },
        )
        .map(drop)
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
    let w = World::new();
    let before = snapshot(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        for (name, op) in TASK_OPS {
            let missing_id = TaskId::new();
            let foreign = answer(op(&w, view.actor, view.foreign_task), &[&view.foreign_task]);
            let missing = answer(op(&w, view.actor, missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} as {}", view.who), &foreign, &missing);
        }
    }
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_deleted_task_answers_like_a_missing_one() {
    let w = World::new();
    w.ff.delete_task(&w.owner, w.task.id)
        .expect("the owner deletes the task");
    let mut mismatches = Mismatches::default();
    for role in [Role::Owner, Role::Admin, Role::Member, Role::Viewer] {
        for (name, op) in TASK_OPS {
            let missing_id = TaskId::new();
            let deleted = answer(op(&w, w.as_role(role), w.task.id), &[&w.task.id]);
            let missing = answer(op(&w, w.as_role(role), missing_id), &[&missing_id]);
            mismatches.both_not_found(&format!("{name} (deleted) as {role}"), &deleted, &missing);
        }
    }
    mismatches.assert_none();
}

/// How many tasks and projects each tenant's owner sees.
fn counts(w: &World) -> [u64; 4] {
    let tasks = |a| {
        w.ff.list_tasks(a, &TaskQuery::default())
            .expect("list tasks")
            .count
    };
    let projects = |a| {
        w.ff.list_projects(a, &ProjectQuery::default())
            .expect("list projects")
            .count
    };
    [
        tasks(&w.owner),
        tasks(&w.outsider),
        projects(&w.owner),
        projects(&w.outsider),
    ]
}

/// Whether `result` is a validation error naming `field`.
fn names_field<T>(result: &Result<T, Error>, field: &str) -> bool {
    matches!(result, Err(Error::Validation(errors)) if errors.get(field).is_some())
}

/// Records a mismatch unless `foreign` and `missing` are alike, are validation errors naming
/// `field`, and nothing was written.
fn refused_alike(
    mismatches: &mut Mismatches,
    what: &str,
    field: &str,
    (foreign, foreign_id): (Result<impl Debug, Error>, &dyn ToString),
    (missing, missing_id): (Result<impl Debug, Error>, &dyn ToString),
) {
    mismatches.check(names_field(&missing, field), || {
        format!("{what}: a missing id answers {missing:?}, expected a validation error on {field}")
    });
    mismatches.check(names_field(&foreign, field), || {
        format!("{what}: a foreign id answers {foreign:?}, expected a validation error on {field}")
    });
    mismatches.alike(
        what,
        &answer(foreign, &[foreign_id]),
        &answer(missing, &[missing_id]),
    );
}

#[test]
fn a_foreign_project_in_a_new_task_is_refused_like_a_missing_one() {
    let w = World::new();
    let before = snapshot(&w);
    let counts_before = counts(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        let missing_id = ProjectId::new();
        for (case, title) in [("", "Planted"), (" with an empty title", "")] {
            let what = format!("create a task in a foreign project{case} as {}", view.who);
            let foreign =
                w.ff.create_task(view.actor, &NewTask::new(view.foreign_project, title));
            let missing =
                w.ff.create_task(view.actor, &NewTask::new(missing_id, title));
            refused_alike(
                &mut mismatches,
                &what,
                "project",
                (foreign, &view.foreign_project),
                (missing, &missing_id),
            );
        }
    }
    mismatches.check(counts(&w) == counts_before, || {
        format!("tasks were written: {counts_before:?} -> {:?}", counts(&w))
    });
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_foreign_organization_in_a_new_project_is_refused_like_a_missing_one() {
    let w = World::new();
    let before = snapshot(&w);
    let counts_before = counts(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        let missing_id = OrgId::new();
        for (case, name) in [("", "Planted"), (" with an empty name", "")] {
            let what = format!(
                "create a project in a foreign organization{case} as {}",
                view.who
            );
            let foreign =
                w.ff.create_project(view.actor, &NewProject::new(view.foreign_org, name));
            let missing =
                w.ff.create_project(view.actor, &NewProject::new(missing_id, name));
            refused_alike(
                &mut mismatches,
                &what,
                "organization",
                (foreign, &view.foreign_org),
                (missing, &missing_id),
            );
        }
    }
    mismatches.check(counts(&w) == counts_before, || {
        format!(
            "projects were written: {counts_before:?} -> {:?}",
            counts(&w)
        )
    });
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_user_outside_the_organization_is_refused_as_assignee_like_a_missing_user() {
    let w = World::new();
    let before = snapshot(&w);
    let counts_before = counts(&w);
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        // A viewer may not write tasks at all: whether they hear of the role or of the assignee
        // first, a foreign and a missing user must still answer alike.
        let strict = view.who != "viewer";
        let missing_id = UserId::new();
        let create = |assignee| {
            let input = NewTask {
                assigned_to: Some(assignee),
                ..NewTask::new(view.own_project, "Planted")
            };
            w.ff.create_task(view.actor, &input)
        };
        let update = |assignee| {
            let patch = TaskPatch {
                title: Some("Must not be written".into()),
                assigned_to: Some(Some(assignee)),
                ..TaskPatch::default()
            };
            w.ff.update_task(view.actor, view.own_task, &patch)
        };
        let what = format!(
            "create a task assigned to a user of another tenant as {}",
            view.who
        );
        let (foreign, missing) = (create(view.foreign_user), create(missing_id));
        if strict {
            refused_alike(
                &mut mismatches,
                &what,
                "assigned_to",
                (foreign, &view.foreign_user),
                (missing, &missing_id),
            );
        } else {
            mismatches.alike(
                &what,
                &answer(foreign, &[&view.foreign_user]),
                &answer(missing, &[&missing_id]),
            );
        }
        let what = format!("assign a task to a user of another tenant as {}", view.who);
        let (foreign, missing) = (update(view.foreign_user), update(missing_id));
        if strict {
            refused_alike(
                &mut mismatches,
                &what,
                "assigned_to",
                (foreign, &view.foreign_user),
                (missing, &missing_id),
            );
        } else {
            mismatches.alike(
                &what,
                &answer(foreign, &[&view.foreign_user]),
                &answer(missing, &[&missing_id]),
            );
        }
    }
    mismatches.check(counts(&w) == counts_before, || {
        format!("tasks were written: {counts_before:?} -> {:?}", counts(&w))
    });
    mismatches.assert_none();
    assert_unchanged(&w, &before);
}

#[test]
fn a_foreign_id_in_a_filter_matches_nothing_like_a_missing_one() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    for view in views(&w) {
        let who = &view.who;
        let (foreign_org, foreign_project, foreign_user) = (
            view.foreign_org.to_string(),
            view.foreign_project.to_string(),
            view.foreign_user.to_string(),
        );
        let (missing_org, missing_project, missing_user) = (
            OrgId::new().to_string(),
            ProjectId::new().to_string(),
            UserId::new().to_string(),
        );
        let own_project = view.own_project.to_string();

        // (filter, foreign value, missing value, how many items each must list)
        let task_filters = [
            (
                "project",
                foreign_project.clone(),
                missing_project.clone(),
                0,
            ),
            ("organization", foreign_org.clone(), missing_org.clone(), 0),
            ("assigned_to", foreign_user.clone(), missing_user.clone(), 0),
            ("created_by", foreign_user.clone(), missing_user.clone(), 0),
            // Next to one's own project, a foreign one adds nothing and hides nothing.
            (
                "project",
                format!("{foreign_project},{own_project}"),
                format!("{missing_project},{own_project}"),
                1,
            ),
        ];
        for (filter, foreign, missing, expected) in task_filters {
            let list = |value: &str| {
                let query = TaskQuery::from_pairs([(filter, value)]).expect("a well-formed filter");
                w.ff.list_tasks(view.actor, &query)
                    .map(|page| (page.count, page.items.len() as u64, page.items))
            };
            let what = format!("list tasks with {filter}={foreign} as {who}");
            let (foreign_page, missing_page) = (list(&foreign), list(&missing));
            mismatches.check(
                matches!(&missing_page, Ok((n, len, _)) if *n == expected && *len == expected),
                || {
                    format!(
                        "{what}: a missing id lists {missing_page:?}, expected {expected} item(s)"
                    )
                },
            );
            mismatches.alike(
                &what,
                &format!("{foreign_page:?}"),
                &format!("{missing_page:?}"),
            );
        }

        let list = |value: &str| {
            let query =
                ProjectQuery::from_pairs([("organization", value)]).expect("a well-formed filter");
            w.ff.list_projects(view.actor, &query)
                .map(|page| (page.count, page.items))
        };
        let what = format!("list projects with organization={foreign_org} as {who}");
        let (foreign_page, missing_page) = (list(&foreign_org), list(&missing_org));
        mismatches.check(
            matches!(&missing_page, Ok((0, items)) if items.is_empty()),
            || format!("{what}: a missing id lists {missing_page:?}, expected an empty page"),
        );
        mismatches.alike(
            &what,
            &format!("{foreign_page:?}"),
            &format!("{missing_page:?}"),
        );
    }
    mismatches.assert_none();
}

#[test]
fn lists_never_show_another_tenants_items() {
    let w = World::new();
    let mut mismatches = Mismatches::default();
    let everything = [("page_size", "100")];
    for view in views(&w) {
        let who = &view.who;
        let orgs = w.ff.list_organizations(
            view.actor,
            &OrgQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            orgs.as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|o| o.id).eq([view.own_org])),
            || format!("list organizations as {who}: expected only their own, got {orgs:?}"),
        );
        let projects = w.ff.list_projects(
            view.actor,
            &ProjectQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            projects
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|p| p.id).eq([view.own_project])),
            || format!("list projects as {who}: expected only their own, got {projects:?}"),
        );
        let tasks = w.ff.list_tasks(
            view.actor,
            &TaskQuery::from_pairs(everything).expect("query"),
        );
        mismatches.check(
            tasks
                .as_ref()
                .is_ok_and(|p| p.count == 1 && p.items.iter().map(|t| t.id).eq([view.own_task])),
            || format!("list tasks as {who}: expected only their own, got {tasks:?}"),
        );
    }
    // Searching for the other tenant's words finds nothing either.
    let searches: [(&Actor, &str, [&str; 3]); 2] = [
        (&w.outsider, "outsider", ["Acme", "Launch", "press release"]),
        (&w.viewer, "viewer", ["Globex", "Secret plans", "Take over"]),
    ];
    for (actor, who, [org, project, task]) in searches {
        let orgs = w.ff.list_organizations(
            actor,
            &OrgQuery::from_pairs([("search", org)]).expect("query"),
        );
        mismatches.check(orgs.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search organizations for {org:?} as {who}: expected nothing, got {orgs:?}")
        });
        let projects = w.ff.list_projects(
            actor,
            &ProjectQuery::from_pairs([("search", project)]).expect("query"),
        );
        mismatches.check(projects.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search projects for {project:?} as {who}: expected nothing, got {projects:?}")
        });
        let tasks = w.ff.list_tasks(
            actor,
            &TaskQuery::from_pairs([("search", task)]).expect("query"),
        );
        mismatches.check(tasks.as_ref().is_ok_and(|p| p.count == 0), || {
            format!("search tasks for {task:?} as {who}: expected nothing, got {tasks:?}")
        });
    }
    mismatches.assert_none();
}
