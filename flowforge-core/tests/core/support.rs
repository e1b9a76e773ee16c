//! Fixtures: a fresh database per test, users, and a two-tenant world with one user per role.

#![allow(dead_code)]

use flowforge_core::{
    Actor, Config, Database, Error, FlowForge, NewMembership, NewOrganization, NewProject, NewTask,
    NewUser, Organization, Project, Role, Task,
};

/// The password of every fixture user.
pub const PASSWORD: &str = "flowforge-pass-1";
/// The secret key of every fixture handle.
pub const SECRET: &str = "test secret key, long enough to be a real one";

/// A fresh in-memory FlowForge.
pub fn open() -> FlowForge {
    FlowForge::open(&Database::Memory, Config::new(SECRET)).expect("open an in-memory database")
}

/// Registers `email` and returns them as an actor.
pub fn user(ff: &FlowForge, email: &str) -> Actor {
    let user = ff
        .register(&NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            full_name: format!("Name of {email}"),
        })
        .expect("register");
    ff.admin().act_as(user.id).expect("act as")
}

/// Creates an organization owned by `owner`.
pub fn org(ff: &FlowForge, owner: &Actor, name: &str) -> Organization {
    ff.create_organization(
        owner,
        &NewOrganization {
            name: name.into(),
            slug: None,
        },
    )
    .expect("create organization")
}

/// Adds `who` to `org` with `role`, acting as `by`.
pub fn add(ff: &FlowForge, by: &Actor, org: &Organization, who: &Actor, role: Role) {
    ff.add_member(
        by,
        org.id,
        &NewMembership {
            email: who.user().email.clone(),
            role,
        },
    )
    .expect("add member");
}

/// Creates a project in `org`.
pub fn project(ff: &FlowForge, by: &Actor, org: &Organization, name: &str) -> Project {
    ff.create_project(by, &NewProject::new(org.id, name))
        .expect("create project")
}

/// Creates a task in `project`.
pub fn task(ff: &FlowForge, by: &Actor, project: &Project, title: &str) -> Task {
    ff.create_task(by, &NewTask::new(project.id, title))
        .expect("create task")
}

/// Two tenants: `org` with one user of each role, and `foreign`, owned by `outsider`, whom the
/// others do not share an organization with.
pub struct World {
    pub ff: FlowForge,
    pub owner: Actor,
    pub admin: Actor,
    pub member: Actor,
    pub viewer: Actor,
    pub outsider: Actor,
    pub org: Organization,
    pub project: Project,
    /// Created by `member`.
    pub task: Task,
    pub foreign: Organization,
    pub foreign_project: Project,
    pub foreign_task: Task,
}

impl World {
    pub fn new() -> Self {
        let ff = open();
        let owner = user(&ff, "owner@acme.example");
        let admin = user(&ff, "admin@acme.example");
        let member = user(&ff, "member@acme.example");
        let viewer = user(&ff, "viewer@acme.example");
        let outsider = user(&ff, "owner@globex.example");
        let org = org(&ff, &owner, "Acme");
        add(&ff, &owner, &org, &admin, Role::Admin);
        add(&ff, &owner, &org, &member, Role::Member);
        add(&ff, &owner, &org, &viewer, Role::Viewer);
        let project = project(&ff, &owner, &org, "Launch");
        let task = task(&ff, &member, &project, "Write the press release");
        let foreign = self::org(&ff, &outsider, "Globex");
        let foreign_project = self::project(&ff, &outsider, &foreign, "Secret plans");
        let foreign_task = self::task(&ff, &outsider, &foreign_project, "Take over the world");
        Self {
            ff,
            owner,
            admin,
            member,
            viewer,
            outsider,
            org,
            project,
            task,
            foreign,
            foreign_project,
            foreign_task,
        }
    }

    /// The actor of `role` in `org`.
    pub fn as_role(&self, role: Role) -> &Actor {
        match role {
            Role::Owner => &self.owner,
            Role::Admin => &self.admin,
            Role::Member => &self.member,
            Role::Viewer => &self.viewer,
        }
    }
}

/// Asserts a validation error that names `field`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: Result<T, Error>, field: &str) {
    match result {
        Err(Error::Validation(errors)) => {
            assert!(
                errors.get(field).is_some(),
                "expected an error on {field}, got {errors}"
            )
        }
        other => panic!("expected a validation error on {field}, got {other:?}"),
    }
}

/// Asserts the plain not-found answer.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(result: Result<T, Error>) {
    match result {
        Err(Error::NotFound(message)) => assert_eq!(message, "Not found."),
        other => panic!("expected not found, got {other:?}"),
    }
}

/// Asserts a forbidden answer.
#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(result: Result<T, Error>) {
    assert!(
        matches!(result, Err(Error::Forbidden(_))),
        "expected forbidden, got {result:?}"
    );
}

/// Asserts a conflict whose message contains `words`.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(result: Result<T, Error>, words: &str) {
    match result {
        Err(Error::Conflict(message)) => {
            assert!(message.contains(words), "conflict said {message:?}")
        }
        other => panic!("expected a conflict ({words}), got {other:?}"),
    }
}
