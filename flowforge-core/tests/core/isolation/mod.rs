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

mod bodies;
mod comments;
mod lists;
mod resources;

use std::fmt::Debug;

use flowforge_core::{Actor, Error, OrgId, ProjectId, TaskId, UserId};

use crate::support::{Mismatches, ROLES, World};

/// The answer to a request for a missing resource.
const NOT_FOUND: &str = r#"Err(NotFound("Not found."))"#;

impl Mismatches {
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
    let mut views: Vec<View<'_>> = ROLES
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
    format!(
        "{}\n{}\n",
        w.snapshot(&w.owner, w.org.id),
        w.snapshot(&w.outsider, w.foreign.id)
    )
}

#[track_caller]
fn assert_unchanged(w: &World, before: &str) {
    let after = snapshot(w);
    assert!(
        after == before,
        "something was written:\nbefore {before}\nafter  {after}"
    );
}
