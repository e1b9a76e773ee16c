//! Comments: the body's length and blankness, the bodies (unknown and read-only fields),
//! mentions, archived projects, deleted tasks and projects, an edit that changes nothing, an
//! author whose role fell to viewer, and the one event each write logs.

use std::time::Duration;

use flowforge_core::{
    Actor, Comment, CommentPatch, CommentQuery, Event, EventType, MembershipPatch, NewComment,
    PageRequest, Role, TaskId, UserId,
};
use serde_json::json;

use super::assert_says;
use crate::support::{
    READ_ONLY, UNKNOWN, World, add, archive_project, assert_conflict, assert_forbidden,
    assert_invalid, assert_not_found, field_errors, task, user,
};

fn say(w: &World, author: &Actor, body: &str) -> Result<Comment, flowforge_core::Error> {
    w.ff.create_comment(author, w.task.id, &NewComment::new(body))
}

fn edit(w: &World, author: &Actor, id: flowforge_core::CommentId, body: &str) -> Comment {
    let patch = CommentPatch {
        body: Some(body.into()),
    };
    w.ff.update_comment(author, w.task.id, id, &patch)
        .expect("edit")
}

fn comments_of(w: &World, task: TaskId) -> Result<Vec<Comment>, flowforge_core::Error> {
    let all = CommentQuery::from_pairs([("page_size", "100")]).expect("query");
    w.ff.list_comments(&w.owner, task, &all).map(|p| p.items)
}

// The body.

#[test]
fn a_body_is_1_to_10000_characters_once_trimmed_counted_as_characters() {
    let w = World::new();
    let most = "é".repeat(10_000);
    let said = say(&w, &w.member, &format!("\n  {most}\t")).expect("10,000 characters");
    assert_eq!(said.body, most, "stored trimmed");
    for bad in ["", "   ", "\n\t", &"é".repeat(10_001)] {
        let errors = field_errors(say(&w, &w.member, bad));
        let message = if bad.trim().is_empty() {
            "This field may not be blank."
        } else {
            "Ensure this field has no more than 10000 characters."
        };
        assert_says(&errors, "body", message);
        let patch = CommentPatch {
            body: Some(bad.to_owned()),
        };
        assert_invalid(
            w.ff.update_comment(&w.member, w.task.id, said.id, &patch),
            "body",
        );
    }
    assert_eq!(comments_of(&w, w.task.id).unwrap(), [said]);
}

#[test]
fn comment_bodies_refuse_unknown_read_only_missing_and_mistyped_fields() {
    let errors = field_errors(NewComment::from_json(&json!({
        "body": "x", "id": "1", "task": "2", "author": {}, "mentions": [], "created_at": "",
        "updated_at": "", "colour": "red",
    })));
    for field in [
        "id",
        "task",
        "author",
        "mentions",
        "created_at",
        "updated_at",
    ] {
        assert_says(&errors, field, READ_ONLY);
    }
    assert_says(&errors, "colour", UNKNOWN);
    assert!(errors.get("body").is_none());
    assert_says(
        &field_errors(NewComment::from_json(&json!({}))),
        "body",
        "This field is required.",
    );
    for bad in [
        json!({"body": null}),
        json!({"body": 7}),
        json!({"body": "a\u{0}b"}),
    ] {
        assert_invalid(CommentPatch::from_json(&bad), "body");
        assert_invalid(NewComment::from_json(&bad), "body");
    }
    assert_invalid(
        CommentPatch::from_json(&json!(["body"])),
        "non_field_errors",
    );
}

// Mentions.

#[test]
fn mentions_are_members_of_any_role_once_each_in_order_without_regard_to_case() {
    let w = World::new();
    let stranger = user(&w.ff, "stranger@acme.example");
    let body = "@VIEWER@acme.example, @admin@Acme.Example: see @nobody@acme.example and \
                @owner@globex.example and @stranger@acme.example; again @viewer@acme.example \
                and @owner@acme.example. Mail member@acme.example directly.";
    let said = say(&w, &w.member, body).unwrap();
    assert_eq!(said.mentions, [w.viewer.id(), w.admin.id(), w.owner.id()]);
    assert_eq!(
        w.ff.get_comment(&w.viewer, w.task.id, said.id).unwrap(),
        said
    );
    assert!(!said.mentions.contains(&stranger.id()));
    let plain = say(&w, &w.member, "No one @ all, @member, member@acme.example").unwrap();
    assert_eq!(plain.mentions, Vec::<UserId>::new());
}

#[test]
fn an_edit_records_the_new_bodys_mentions_of_the_members_of_that_moment() {
    let w = World::new();
    let said = say(
        &w,
        &w.member,
        "@admin@acme.example and @viewer@acme.example",
    )
    .unwrap();
    assert_eq!(said.mentions, [w.admin.id(), w.viewer.id()]);
    let newcomer = user(&w.ff, "new@acme.example");
    w.ff.remove_member(&w.owner, w.org.id, w.viewer.id())
        .unwrap();
    // The comment keeps what it recorded until it is edited.
    assert_eq!(
        w.ff.get_comment(&w.owner, w.task.id, said.id)
            .unwrap()
            .mentions,
        [w.admin.id(), w.viewer.id()]
    );
    add(&w.ff, &w.owner, &w.org, &newcomer, Role::Viewer);
    let edited = edit(
        &w,
        &w.member,
        said.id,
        "@new@acme.example, @viewer@acme.example, @admin@acme.example",
    );
    assert_eq!(edited.mentions, [newcomer.id(), w.admin.id()]);
    assert_eq!(
        w.ff.get_comment(&w.owner, w.task.id, said.id).unwrap(),
        edited
    );
}

// Writes that change nothing, or may not.

#[test]
fn an_edit_that_changes_nothing_writes_nothing_and_a_real_one_moves_updated_at() {
    let w = World::new();
    let said = say(&w, &w.member, "Same @admin@acme.example").unwrap();
    // Timestamps have milliseconds: make a later write's time differ from the creation's.
    std::thread::sleep(Duration::from_millis(5));
    let same = edit(&w, &w.member, said.id, "  Same @admin@acme.example ");
    assert_eq!(same, said);
    let empty =
        w.ff.update_comment(&w.member, w.task.id, said.id, &CommentPatch::default())
            .unwrap();
    assert_eq!(empty, said);
    assert_eq!(
        comments_of(&w, w.task.id).unwrap(),
        std::slice::from_ref(&said)
    );
    let changed = edit(&w, &w.member, said.id, "Changed");
    assert!(changed.updated_at > said.updated_at);
    assert_eq!(changed.created_at, said.created_at);
    assert_eq!(comments_of(&w, w.task.id).unwrap(), [changed]);
}

#[test]
fn an_author_demoted_to_viewer_may_neither_edit_nor_delete_their_comment() {
    let w = World::new();
    let said = say(&w, &w.member, "Mine").unwrap();
    let demote = |role| {
        let patch = MembershipPatch { role: Some(role) };
        w.ff.update_member(&w.owner, w.org.id, w.member.id(), &patch)
            .unwrap();
    };
    demote(Role::Viewer);
    let patch = CommentPatch {
        body: Some("Still mine".into()),
    };
    assert_forbidden(w.ff.update_comment(&w.member, w.task.id, said.id, &patch));
    assert_forbidden(w.ff.delete_comment(&w.member, w.task.id, said.id));
    demote(Role::Member);
    w.ff.update_comment(&w.member, w.task.id, said.id, &patch)
        .unwrap();
    w.ff.delete_comment(&w.member, w.task.id, said.id).unwrap();
    assert_eq!(comments_of(&w, w.task.id).unwrap(), []);
}

#[test]
fn the_comments_of_an_archived_projects_tasks_are_read_and_deleted_but_not_added_or_changed() {
    let w = World::new();
    let said = say(&w, &w.member, "Before").unwrap();
    let gone = say(&w, &w.member, "To delete").unwrap();
    w.ff.update_project(&w.owner, w.project.id, &archive_project(true))
        .unwrap();
    assert_conflict(say(&w, &w.member, "After"), "archived");
    let patch = CommentPatch {
        body: Some("Changed".into()),
    };
    assert_conflict(
        w.ff.update_comment(&w.member, w.task.id, said.id, &patch),
        "archived",
    );
    // Validation comes before the state, as for tasks.
    assert_invalid(say(&w, &w.member, " "), "body");
    w.ff.delete_comment(&w.member, w.task.id, gone.id).unwrap();
    assert_eq!(comments_of(&w, w.task.id).unwrap(), [said]);
    w.ff.update_project(&w.owner, w.project.id, &archive_project(false))
        .unwrap();
    say(&w, &w.member, "After").expect("unarchived");
}

// Comments go with their task.

#[test]
fn a_deleted_tasks_comments_are_gone_from_every_read() {
    let w = World::new();
    let said = say(&w, &w.member, "Soon gone").unwrap();
    assert_eq!(comments_of(&w, w.task.id).unwrap().len(), 1);
    w.ff.delete_task(&w.owner, w.task.id).unwrap();
    assert_not_found(comments_of(&w, w.task.id));
    assert_not_found(w.ff.get_comment(&w.owner, w.task.id, said.id));
    assert_not_found(w.ff.get_comment(&w.member, w.task.id, said.id));
}

#[test]
fn deleting_a_project_or_an_organization_takes_its_tasks_comments_with_it() {
    let w = World::new();
    let other = task(&w.ff, &w.owner, &w.project, "Second");
    say(&w, &w.member, "On the first").unwrap();
    w.ff.create_comment(&w.admin, other.id, &NewComment::new("On the second"))
        .unwrap();
    w.ff.delete_project(&w.owner, w.project.id)
        .expect("the cascade removes the comments");
    assert_not_found(comments_of(&w, other.id));
    let project = crate::support::project(&w.ff, &w.owner, &w.org, "Again");
    let again = task(&w.ff, &w.owner, &project, "Third");
    w.ff.create_comment(&w.owner, again.id, &NewComment::new("On the third"))
        .unwrap();
    w.ff.delete_organization(&w.owner, w.org.id)
        .expect("the cascade removes the comments");
    assert_not_found(comments_of(&w, again.id));
}

// Events.

/// The world's task's history, oldest first.
fn history(w: &World) -> Vec<Event> {
    let page = PageRequest::new(1, 100);
    let mut events = w.ff.task_activity(&w.owner, w.task.id, page).unwrap().items;
    events.reverse();
    events
}

#[test]
fn each_comment_write_logs_one_event_and_a_refused_or_empty_one_none() {
    let w = World::new();
    let before = history(&w).len();
    let said = say(&w, &w.member, "Hi @admin@acme.example").unwrap();
    // Refused, invalid or changing nothing: no event.
    let patch = |body: &str| CommentPatch {
        body: Some(body.into()),
    };
    assert_forbidden(w.ff.update_comment(&w.owner, w.task.id, said.id, &patch("Mine")));
    assert_forbidden(w.ff.delete_comment(&w.viewer, w.task.id, said.id));
    assert_invalid(say(&w, &w.member, " "), "body");
    edit(&w, &w.member, said.id, " Hi @admin@acme.example\n");
    w.ff.update_comment(&w.member, w.task.id, said.id, &CommentPatch::default())
        .unwrap();
    edit(&w, &w.member, said.id, "Hi @viewer@acme.example");
    edit(&w, &w.member, said.id, "Hello @viewer@acme.example");
    w.ff.delete_comment(&w.admin, w.task.id, said.id).unwrap();

    let events = &history(&w)[before..];
    let kinds: Vec<EventType> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventType::CommentCreated,
            EventType::CommentUpdated,
            EventType::CommentUpdated,
            EventType::CommentDeleted
        ]
    );
    let actors: Vec<Option<UserId>> = events.iter().map(|e| e.actor).collect();
    let member = Some(w.member.id());
    assert_eq!(actors, [member, member, member, Some(w.admin.id())]);
    for event in events {
        assert_eq!(
            (event.project, event.task, event.comment, event.user),
            (Some(w.project.id), Some(w.task.id), Some(said.id), None),
            "{event:?}"
        );
    }
    let sequences: Vec<u64> = events.iter().map(|e| e.sequence).collect();
    let first = sequences[0];
    assert_eq!(sequences, [first, first + 1, first + 2, first + 3]);
    assert_eq!(events[0].changes, None);
    assert_eq!(events[3].changes, None);
    let changes = |n: usize| serde_json::to_value(&events[n].changes).unwrap();
    assert_eq!(
        changes(1),
        json!({
            "body": {"old": "Hi @admin@acme.example", "new": "Hi @viewer@acme.example"},
            "mentions": {
                "old": [w.admin.id().to_string()],
                "new": [w.viewer.id().to_string()],
            },
        })
    );
    assert_eq!(
        changes(2),
        json!({"body": {"old": "Hi @viewer@acme.example", "new": "Hello @viewer@acme.example"}})
    );
}
