//! The isolation rule on every route: an id of another tenant answers exactly like an id that
//! names nothing (same status, same headers but the request id, same body once the id in
//! `instance` is swapped), whatever the method, and nothing is written. Comments are seen only
//! through their task: a deleted task's, and a comment id of another task, answer alike too.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Api, Resp, World, missing_id, project_and_task, send, unique};

/// Headers that may differ between two otherwise identical answers.
const VARYING: &[&str] = &["x-request-id", "date"];

pub(crate) fn stable_headers(resp: &Resp) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = resp
        .headers
        .iter()
        .filter(|(name, _)| !VARYING.contains(&name.as_str()))
        .map(|(name, value)| {
            (
                name.to_string(),
                value.to_str().unwrap_or("<binary>").to_owned(),
            )
        })
        .collect();
    headers.sort();
    headers
}

/// Sends `method` to `template` with `{}` replaced once by `foreign` and once by a missing id,
/// asserts both answer `status` identically, and returns the foreign answer.
pub(crate) async fn assert_indistinguishable(
    api: &Api,
    method: Method,
    template: &str,
    foreign: &str,
    body: Option<Value>,
    status: StatusCode,
) -> Resp {
    let missing = missing_id();
    let call = |id: &str| {
        let path = template.replace("{}", id);
        let builder = api.request(method.clone(), &path);
        let builder = match &body {
            Some(body) => {
                builder.json(&body.to_string().replace("{}", id).parse::<Value>().unwrap())
            }
            None => builder,
        };
        send(builder)
    };
    let for_foreign = call(foreign).await;
    let for_missing = call(&missing).await;
    let what = format!("{method} {template}");
    assert_eq!(for_foreign.status, status, "{what}: {}", for_foreign.text);
    assert_eq!(for_missing.status, status, "{what}: {}", for_missing.text);
    assert_eq!(
        for_foreign.text.replace(foreign, &missing),
        for_missing.text,
        "{what}: bodies differ"
    );
    assert_eq!(
        stable_headers(&for_foreign),
        stable_headers(&for_missing),
        "{what}: headers differ"
    );
    for_foreign
}

/// Every method of an item route, with a valid body for PATCH.
async fn every_method(api: &Api, template: &str, foreign: &str, patch: Value) {
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(patch)),
        (Method::DELETE, None),
    ] {
        assert_indistinguishable(api, method, template, foreign, body, StatusCode::NOT_FOUND).await;
    }
}

/// The outsider's resources are all still there, unchanged.
async fn nothing_was_written(w: &World) {
    let outsider = w.outsider();
    let org = outsider
        .get(&format!("/api/v1/organizations/{}/", w.foreign_org))
        .await
        .expect(StatusCode::OK);
    assert_eq!(org.json["name"], "Globex");
    assert_eq!(org.json["member_count"], 1);
    let project = outsider
        .get(&format!("/api/v1/projects/{}/", w.foreign_project))
        .await
        .expect(StatusCode::OK);
    assert_eq!(project.json["name"], "Secret plan");
    let tasks = outsider
        .get(&format!("/api/v1/tasks/?organization={}", w.foreign_org))
        .await
        .expect(StatusCode::OK);
    assert_eq!(tasks.json["count"], 1, "{}", tasks.text);
    assert_eq!(tasks.json["results"][0]["id"], w.foreign_task.as_str());
    assert_eq!(tasks.json["results"][0]["title"], "Secret plan: first task");
}

#[tokio::test]
async fn a_foreign_organization_answers_like_a_missing_one_on_every_method() {
    let w = World::get();
    let owner = w.owner();
    every_method(
        &owner,
        "/api/v1/organizations/{}/",
        &w.foreign_org,
        json!({"name": "Hijacked"}),
    )
    .await;
    let members = "/api/v1/organizations/{}/members/";
    assert_indistinguishable(
        &owner,
        Method::GET,
        members,
        &w.foreign_org,
        None,
        StatusCode::NOT_FOUND,
    )
    .await;
    let invite = json!({"email": w.viewer.email, "role": "owner"});
    assert_indistinguishable(
        &owner,
        Method::POST,
        members,
        &w.foreign_org,
        Some(invite),
        StatusCode::NOT_FOUND,
    )
    .await;
    let member = format!("/api/v1/organizations/{{}}/members/{}/", w.outsider.id);
    every_method(&owner, &member, &w.foreign_org, json!({"role": "viewer"})).await;
    nothing_was_written(w).await;
}

#[tokio::test]
async fn a_user_outside_the_organization_answers_like_a_missing_member() {
    let w = World::get();
    let template = format!("/api/v1/organizations/{}/members/{{}}/", w.org);
    every_method(
        &w.owner(),
        &template,
        &w.outsider.id,
        json!({"role": "viewer"}),
    )
    .await;
    nothing_was_written(w).await;
}

#[tokio::test]
async fn a_foreign_project_answers_like_a_missing_one_on_every_method() {
    let w = World::get();
    every_method(
        &w.admin(),
        "/api/v1/projects/{}/",
        &w.foreign_project,
        json!({"name": "Hijacked", "is_archived": true}),
    )
    .await;
    nothing_was_written(w).await;
}

#[tokio::test]
async fn a_foreign_task_answers_like_a_missing_one_on_every_method() {
    let w = World::get();
    for api in [w.owner(), w.member(), w.viewer()] {
        every_method(
            &api,
            "/api/v1/tasks/{}/",
            &w.foreign_task,
            json!({"title": "Hijacked"}),
        )
        .await;
    }
    nothing_was_written(w).await;
}

/// Creates a comment on `task` as `api`; returns its id.
async fn comment_on(api: &Api, task: &str, body: &str) -> String {
    api.post(
        &format!("/api/v1/tasks/{task}/comments/"),
        json!({"body": body}),
    )
    .await
    .expect(StatusCode::CREATED)
    .id()
}

/// Every comment route on the task `task` (standing for `{}`) answers exactly like on a task
/// that does not exist.
async fn comments_alike(api: &Api, task: &str, comment: &str) {
    let list = "/api/v1/tasks/{}/comments/";
    assert_indistinguishable(api, Method::GET, list, task, None, StatusCode::NOT_FOUND).await;
    let say = Some(json!({"body": "Planted"}));
    assert_indistinguishable(api, Method::POST, list, task, say, StatusCode::NOT_FOUND).await;
    let item = format!("/api/v1/tasks/{{}}/comments/{comment}/");
    every_method(api, &item, task, json!({"body": "Hijacked"})).await;
}

#[tokio::test]
async fn a_foreign_or_deleted_tasks_comments_answer_like_a_missing_tasks_on_every_method() {
    let w = World::get();
    let foreign = comment_on(&w.outsider(), &w.foreign_task, "Globex only").await;
    for api in [w.owner(), w.member(), w.viewer()] {
        comments_alike(&api, &w.foreign_task, &foreign).await;
    }
    let (_, doomed) = project_and_task(&w.owner(), &w.org, &unique("Doomed")).await;
    let gone = comment_on(&w.member(), &doomed, "Soon gone").await;
    w.owner()
        .delete(&format!("/api/v1/tasks/{doomed}/"))
        .await
        .expect(StatusCode::NO_CONTENT);
    for api in [w.owner(), w.member(), w.viewer()] {
        comments_alike(&api, &doomed, &gone).await;
    }
    let comments = w
        .outsider()
        .get(&format!("/api/v1/tasks/{}/comments/", w.foreign_task))
        .await
        .expect(StatusCode::OK);
    let bodies: Vec<&Value> = comments.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["body"])
        .collect();
    assert!(
        bodies.iter().all(|b| *b == "Globex only"),
        "{}",
        comments.text
    );
    nothing_was_written(w).await;
}

#[tokio::test]
async fn a_comment_of_another_task_or_tenant_answers_like_a_missing_comment() {
    let w = World::get();
    let (_, own_task) = project_and_task(&w.owner(), &w.org, &unique("Talk")).await;
    let (_, other_task) = project_and_task(&w.owner(), &w.org, &unique("Other talk")).await;
    comment_on(&w.member(), &own_task, "Here").await;
    let elsewhere = comment_on(&w.member(), &other_task, "Elsewhere").await;
    let foreign = comment_on(&w.outsider(), &w.foreign_task, "Globex only").await;
    let template = format!("/api/v1/tasks/{own_task}/comments/{{}}/");
    for api in [w.owner(), w.member(), w.viewer()] {
        for comment in [&elsewhere, &foreign] {
            every_method(&api, &template, comment, json!({"body": "Hijacked"})).await;
        }
    }
    let other = w
        .owner()
        .get(&format!("/api/v1/tasks/{other_task}/comments/{elsewhere}/"))
        .await
        .expect(StatusCode::OK);
    assert_eq!(other.json["body"], "Elsewhere");
    let globex = w
        .outsider()
        .get(&format!(
            "/api/v1/tasks/{}/comments/{foreign}/",
            w.foreign_task
        ))
        .await
        .expect(StatusCode::OK);
    assert_eq!(globex.json["body"], "Globex only");
}

#[tokio::test]
async fn foreign_ids_in_bodies_are_refused_like_ids_that_name_nothing() {
    let w = World::get();
    let owner = w.owner();
    let cases = [
        (
            Method::POST,
            "/api/v1/projects/".to_owned(),
            json!({"organization": "{}", "name": "Probe"}),
            &w.foreign_org,
            "organization",
        ),
        (
            Method::POST,
            "/api/v1/tasks/".to_owned(),
            json!({"project": "{}", "title": "Probe"}),
            &w.foreign_project,
            "project",
        ),
        (
            Method::POST,
            "/api/v1/tasks/".to_owned(),
            json!({"project": w.project, "title": "Probe", "assigned_to": "{}"}),
            &w.outsider.id,
            "assigned_to",
        ),
        (
            Method::PATCH,
            format!("/api/v1/tasks/{}/", w.task),
            json!({"assigned_to": "{}"}),
            &w.outsider.id,
            "assigned_to",
        ),
    ];
    for (method, path, body, foreign, field) in cases {
        let resp = assert_indistinguishable(
            &owner,
            method,
            &path,
            foreign,
            Some(body),
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(
            resp.json["errors"][field].is_array(),
            "{path}: {}",
            resp.text
        );
    }
    let task = owner
        .get(&format!("/api/v1/tasks/{}/", w.task))
        .await
        .expect(StatusCode::OK);
    assert_ne!(task.json["assigned_to"]["id"], w.outsider.id.as_str());
    nothing_was_written(w).await;
}

#[tokio::test]
async fn foreign_ids_in_filters_match_nothing_like_ids_that_name_nothing() {
    let w = World::get();
    let member = w.member();
    let cases = [
        ("/api/v1/tasks/?organization={}", &w.foreign_org),
        ("/api/v1/tasks/?project={}", &w.foreign_project),
        ("/api/v1/tasks/?assigned_to={}", &w.outsider.id),
        ("/api/v1/tasks/?created_by={}", &w.outsider.id),
        ("/api/v1/projects/?organization={}", &w.foreign_org),
    ];
    for (template, foreign) in cases {
        let resp = assert_indistinguishable(
            &member,
            Method::GET,
            template,
            foreign,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            resp.json,
            json!({"count": 0, "next": null, "previous": null, "results": []}),
            "{template}"
        );
    }
}
