//! The walk's projects and tasks, and the deletions that end it.

use reqwest::Method as M;
use reqwest::StatusCode;
use serde_json::json;

use super::super::checker::Checker;
use super::{MEMBER, ORG, ORGS, PROJECT, PROJECTS, TASK, TASKS, Users};
/// Projects of `org`; returns the ids of a live project and an archived one.
pub async fn projects(
    c: &mut Checker,
    users: &Users,
    (org, other): (&str, &str),
    missing: &str,
) -> (String, String) {
    let (a, b, cr) = users.tokens();
    // Projects.
    let project = c
        .call(
            M::POST,
            PROJECTS,
            PROJECTS,
            a,
            Some(json!({"organization": org, "name": "Launch", "description": "Go."})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let archived = c
        .call(
            M::POST,
            PROJECTS,
            PROJECTS,
            b,
            Some(json!({"organization": org, "name": "Old"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        a,
        Some(json!({"organization": org, "name": "launch"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        cr,
        Some(json!({"organization": org, "name": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call(
        M::POST,
        PROJECTS,
        PROJECTS,
        a,
        Some(json!({"organization": missing, "name": "Nowhere"})),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);
    c.call(
        M::GET,
        PROJECTS,
        &format!("{PROJECTS}?organization={org},{other}&is_archived=false&search=go&ordering=-updated_at&page_size=100"),
        a,
        None,
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::GET, PROJECTS, PROJECTS, cr, None)
        .await
        .expect(StatusCode::OK);
    let project_path = format!("{PROJECTS}{project}/");
    c.call(M::GET, PROJECT, &project_path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        PROJECT,
        &project_path,
        a,
        Some(json!({"description": "Ship it.", "name": "Launch 2"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        PROJECT,
        &format!("{PROJECTS}{archived}/"),
        a,
        Some(json!({"is_archived": true})),
    )
    .await
    .expect(StatusCode::OK);

    (project, archived)
}

/// Tasks of `project` (and none in `archived`).
pub async fn tasks(c: &mut Checker, users: &Users, org: &str, (project, archived): (&str, &str)) {
    let (a, b, cr) = users.tokens();
    let Users { ada, bob, .. } = users;
    // Tasks.
    let task = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            b,
            Some(json!({
                "project": project, "title": "Write the docs", "description": "All of them.",
                "status": "in_progress", "priority": "high", "assigned_to": ada.id,
                "due_date": "2026-12-01",
            })),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let bare = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            a,
            Some(
                json!({"project": project, "title": "Bare", "assigned_to": null, "due_date": null}),
            ),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    c.call(
        M::POST,
        TASKS,
        TASKS,
        a,
        Some(json!({"project": archived, "title": "Too late"})),
    )
    .await
    .expect(StatusCode::CONFLICT);
    c.call(
        M::POST,
        TASKS,
        TASKS,
        cr,
        Some(json!({"project": project, "title": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call_refused(M::POST, TASKS, TASKS, a, json!({"project": project}))
        .await
        .expect(StatusCode::BAD_REQUEST);
    let page = c
        .call(M::GET, TASKS, &format!("{TASKS}?page_size=1"), cr, None)
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.json["count"], 2, "{}", page.text);
    c.call(
        M::GET,
        TASKS,
        &format!(
            "{TASKS}?organization={org}&project={project}&status=todo&status=in_progress\
             &priority=high,medium&assigned_to=me,none&created_by=me,{}&due_before=2027-01-01\
             &due_after=2026-01-01&search=docs&ordering=-priority,title,due_date",
            bob.id
        ),
        a,
        None,
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::GET, TASKS, &format!("{TASKS}?status=someday"), a, None)
        .await
        .expect(StatusCode::BAD_REQUEST);
    let task_path = format!("{TASKS}{task}/");
    c.call(M::GET, TASK, &task_path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &task_path,
        b,
        Some(json!({"assigned_to": null, "due_date": null, "status": "done", "priority": "low", "title": "Docs written"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &format!("{TASKS}{bare}/"),
        a,
        Some(json!({"assigned_to": bob.id, "due_date": "2026-02-28", "description": "x"})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        TASK,
        &task_path,
        cr,
        Some(json!({"title": "Mine"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, TASK, &task_path, cr, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, TASK, &task_path, a, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::GET, TASK, &task_path, a, None)
        .await
        .expect(StatusCode::NOT_FOUND);
}

/// Deleting what the walk made: the project, a member, then the organization.
pub async fn deletions(c: &mut Checker, users: &Users, org: &str, project: &str) {
    let (a, b, cr) = users.tokens();
    let org_path = format!("{ORGS}{org}/");
    let members = format!("{org_path}members/");
    let ada_path = format!("{members}{}/", users.ada.id);
    let project_path = format!("{PROJECTS}{project}/");
    // Deletions.
    c.call(M::DELETE, PROJECT, &project_path, cr, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, PROJECT, &project_path, b, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, MEMBER, &ada_path, a, None)
        .await
        .expect(StatusCode::CONFLICT);
    c.call(
        M::DELETE,
        MEMBER,
        &format!("{members}{}/", users.carol.id),
        a,
        None,
    )
    .await
    .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, ORG, &org_path, b, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(M::DELETE, ORG, &org_path, a, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, ORG, &org_path, a, None)
        .await
        .expect(StatusCode::NOT_FOUND);
}
