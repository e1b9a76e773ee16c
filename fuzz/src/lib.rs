//! What the fuzz targets share: one in-memory FlowForge with a small tenant in it, and the
//! oracle every target applies to the core's answers.
//!
//! Bad input must end in a clear refusal (validation, not found, forbidden, conflict), never in
//! a panic, an internal error (the server's `500`) or a storage refusal (`503`). Ids are made at run time, so a target's
//! input names them by placeholder (`$ORG`, `$PROJECT`, `$TASK`, `$ME`, `$MEMBER`,
//! `$MEMBER_EMAIL`) and [`Fixture::resolve`] puts the real ones in.

use std::sync::LazyLock;
use std::time::Duration;

use flowforge_core::{
    Actor, Config, Database, Error, FlowForge, NewMembership, NewOrg, NewProject, NewTask, NewUser,
    OrgId, ProjectId, Role, TaskId, UserId,
};

/// The key every fixture token is signed with.
pub const SECRET_KEY: &str = "the fuzz targets' fixed secret key, 32+ bytes long";

/// A database holding one organization owned by [`Fixture::owner`], with a second member, a
/// project and a few tasks.
pub struct Fixture {
    /// The handle every call goes through.
    pub ff: FlowForge,
    /// The organization's owner, who makes every call.
    pub owner: Actor,
    /// The other member's id and email.
    pub member: (UserId, String),
    /// The organization.
    pub org: OrgId,
    /// A project of it (never archived by the targets).
    pub project: ProjectId,
    /// A task of that project.
    pub task: TaskId,
}

/// The fixture, made on first use (its password hashes take a moment).
pub static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    // Access tokens outlive the longest run, so the genuine one stays genuine.
    let mut config = Config::new(SECRET_KEY);
    config.access_ttl = Duration::from_secs(86_400);
    let ff = FlowForge::open(&Database::Memory, config).expect("opens");
    let password = "correct horse battery";
    for email in ["owner@example.com", "member@example.com"] {
        ff.register(&NewUser {
            email: email.into(),
            password: password.into(),
            full_name: "Fuzz".into(),
        })
        .expect("registers");
    }
    let owner = ff
        .authenticate("owner@example.com", password)
        .expect("owner");
    let member = ff
        .authenticate("member@example.com", password)
        .expect("member");
    let org = ff
        .create_organization(
            &owner,
            &NewOrg {
                name: "Fuzz".into(),
                slug: None,
            },
        )
        .expect("org")
        .id;
    ff.add_member(
        &owner,
        org,
        &NewMembership {
            email: "member@example.com".into(),
            role: Role::Member,
        },
    )
    .expect("member");
    let project = ff
        .create_project(&owner, &NewProject::new(org, "Launch"))
        .expect("project")
        .id;
    let mut task = None;
    for title in ["Write the docs", "Fix the login", "Ship it"] {
        task = Some(
            ff.create_task(&owner, &NewTask::new(project, title))
                .expect("task")
                .id,
        );
    }
    Fixture {
        member: (member.id(), "member@example.com".into()),
        owner,
        org,
        project,
        task: task.expect("a task"),
        ff,
    }
});

impl Fixture {
    /// The real id (or email) a placeholder stands for.
    pub fn resolve(&self, placeholder: &str) -> Option<String> {
        Some(match placeholder {
            "$ORG" => self.org.to_string(),
            "$PROJECT" => self.project.to_string(),
            "$TASK" => self.task.to_string(),
            "$ME" => self.owner.id().to_string(),
            "$MEMBER" => self.member.0.to_string(),
            "$MEMBER_EMAIL" => self.member.1.clone(),
            _ => return None,
        })
    }
}

/// The oracle: the answer if there is one; `None` for a refusal the contract allows; a panic
/// (the fuzzer's finding) for an internal error, which the server would answer `500`, or a
/// storage refusal (`503`), which an in-memory database with nothing else writing never has
/// cause for.
pub fn answer<T>(what: &str, result: flowforge_core::Result<T>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(Error::Internal(cause)) => panic!("{what}: internal error: {cause}"),
        Err(Error::Unavailable { cause, .. }) => panic!("{what}: storage refused: {cause}"),
        Err(_) => None,
    }
}
