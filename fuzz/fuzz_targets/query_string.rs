//! A query string, decoded as the server decodes it, through every list's parser and, when it
//! parses, through the list itself: filters, ordering, search, `page` and `page_size`. A
//! refusal is fine; a panic or an internal error (a `500`) is a finding.
#![no_main]

use flowforge_core::{MemberQuery, OrgQuery, ProjectQuery, TaskQuery};
use flowforge_fuzz::{FIXTURE, answer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fx = &*FIXTURE;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(data)
        .map(|(k, v)| {
            (
                k.into_owned(),
                fx.resolve(&v).unwrap_or_else(|| v.into_owned()),
            )
        })
        .collect();
    let (ff, me) = (&fx.ff, &fx.owner);
    if let Some(q) = answer("parse tasks", TaskQuery::from_pairs(pairs.clone())) {
        answer("list tasks", ff.list_tasks(me, &q));
    }
    if let Some(q) = answer("parse projects", ProjectQuery::from_pairs(pairs.clone())) {
        answer("list projects", ff.list_projects(me, &q));
    }
    if let Some(q) = answer("parse organizations", OrgQuery::from_pairs(pairs.clone())) {
        answer("list organizations", ff.list_organizations(me, &q));
    }
    if let Some(q) = answer("parse members", MemberQuery::from_pairs(pairs)) {
        answer("list members", ff.list_members(me, fx.org, &q));
    }
});
