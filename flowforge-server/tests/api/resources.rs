//! The success path of every tenancy endpoint: organizations, memberships, projects and tasks,
//! with their statuses and body shapes.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{World, project_and_task, unique};

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[tokio::test]
async fn the_api_root_lists_the_collections_without_a_token() {
    let w = World::get();
    let root = w.anon().get("/api/v1/").await.expect(StatusCode::OK);
    assert_eq!(
        root.json["tasks"],
        format!("{}/api/v1/tasks/", w.base),
        "{}",
        root.text
    );
    assert_eq!(
        root.json["organizations"],
        format!("{}/api/v1/organizations/", w.base)
    );
    assert_eq!(
        root.json["projects"],
        format!("{}/api/v1/projects/", w.base)
    );
}

#[tokio::test]
async fn health_and_readiness_answer_200() {
    let w = World::get();
    w.anon().get("/healthz").await.expect(StatusCode::OK);
    w.anon().get("/readyz").await.expect(StatusCode::OK);
}

#[tokio::test]
async fn owner_creates_reads_updates_and_deletes_an_organization() {
    let w = World::get();
    let api = w.owner();
    let name = unique("Initech Labs");
    let created = api
        .post("/api/v1/organizations/", json!({"name": name}))
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        keys(&created.json),
        [
            "created_at",
            "id",
            "member_count",
            "name",
            "role",
            "slug",
            "updated_at"
        ]
    );
    assert_eq!(created.json["role"], "owner");
    assert_eq!(created.json["member_count"], 1);
    assert_eq!(created.json["slug"], name.to_lowercase().replace(' ', "-"));
    let path = format!("/api/v1/organizations/{}/", created.id());
    let read = api.get(&path).await.expect(StatusCode::OK);
    assert_eq!(read.json, created.json);
    let renamed = api
        .patch(&path, json!({"name": unique("Initech Renamed")}))
        .await
        .expect(StatusCode::OK);
    assert_ne!(renamed.json["name"], created.json["name"]);
    let listed = api
        .get(&format!(
            "/api/v1/organizations/?search={}",
            renamed.json["name"].as_str().unwrap().replace(' ', "+")
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(listed.json["count"], 1, "{}", listed.text);
    let deleted = api.delete(&path).await.expect(StatusCode::NO_CONTENT);
    assert!(deleted.text.is_empty());
    api.get(&path).await.expect(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn organization_list_shows_only_the_callers_organizations_with_their_role() {
    let w = World::get();
    let list = w
        .viewer()
        .get("/api/v1/organizations/")
        .await
        .expect(StatusCode::OK);
    assert_eq!(keys(&list.json), ["count", "next", "previous", "results"]);
    assert_eq!(list.json["count"], 1);
    assert_eq!(list.json["results"][0]["id"], w.org.as_str());
    assert_eq!(list.json["results"][0]["role"], "viewer");
    assert_eq!(list.json["results"][0]["member_count"], 4);
}

#[tokio::test]
async fn admin_cannot_delete_the_organization() {
    let w = World::get();
    let path = format!("/api/v1/organizations/{}/", w.org);
    w.admin()
        .delete(&path)
        .await
        .problem(StatusCode::FORBIDDEN, &path);
    w.member()
        .patch(&path, json!({"name": "Taken over"}))
        .await
        .problem(StatusCode::FORBIDDEN, &path);
}

#[tokio::test]
async fn members_are_listed_added_changed_and_removed() {
    let w = World::get();
    let api = w.owner();
    let org = api
        .post(
            "/api/v1/organizations/",
            json!({"name": unique("Members Co")}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let members = format!("/api/v1/organizations/{org}/members/");
    let added = api
        .post(
            &members,
            json!({"email": w.member.email.to_uppercase(), "role": "member"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(keys(&added.json), ["joined_at", "role", "user"]);
    assert_eq!(keys(&added.json["user"]), ["email", "full_name", "id"]);
    assert_eq!(added.json["user"]["id"], w.member.id.as_str());
    assert_eq!(added.json["role"], "member");
    api.post(&members, json!({"email": w.member.email, "role": "viewer"}))
        .await
        .problem(StatusCode::CONFLICT, &members);
    api.post(
        &members,
        json!({"email": "nobody@acme.test", "role": "viewer"}),
    )
    .await
    .problem(StatusCode::NOT_FOUND, &members);
    let list = api
        .get(&format!("{members}?ordering=-role"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(list.json["count"], 2);
    assert_eq!(list.json["results"][0]["role"], "owner");
    let member = format!("{members}{}/", w.member.id);
    let read = api.get(&member).await.expect(StatusCode::OK);
    assert_eq!(read.json, added.json);
    let changed = api
        .patch(&member, json!({"role": "admin"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(changed.json["role"], "admin");
    api.delete(&member).await.expect(StatusCode::NO_CONTENT);
    api.get(&member)
        .await
        .problem(StatusCode::NOT_FOUND, &member);
}

#[tokio::test]
async fn a_member_may_leave_an_organization() {
    let w = World::get();
    let org = w
        .owner()
        .post("/api/v1/organizations/", json!({"name": unique("Leavers")}))
        .await
        .expect(StatusCode::CREATED)
        .id();
    let members = format!("/api/v1/organizations/{org}/members/");
    w.owner()
        .post(&members, json!({"email": w.admin.email, "role": "viewer"}))
        .await
        .expect(StatusCode::CREATED);
    let me = format!("{members}{}/", w.admin.id);
    w.admin().delete(&me).await.expect(StatusCode::NO_CONTENT);
    let org_path = format!("/api/v1/organizations/{org}/");
    w.admin()
        .get(&org_path)
        .await
        .problem(StatusCode::NOT_FOUND, &org_path);
}

#[tokio::test]
async fn admin_creates_updates_archives_and_deletes_a_project() {
    let w = World::get();
    let api = w.admin();
    let name = unique("Roadmap");
    let created = api
        .post(
            "/api/v1/projects/",
            json!({"organization": w.org, "name": name, "description": "Plans"}),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        keys(&created.json),
        [
            "created_at",
            "created_by",
            "description",
            "id",
            "is_archived",
            "name",
            "organization",
            "updated_at"
        ]
    );
    assert_eq!(created.json["organization"], w.org.as_str());
    assert_eq!(created.json["created_by"], w.admin.id.as_str());
    assert_eq!(created.json["is_archived"], false);
    api.post(
        "/api/v1/projects/",
        json!({"organization": w.org, "name": name.to_uppercase()}),
    )
    .await
    .problem(StatusCode::CONFLICT, "/api/v1/projects/");
    let path = format!("/api/v1/projects/{}/", created.id());
    assert_eq!(
        w.viewer().get(&path).await.expect(StatusCode::OK).json,
        created.json
    );
    let archived = api
        .patch(&path, json!({"is_archived": true, "description": "Done"}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(archived.json["is_archived"], true);
    w.member()
        .post(
            "/api/v1/tasks/",
            json!({"project": created.id(), "title": "Too late"}),
        )
        .await
        .problem(StatusCode::CONFLICT, "/api/v1/tasks/");
    let listed = w
        .viewer()
        .get(&format!(
            "/api/v1/projects/?is_archived=true&organization={}",
            w.org
        ))
        .await
        .expect(StatusCode::OK);
    assert!(
        listed.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == created.id())
    );
    w.member()
        .delete(&path)
        .await
        .problem(StatusCode::FORBIDDEN, &path);
    api.delete(&path).await.expect(StatusCode::NO_CONTENT);
    api.get(&path).await.problem(StatusCode::NOT_FOUND, &path);
}

#[tokio::test]
async fn member_creates_updates_lists_and_deletes_their_task() {
    let w = World::get();
    let api = w.member();
    let created = api
        .post(
            "/api/v1/tasks/",
            json!({
                "project": w.project, "title": "Ship it", "description": "Soon",
                "status": "in_progress", "priority": "critical",
                "assigned_to": w.viewer.id, "due_date": "2030-01-31"
            }),
        )
        .await
        .expect(StatusCode::CREATED);
    let task = &created.json;
    assert_eq!(
        keys(task),
        [
            "assigned_to",
            "created_at",
            "created_by",
            "description",
            "due_date",
            "id",
            "organization",
            "priority",
            "project",
            "status",
            "title",
            "updated_at"
        ]
    );
    assert_eq!(task["organization"], w.org.as_str());
    assert_eq!(task["project"], w.project.as_str());
    assert_eq!(task["assigned_to"]["id"], w.viewer.id.as_str());
    assert_eq!(task["assigned_to"]["email"], w.viewer.email.as_str());
    assert_eq!(task["created_by"], w.member.id.as_str());
    assert_eq!(task["due_date"], "2030-01-31");
    let path = format!("/api/v1/tasks/{}/", created.id());
    assert_eq!(
        w.viewer().get(&path).await.expect(StatusCode::OK).json,
        created.json
    );
    let updated = api
        .patch(&path, json!({"status": "done", "assigned_to": null}))
        .await
        .expect(StatusCode::OK);
    assert_eq!(updated.json["status"], "done");
    assert_eq!(updated.json["assigned_to"], Value::Null);
    let mine = api
        .get("/api/v1/tasks/?created_by=me&status=done&priority=critical,high")
        .await
        .expect(StatusCode::OK);
    assert!(
        mine.json["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == created.id())
    );
    api.delete(&path).await.expect(StatusCode::NO_CONTENT);
    api.get(&path).await.problem(StatusCode::NOT_FOUND, &path);
}

#[tokio::test]
async fn member_cannot_delete_a_task_someone_else_created() {
    let w = World::get();
    let (_, task) = project_and_task(&w.admin(), &w.org, &unique("Admin project")).await;
    let path = format!("/api/v1/tasks/{task}/");
    w.member()
        .delete(&path)
        .await
        .problem(StatusCode::FORBIDDEN, &path);
    w.member()
        .patch(&path, json!({"title": "Members may edit"}))
        .await
        .expect(StatusCode::OK);
    w.viewer()
        .patch(&path, json!({"title": "Viewers may not"}))
        .await
        .problem(StatusCode::FORBIDDEN, &path);
}
