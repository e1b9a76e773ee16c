//! The walk's comments: on a task of a project of their own, which ends archived.

use reqwest::Method as M;
use reqwest::StatusCode;
use serde_json::json;

use super::super::checker::Checker;
use super::{PROJECT, PROJECTS, TASKS, Users};

const COMMENTS: &str = "/api/v1/tasks/{id}/comments/";
const COMMENT: &str = "/api/v1/tasks/{id}/comments/{comment_id}/";

/// Comments in `org`, by Ada (owner) and Bob (admin), read by Carol (viewer).
pub async fn comments(c: &mut Checker, users: &Users, org: &str, missing: &str) {
    let (a, b, cr) = users.tokens();
    let project = c
        .call(
            M::POST,
            PROJECTS,
            PROJECTS,
            a,
            Some(json!({"organization": org, "name": "Talk"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let task = c
        .call(
            M::POST,
            TASKS,
            TASKS,
            a,
            Some(json!({"project": project, "title": "Discuss"})),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    let list = format!("{TASKS}{task}/comments/");
    let said = c
        .call(
            M::POST,
            COMMENTS,
            &list,
            a,
            Some(json!({"body": format!("  @{} please look  ", users.bob.email)})),
        )
        .await
        .expect(StatusCode::CREATED);
    assert_eq!(
        said.json["mentions"],
        json!([users.bob.id]),
        "{}",
        said.text
    );
    let comment = said.id();
    c.call(M::POST, COMMENTS, &list, b, Some(json!({"body": "Done."})))
        .await
        .expect(StatusCode::CREATED);
    c.call(
        M::POST,
        COMMENTS,
        &list,
        cr,
        Some(json!({"body": "Me too"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call_refused(M::POST, COMMENTS, &list, a, json!({"body": " "}))
        .await
        .expect(StatusCode::BAD_REQUEST);
    c.call_refused(
        M::POST,
        COMMENTS,
        &list,
        a,
        json!({"body": "x".repeat(10_001)}),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);
    c.call_refused(
        M::POST,
        COMMENTS,
        &list,
        a,
        json!({"body": "x", "mentions": []}),
    )
    .await
    .expect(StatusCode::BAD_REQUEST);
    c.call(
        M::POST,
        COMMENTS,
        &format!("{TASKS}{missing}/comments/"),
        a,
        Some(json!({"body": "Anyone?"})),
    )
    .await
    .expect(StatusCode::NOT_FOUND);
    let page = c
        .call(
            M::GET,
            COMMENTS,
            &format!("{list}?ordering=-created_at&page_size=1"),
            cr,
            None,
        )
        .await
        .expect(StatusCode::OK);
    assert_eq!(page.json["count"], 2, "{}", page.text);
    c.call(M::GET, COMMENTS, &format!("{list}?ordering=body"), cr, None)
        .await
        .expect(StatusCode::BAD_REQUEST);
    c.call(M::GET, COMMENTS, &format!("{list}?page=3"), cr, None)
        .await
        .expect(StatusCode::NOT_FOUND);
    let path = format!("{list}{comment}/");
    c.call(M::GET, COMMENT, &path, cr, None)
        .await
        .expect(StatusCode::OK);
    c.call(M::GET, COMMENT, &format!("{list}{missing}/"), cr, None)
        .await
        .expect(StatusCode::NOT_FOUND);
    c.call(
        M::PATCH,
        COMMENT,
        &path,
        a,
        Some(json!({"body": "Never mind."})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(
        M::PATCH,
        COMMENT,
        &path,
        b,
        Some(json!({"body": "Mine now"})),
    )
    .await
    .expect(StatusCode::FORBIDDEN);
    c.call_refused(M::PATCH, COMMENT, &path, a, json!({"body": null}))
        .await
        .expect(StatusCode::BAD_REQUEST);
    c.call(M::DELETE, COMMENT, &path, cr, None)
        .await
        .expect(StatusCode::FORBIDDEN);
    c.call(
        M::PATCH,
        PROJECT,
        &format!("{PROJECTS}{project}/"),
        a,
        Some(json!({"is_archived": true})),
    )
    .await
    .expect(StatusCode::OK);
    c.call(M::POST, COMMENTS, &list, a, Some(json!({"body": "Late"})))
        .await
        .expect(StatusCode::CONFLICT);
    c.call(M::PATCH, COMMENT, &path, a, Some(json!({"body": "Later"})))
        .await
        .expect(StatusCode::CONFLICT);
    c.call(M::DELETE, COMMENT, &path, b, None)
        .await
        .expect(StatusCode::NO_CONTENT);
    c.call(M::DELETE, COMMENT, &path, b, None)
        .await
        .expect(StatusCode::NOT_FOUND);
}
