//! Fixtures: a fresh database per test, users, and a two-tenant world with one user per role;
//! and the assertions and the mismatch collector that several modules share.

#![allow(dead_code)]

use flowforge_core::{
    Actor, Config, Error, FieldErrors, FlowForge, MemberQuery, NewMembership, NewOrg, NewProject,
    NewTask, NewUser, Org, OrgId, OrgPatch, Project, ProjectPatch, ProjectQuery, Role, Task,
    TaskPatch, TaskQuery, UserId,
};

/// The password of every fixture user.
pub const PASSWORD: &str = "flowforge-pass-1";
/// The secret key of every fixture handle.
pub const SECRET: &str = "test secret key, long enough to be a real one";
/// The roles of an organization, owner first (the columns of the role tables).
pub const ROLES: [Role; 4] = [Role::Owner, Role::Admin, Role::Member, Role::Viewer];
/// The message for a field a body may not set.
pub const READ_ONLY: &str = "This field is read-only.";
/// The message for a field a body does not have.
pub const UNKNOWN: &str = "Unknown field.";

/// A FlowForge on a fresh database of the backend under test, with what keeps that database
/// alive (a temporary directory, a PostgreSQL schema), dropped after the handle.
pub struct TestFf {
    ff: FlowForge,
    database: flowforge_core::Database,
    _keep: Box<dyn std::any::Any + Send + Sync>,
}

impl TestFf {
    /// Another handle on the same database (of [`open_shared`]), as a restarted process opens it.
    pub fn reopen(&self) -> FlowForge {
        FlowForge::open(&self.database, Config::new(SECRET)).expect("reopen the database")
    }
}

impl std::ops::Deref for TestFf {
    type Target = FlowForge;

    fn deref(&self) -> &FlowForge {
        &self.ff
    }
}

/// A fresh FlowForge on the backend under test.
pub fn open() -> TestFf {
    open_with(Config::new(SECRET))
}

/// A fresh FlowForge with `config`: in memory on SQLite, in a schema of its own on PostgreSQL
/// (the `postgres` feature).
pub fn open_with(config: Config) -> TestFf {
    #[cfg(feature = "postgres")]
    return open_postgres(config);
    #[cfg(not(feature = "postgres"))]
    TestFf {
        ff: FlowForge::open(&flowforge_core::Database::Memory, config)
            .expect("open an in-memory database"),
        database: flowforge_core::Database::Memory,
        _keep: Box::new(()),
    }
}

/// A fresh FlowForge that several connections share: an SQLite file, or a PostgreSQL schema.
pub fn open_shared(config: Config) -> TestFf {
    #[cfg(feature = "postgres")]
    return open_postgres(config);
    #[cfg(not(feature = "postgres"))]
    {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = flowforge_core::Database::File(dir.path().join("flowforge.db"));
        let ff = FlowForge::open(&db, config).expect("open a file database");
        TestFf {
            ff,
            database: db,
            _keep: Box::new(dir),
        }
    }
}

#[cfg(feature = "postgres")]
fn open_postgres(config: Config) -> TestFf {
    let schema = flowforge_core::ScratchSchema::for_tests().unwrap_or_else(|e| panic!("{e}"));
    let ff = FlowForge::open(schema.database(), config).expect("open a PostgreSQL schema");
    TestFf {
        ff,
        database: schema.database().clone(),
        _keep: Box::new(schema),
    }
}

/// Registers `email` and returns them as an actor.
pub fn user(ff: &FlowForge, email: &str) -> Actor {
    named_user(ff, email, &format!("Name of {email}"))
}

/// Registers `email` with a chosen full name and returns them as an actor.
pub fn named_user(ff: &FlowForge, email: &str, full_name: &str) -> Actor {
    let user = ff
        .register(&NewUser {
            email: email.into(),
            password: PASSWORD.into(),
            full_name: full_name.into(),
        })
        .expect("register");
    ff.admin().act_as(user.id).expect("act as")
}

/// Creates an organization owned by `owner`.
pub fn org(ff: &FlowForge, owner: &Actor, name: &str) -> Org {
    ff.create_organization(
        owner,
        &NewOrg {
            name: name.into(),
            slug: None,
        },
    )
    .expect("create organization")
}

/// Adds `who` to `org` with `role`, acting as `by`.
pub fn add(ff: &FlowForge, by: &Actor, org: &Org, who: &Actor, role: Role) {
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
pub fn project(ff: &FlowForge, by: &Actor, org: &Org, name: &str) -> Project {
    ff.create_project(by, &NewProject::new(org.id, name))
        .expect("create project")
}

/// Creates a task in `project`.
pub fn task(ff: &FlowForge, by: &Actor, project: &Project, title: &str) -> Task {
    ff.create_task(by, &NewTask::new(project.id, title))
        .expect("create task")
}

/// A patch that changes an organization's name only.
pub fn rename_org(name: &str) -> OrgPatch {
    OrgPatch {
        name: Some(name.into()),
        ..OrgPatch::default()
    }
}

/// A patch that changes an organization's slug only.
pub fn reslug_org(slug: &str) -> OrgPatch {
    OrgPatch {
        slug: Some(slug.into()),
        ..OrgPatch::default()
    }
}

/// A patch that changes a project's name only.
pub fn rename_project(name: &str) -> ProjectPatch {
    ProjectPatch {
        name: Some(name.into()),
        ..ProjectPatch::default()
    }
}

/// A patch that archives (or unarchives) a project.
pub fn archive_project(archived: bool) -> ProjectPatch {
    ProjectPatch {
        is_archived: Some(archived),
        ..ProjectPatch::default()
    }
}

/// A patch that changes a task's title only.
pub fn retitle(title: &str) -> TaskPatch {
    TaskPatch {
        title: Some(title.into()),
        ..TaskPatch::default()
    }
}

/// Two tenants: `org` with one user of each role, and `foreign`, owned by `outsider`, whom the
/// others do not share an organization with.
pub struct World {
    pub ff: TestFf,
    pub owner: Actor,
    pub admin: Actor,
    pub member: Actor,
    pub viewer: Actor,
    pub outsider: Actor,
    pub org: Org,
    pub project: Project,
    /// Created by `member`.
    pub task: Task,
    pub foreign: Org,
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

    /// The role `user` holds in `org`, as the owner sees it; `None` for a non-member.
    pub fn role_of(&self, user: UserId) -> Option<Role> {
        self.ff
            .get_member(&self.owner, self.org.id, user)
            .ok()
            .map(|m| m.role)
    }

    /// Everything `owner` can see of `org` and of their lists, to compare before and after.
    pub fn snapshot(&self, owner: &Actor, org: OrgId) -> String {
        let organization = self.ff.get_organization(owner, org);
        let members = self.ff.list_members(owner, org, &MemberQuery::default());
        let projects = self.ff.list_projects(owner, &ProjectQuery::default());
        let tasks = self.ff.list_tasks(owner, &TaskQuery::default());
        format!("{organization:?}\n{members:?}\n{projects:?}\n{tasks:?}")
    }
}

/// Mismatches between what a table-driven test expects and what the library answers, collected
/// so that one run reports them all, each naming the operation and the actor.
#[derive(Default)]
pub struct Mismatches(Vec<String>);

impl Mismatches {
    /// Records `message` unless `condition` holds.
    pub fn check(&mut self, condition: bool, message: impl FnOnce() -> String) {
        if !condition {
            self.0.push(message());
        }
    }

    /// Asserts that nothing was recorded, listing everything that was.
    #[track_caller]
    pub fn assert_none(self) {
        assert!(
            self.0.is_empty(),
            "{} mismatch(es):\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

/// The validation messages, or a panic naming what came instead.
#[track_caller]
pub fn field_errors<T: std::fmt::Debug>(result: Result<T, Error>) -> FieldErrors {
    match result {
        Err(Error::Validation(errors)) => errors,
        other => panic!("expected a validation error, got {other:?}"),
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
