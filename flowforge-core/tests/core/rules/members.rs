//! Members: the last owner can neither leave nor be demoted nor removed, two owners may part,
//! and a member who is removed or leaves is unassigned from their open tasks there.

use flowforge_core::{MembershipPatch, NewTask, Role, Status, TaskPatch};

use super::{assigned, org_names};
use crate::support::{World, add, assert_conflict, assert_forbidden, assert_not_found};

/// A patch that gives a member `role`.
fn set_role(role: Role) -> MembershipPatch {
    MembershipPatch { role: Some(role) }
}

// The last owner.

#[test]
fn the_last_owner_cannot_leave() {
    let world = World::new();
    assert_conflict(
        world
            .ff
            .remove_member(&world.owner, world.org.id, world.owner.id()),
        "owner",
    );
    assert_eq!(world.role_of(world.owner.id()), Some(Role::Owner));
}

#[test]
fn the_last_owner_cannot_be_demoted() {
    let world = World::new();
    let (ff, org, owner) = (&world.ff, world.org.id, world.owner.id());
    for role in [Role::Admin, Role::Member, Role::Viewer] {
        assert_conflict(
            ff.update_member(&world.owner, org, owner, &set_role(role)),
            "owner",
        );
    }
    assert_eq!(world.role_of(owner), Some(Role::Owner));
    // Keeping the role is no demotion.
    ff.update_member(&world.owner, org, owner, &set_role(Role::Owner))
        .unwrap();
}

#[test]
fn the_last_owner_cannot_be_removed_by_anyone() {
    let world = World::new();
    let ff = &world.ff;
    assert_forbidden(ff.remove_member(&world.admin, world.org.id, world.owner.id()));
    assert_conflict(
        ff.remove_member(&world.owner, world.org.id, world.owner.id()),
        "owner",
    );
    assert_eq!(
        ff.get_member(&world.admin, world.org.id, world.owner.id())
            .unwrap()
            .role,
        Role::Owner
    );
}

#[test]
fn with_two_owners_one_may_leave_and_the_other_is_then_the_last() {
    let world = World::new();
    let (ff, org, admin) = (&world.ff, world.org.id, world.admin.id());
    ff.update_member(&world.owner, org, admin, &set_role(Role::Owner))
        .unwrap();
    ff.remove_member(&world.owner, org, world.owner.id())
        .expect("one of two owners leaves");
    assert_not_found(ff.get_organization(&world.owner, org));
    assert_conflict(ff.remove_member(&world.admin, org, admin), "owner");
    assert_conflict(
        ff.update_member(&world.admin, org, admin, &set_role(Role::Member)),
        "owner",
    );
}

#[test]
fn with_two_owners_one_may_demote_or_remove_the_other() {
    let world = World::new();
    let (ff, org, owner) = (&world.ff, world.org.id, world.owner.id());
    add(ff, &world.owner, &world.org, &world.outsider, Role::Owner);
    ff.update_member(&world.outsider, org, owner, &set_role(Role::Admin))
        .expect("demote the other owner");
    ff.update_member(&world.outsider, org, owner, &set_role(Role::Owner))
        .unwrap();
    ff.remove_member(&world.owner, org, world.outsider.id())
        .expect("remove the other owner");
    assert_conflict(ff.remove_member(&world.owner, org, owner), "owner");
}

// Removing a member.

#[test]
fn removing_a_member_unassigns_their_open_tasks_in_that_organization_only() {
    let world = World::new();
    let ff = &world.ff;
    let mut open_tasks = Vec::new();
    for status in [Status::Todo, Status::InProgress, Status::Blocked] {
        let input = NewTask {
            status: Some(status),
            assigned_to: Some(world.member.id()),
            ..NewTask::new(world.project.id, format!("{status:?}"))
        };
        open_tasks.push(ff.create_task(&world.owner, &input).unwrap().id);
    }
    let done = NewTask {
        status: Some(Status::Done),
        assigned_to: Some(world.member.id()),
        ..NewTask::new(world.project.id, "Finished")
    };
    let done = ff.create_task(&world.owner, &done).unwrap().id;
    let to_admin = NewTask {
        assigned_to: Some(world.admin.id()),
        ..NewTask::new(world.project.id, "Admin's")
    };
    let to_admin = ff.create_task(&world.owner, &to_admin).unwrap().id;
    add(
        ff,
        &world.outsider,
        &world.foreign,
        &world.member,
        Role::Member,
    );
    let elsewhere = NewTask {
        assigned_to: Some(world.member.id()),
        ..NewTask::new(world.foreign_project.id, "Abroad")
    };
    let elsewhere = ff.create_task(&world.outsider, &elsewhere).unwrap().id;

    ff.remove_member(&world.owner, world.org.id, world.member.id())
        .unwrap();

    for id in open_tasks {
        let task = ff.get_task(&world.owner, id).unwrap();
        assert_eq!(assigned(&task), None, "{} kept its assignee", task.title);
    }
    assert_eq!(
        assigned(&ff.get_task(&world.owner, done).unwrap()),
        Some(world.member.id())
    );
    assert_eq!(
        assigned(&ff.get_task(&world.owner, to_admin).unwrap()),
        Some(world.admin.id())
    );
    assert_eq!(
        assigned(&ff.get_task(&world.outsider, elsewhere).unwrap()),
        Some(world.member.id())
    );
    assert_not_found(ff.get_task(&world.member, world.task.id));
    ff.get_task(&world.member, elsewhere)
        .expect("still a member of the other organization");
}

#[test]
fn a_member_who_leaves_is_unassigned_from_their_open_tasks() {
    let world = World::new();
    let ff = &world.ff;
    let patch = TaskPatch {
        assigned_to: Some(Some(world.member.id())),
        ..TaskPatch::default()
    };
    ff.update_task(&world.member, world.task.id, &patch)
        .unwrap();
    ff.remove_member(&world.member, world.org.id, world.member.id())
        .expect("leave");
    assert_eq!(
        assigned(&ff.get_task(&world.owner, world.task.id).unwrap()),
        None
    );
    assert!(org_names(ff, &world.member).is_empty());
}
