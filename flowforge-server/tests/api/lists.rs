//! The list envelope and its links: `{count, next, previous, results}`, absolute links built
//! from the request's own Host that keep every other query parameter, page errors, and the
//! limits on a list's query: page size, ordering terms, search text and the request target.

use std::collections::HashSet;

use reqwest::{Method, StatusCode, Url};
use serde_json::json;

use crate::support::{Api, Resp, World, raw_exchange, send, unique};

const HOST: &str = "flowforge.test:8080";

async fn get_via_host(api: &Api, path: &str) -> Resp {
    send(api.request(Method::GET, path).header("host", HOST))
        .await
        .expect(StatusCode::OK)
}

/// The query pairs of a link, after checking it is absolute, on `HOST`, at the tasks path.
fn link_pairs(link: &serde_json::Value) -> Vec<(String, String)> {
    let url = Url::parse(link.as_str().expect("a link")).expect("an absolute URL");
    assert_eq!(url.scheme(), "http");
    assert_eq!(
        format!("{}:{}", url.host_str().unwrap(), url.port().unwrap()),
        HOST
    );
    assert_eq!(url.path(), "/api/v1/tasks/");
    url.query_pairs().into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn pages_link_to_each_other_with_absolute_urls_that_keep_the_query() {
    let w = World::get();
    let admin = w.admin();
    let project = admin
        .post(
            "/api/v1/projects/",
            json!({"organization": w.org, "name": unique("Paged")}),
        )
        .await
        .expect(StatusCode::CREATED)
        .id();
    for n in 0..5 {
        admin
            .post(
                "/api/v1/tasks/",
                json!({"project": project, "title": format!("Paged task {n}")}),
            )
            .await
            .expect(StatusCode::CREATED);
    }
    let query = format!("project={project}&page_size=2&ordering=title&search=paged+task");
    let first = get_via_host(&w.viewer(), &format!("/api/v1/tasks/?{query}")).await;
    assert_eq!(first.json["count"], 5);
    assert_eq!(first.json["previous"], serde_json::Value::Null);
    let next = link_pairs(&first.json["next"]);
    assert_eq!(param(&next, "page"), Some("2"));
    assert_eq!(param(&next, "project"), Some(project.as_str()));
    assert_eq!(param(&next, "page_size"), Some("2"));
    assert_eq!(param(&next, "ordering"), Some("title"));
    assert_eq!(param(&next, "search"), Some("paged task"));

    let mut seen: Vec<String> = Vec::new();
    let mut link = Some(format!("/api/v1/tasks/?{query}"));
    let mut pages = 0;
    while let Some(path) = link {
        let page = get_via_host(&w.viewer(), &path).await;
        pages += 1;
        for task in page.json["results"].as_array().unwrap() {
            seen.push(task["title"].as_str().unwrap().to_owned());
        }
        if pages == 2 {
            let previous = link_pairs(&page.json["previous"]);
            assert!(
                matches!(param(&previous, "page"), None | Some("1")),
                "{previous:?}"
            );
            assert_eq!(param(&previous, "project"), Some(project.as_str()));
        }
        link = page.json["next"].as_str().map(|next| {
            let url = Url::parse(next).unwrap();
            format!("{}?{}", url.path(), url.query().unwrap())
        });
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (0..5).map(|n| format!("Paged task {n}")).collect();
    assert_eq!(seen, expected, "ordered by title, no overlap, no gap");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
}

#[tokio::test]
async fn a_page_past_the_end_zero_or_not_a_number_is_404_invalid_page() {
    let w = World::get();
    for page in ["99", "0", "two"] {
        let path = "/api/v1/tasks/";
        let resp = w
            .member()
            .get(&format!("{path}?page={page}"))
            .await
            .problem(StatusCode::NOT_FOUND, path);
        assert_eq!(resp.json["detail"], "Invalid page.", "page={page}");
    }
}

#[tokio::test]
async fn any_page_size_over_100_is_clamped_and_a_non_positive_one_is_400() {
    let w = World::get();
    let huge = "9".repeat(100);
    for size in ["1000", "9223372036854775808", "99999999999999999999", &huge] {
        let resp = w
            .member()
            .get(&format!("/api/v1/projects/?page_size={size}"))
            .await
            .expect(StatusCode::OK);
        assert!(resp.json["results"].as_array().unwrap().len() <= 100);
    }
    for size in ["0", "-1", "-99999999999999999999", "ten"] {
        let resp = w
            .member()
            .get(&format!("/api/v1/projects/?page_size={size}"))
            .await
            .problem(StatusCode::BAD_REQUEST, "/api/v1/projects/");
        assert!(resp.json["errors"]["page_size"].is_array(), "{size}");
    }
}

/// The four lists, each with a field it can be ordered by.
fn lists_and_a_field(w: &World) -> [(String, &'static str); 4] {
    [
        ("/api/v1/tasks/".to_owned(), "title"),
        ("/api/v1/projects/".to_owned(), "name"),
        ("/api/v1/organizations/".to_owned(), "name"),
        (format!("/api/v1/organizations/{}/members/", w.org), "email"),
    ]
}

#[tokio::test]
async fn ordering_by_thousands_of_terms_or_by_a_field_twice_is_a_400_naming_it() {
    let w = World::get();
    for (path, field) in lists_and_a_field(w) {
        for ordering in [vec![field; 2_000].join(","), format!("{field},-{field}")] {
            let resp = w
                .member()
                .get(&format!("{path}?ordering={ordering}"))
                .await
                .problem(StatusCode::BAD_REQUEST, &path);
            assert!(
                resp.json["errors"]["ordering"].is_array(),
                "{path}: {}",
                resp.text
            );
        }
        w.member()
            .get(&format!("{path}?ordering=-{field}"))
            .await
            .expect(StatusCode::OK);
    }
}

/// `count` distinct three-letter words joined by `+` (a space in a query string).
fn three_letter_words(count: usize) -> String {
    let letter = |k: usize| char::from(b'a' + u8::try_from(k % 26).unwrap());
    (0..count)
        .map(|n| {
            [letter(n / 676), letter(n / 26), letter(n)]
                .iter()
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("+")
}

#[tokio::test]
async fn a_search_of_64_kb_and_16000_words_is_a_400_naming_search() {
    let w = World::get();
    let search = three_letter_words(16_000);
    assert!(search.len() > 63_000);
    for (path, _) in lists_and_a_field(w) {
        let resp = w
            .member()
            .get(&format!("{path}?search={search}"))
            .await
            .problem(StatusCode::BAD_REQUEST, &path);
        assert!(
            resp.json["errors"]["search"].is_array(),
            "{path}: {}",
            resp.text
        );
    }
    let hundred = three_letter_words(100);
    w.member()
        .get(&format!("/api/v1/tasks/?search={hundred}"))
        .await
        .expect(StatusCode::OK);
}

#[tokio::test]
async fn a_request_target_over_64_kib_is_refused_with_414_before_it_is_read() {
    // The bound on what the reactor threads decode of a query string.
    // (Sent raw: a client refuses to build such a target.)
    let w = World::get();
    let request = format!(
        "GET /api/v1/tasks/?search={} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "a".repeat(70_000)
    );
    let answer = raw_exchange(w.addr, request.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 414 "), "{answer}");
}

#[tokio::test]
async fn every_list_answers_the_same_envelope() {
    let w = World::get();
    for path in [
        "/api/v1/organizations/".to_owned(),
        format!("/api/v1/organizations/{}/members/", w.org),
        "/api/v1/projects/".to_owned(),
        "/api/v1/tasks/".to_owned(),
    ] {
        let resp = w.viewer().get(&path).await.expect(StatusCode::OK);
        let body = resp.json.as_object().unwrap();
        assert!(body["count"].as_u64().unwrap() >= 1, "{path}");
        assert!(body["next"].is_null() || body["next"].is_string());
        assert!(body["previous"].is_null());
        assert!(body["results"].is_array());
        assert_eq!(body.len(), 4, "{path}: {}", resp.text);
    }
}

/// A list the server cannot serve within the budget of the thread that took it (here the first
/// list of an organization of 3,000 tasks, which loads the organization's index) goes to the
/// blocking pool instead and answers the same; the next, within the budget, is served where it
/// came in.
#[tokio::test]
async fn a_list_past_the_budget_of_the_request_thread_answers_all_the_same() {
    let app = crate::support::TestApp::spawn(&[]).await;
    let plan = flowforge_core::SeedPlan {
        orgs: 1,
        projects_per_org: 1,
        tasks_per_project: 3_000,
        users_per_org: 2,
        ..flowforge_core::SeedPlan::default()
    };
    let ff = std::sync::Arc::clone(&app.ff);
    let seeded = tokio::task::spawn_blocking(move || ff.admin().seed_demo(&plan, |_, _| {}))
        .await
        .unwrap()
        .expect("seeded");
    let owner = seeded.organizations[0].owner_email.clone();
    #[cfg(not(feature = "postgres"))]
    {
        let (ff, owner) = (std::sync::Arc::clone(&app.ff), owner.clone());
        let stopped = tokio::task::spawn_blocking(move || {
            let user = ff.admin().find_user(&owner).unwrap().expect("the owner");
            let actor = ff.admin().act_as(user.id).unwrap();
            let held = ff.hold_reader().expect("a free connection");
            held.bounded(|| ff.list_tasks(&actor, &flowforge_core::TaskQuery::default()))
                .is_none()
        });
        assert!(stopped.await.unwrap(), "the first list passes the budget");
    }
    let tokens = app
        .anon()
        .post(
            "/api/v1/auth/login/",
            json!({"email": owner, "password": "flowforge-pass-1"}),
        )
        .await
        .expect(StatusCode::OK);
    let api = app.with_token(tokens.json["access"].as_str().unwrap());
    let mut pages = Vec::new();
    for _ in 0..2 {
        let page = api
            .get("/api/v1/tasks/?ordering=title&page_size=5")
            .await
            .expect(StatusCode::OK);
        assert_eq!(page.json["count"], 3_000);
        assert_eq!(page.json["results"].as_array().unwrap().len(), 5);
        pages.push(page.json["results"].clone());
    }
    assert_eq!(pages[0], pages[1]);
    app.stop().await;
}
