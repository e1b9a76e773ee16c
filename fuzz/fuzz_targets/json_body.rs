//! A request body through the server's body reader (size limit, media type, JSON) and then
//! through one of the core's input readers, chosen by the first byte; what the reader takes is
//! then applied, on throwaway resources where it changes state, so the oracle sees the whole
//! write. The second byte chooses the `Content-Type` and `Content-Length` headers. Readers whose
//! operation hashes a password (registration, login, password change) and the refresh token's
//! are only read: the `token` target covers tokens.
#![no_main]

use flowforge_core::{
    Credentials, MembershipPatch, NewMembership, NewOrg, NewProject, NewTask, NewUser, OrgPatch,
    PasswordChange, ProjectPatch, RefreshRequest, TaskPatch, UserPatch,
};
use flowforge_fuzz::{FIXTURE, Fixture, answer};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The size limit of the reads: small, so that inputs of the fuzzer's length reach it.
const MAX_BYTES: u64 = 2048;

const CONTENT_TYPES: [Option<&[u8]>; 6] = [
    Some(b"application/json"),
    Some(b"application/json; charset=utf-8"),
    Some(b"Application/JSON ;"),
    None,
    Some(b"text/plain"),
    Some(b"application/jsonx"),
];

fuzz_target!(|data: &[u8]| {
    let [reader, headers, body @ ..] = data else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(headers % 6)];
    let length = match headers / 6 % 3 {
        0 => None,
        1 => Some(body.len().to_string()),
        _ => Some((MAX_BYTES + 1).to_string()),
    };
    let mut sent: Vec<(&str, &[u8])> = Vec::new();
    if let Some(content_type) = content_type {
        sent.push(("content-type", content_type));
    }
    if let Some(length) = &length {
        sent.push(("content-length", length.as_bytes()));
    }
    let Ok(read) = flowforge_server::fuzzing::read_json_body(&sent, body.to_vec(), MAX_BYTES)
    else {
        return;
    };
    // No body is an empty object to the handlers.
    let mut value = read.unwrap_or_else(|| Value::Object(Default::default()));
    let fx = &*FIXTURE;
    resolve(fx, &mut value);
    apply(fx, *reader, &value);
});

/// Puts the fixture's ids in place of the placeholders among `value`'s strings.
fn resolve(fx: &Fixture, value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(real) = fx.resolve(s) {
                *s = real;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(fx, v)),
        Value::Object(fields) => fields.values_mut().for_each(|v| resolve(fx, v)),
        _ => {}
    }
}

/// Reads `value` with the input reader `reader` chooses, and applies what it reads.
fn apply(fx: &Fixture, reader: u8, value: &Value) {
    let (ff, me) = (&fx.ff, &fx.owner);
    match reader % 13 {
        0 => drop(answer("NewUser", NewUser::from_json(value))),
        1 => drop(answer("Credentials", Credentials::from_json(value))),
        2 => drop(answer("RefreshRequest", RefreshRequest::from_json(value))),
        3 => drop(answer("PasswordChange", PasswordChange::from_json(value))),
        4 => {
            if let Some(patch) = answer("UserPatch", UserPatch::from_json(value)) {
                answer("update me", ff.update_me(me, &patch));
            }
        }
        5 => {
            if let Some(input) = answer("NewOrg", NewOrg::from_json(value))
                && let Some(org) = answer("create org", ff.create_organization(me, &input))
            {
                answer("delete org", ff.delete_organization(me, org.id)).expect("deleted");
            }
        }
        6 => {
            if let Some(patch) = answer("OrgPatch", OrgPatch::from_json(value)) {
                let org = scratch_org(fx);
                answer("update org", ff.update_organization(me, org, &patch));
                answer("delete org", ff.delete_organization(me, org)).expect("deleted");
            }
        }
        7 => {
            if let Some(input) = answer("NewMembership", NewMembership::from_json(value)) {
                let org = scratch_org(fx);
                answer("add member", ff.add_member(me, org, &input));
                answer("delete org", ff.delete_organization(me, org)).expect("deleted");
            }
        }
        8 => {
            if let Some(patch) = answer("MembershipPatch", MembershipPatch::from_json(value)) {
                let org = scratch_org(fx);
                let (member, email) = &fx.member;
                let input = NewMembership {
                    email: email.clone(),
                    role: flowforge_core::Role::Member,
                };
                answer("add member", ff.add_member(me, org, &input)).expect("added");
                answer("update member", ff.update_member(me, org, *member, &patch));
                answer("delete org", ff.delete_organization(me, org)).expect("deleted");
            }
        }
        9 => {
            if let Some(input) = answer("NewProject", NewProject::from_json(value))
                && let Some(project) = answer("create project", ff.create_project(me, &input))
            {
                answer("delete project", ff.delete_project(me, project.id)).expect("deleted");
            }
        }
        10 => {
            if let Some(patch) = answer("ProjectPatch", ProjectPatch::from_json(value)) {
                let input = NewProject::new(fx.org, "Scratch");
                let project =
                    answer("create project", ff.create_project(me, &input)).expect("made");
                answer("update project", ff.update_project(me, project.id, &patch));
                answer("delete project", ff.delete_project(me, project.id)).expect("deleted");
            }
        }
        11 => {
            if let Some(input) = answer("NewTask", NewTask::from_json(value))
                && let Some(task) = answer("create task", ff.create_task(me, &input))
            {
                answer("delete task", ff.delete_task(me, task.id)).expect("deleted");
            }
        }
        _ => {
            if let Some(patch) = answer("TaskPatch", TaskPatch::from_json(value)) {
                let input = NewTask::new(fx.project, "Scratch");
                let task = answer("create task", ff.create_task(me, &input)).expect("made");
                answer("update task", ff.update_task(me, task.id, &patch));
                answer("delete task", ff.delete_task(me, task.id)).expect("deleted");
            }
        }
    }
}

/// A new organization of the owner's, for a change that must not touch the fixture's.
fn scratch_org(fx: &Fixture) -> flowforge_core::OrgId {
    let input = NewOrg {
        name: "Scratch".into(),
        slug: None,
    };
    answer("create org", fx.ff.create_organization(&fx.owner, &input))
        .expect("made")
        .id
}
