//! Organizations (the tenants) and their members.

use flowforge_core::{Membership, MembershipPatch, NewMembership, NewOrg, Org, OrgPatch};

use crate::openapi::params::{MemberFilters, OrganizationFilters};
use crate::openapi::{Answer, PathId, json, list, page, schema_of};
use crate::routes::Verb::{Delete, Get, Patch, Post};
use crate::routes::{E, FORBIDDEN_ROLE, FORBIDDEN_THIS, Op, Route, SECURED, route};

const ORG: &[PathId] = &[PathId::Org];
const MEMBER: &[PathId] = &[PathId::Org, PathId::Member];

/// The `/organizations/` routes, members included.
pub(super) static ROUTES: &[Route] = &[
    route(
        Get,
        "/api/v1/organizations/",
        E::ListOrgs,
        Op {
            tag: "organizations",
            operation_id: "organizations_list",
            summary: "List the caller's organizations.",
            query: Some(list::<OrganizationFilters>),
            ok: (200, "A page of the caller's organizations.", page::<Org>()),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/organizations/",
        E::CreateOrg,
        Op {
            tag: "organizations",
            operation_id: "organizations_create",
            summary: "Create an organization.",
            description: Some("The creator becomes its owner."),
            body: Some(schema_of::<NewOrg>()),
            ok: (201, "The new organization.", json::<Org>()),
            problems: &[(409, "The name or slug is taken.")],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/organizations/{id}/",
        E::GetOrg,
        Op {
            tag: "organizations",
            operation_id: "organizations_read",
            summary: "Read an organization.",
            ids: ORG,
            ok: (200, "The organization.", json::<Org>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/organizations/{id}/",
        E::UpdateOrg,
        Op {
            tag: "organizations",
            operation_id: "organizations_update",
            summary: "Change an organization.",
            description: Some("Owners and admins."),
            ids: ORG,
            body: Some(schema_of::<OrgPatch>()),
            ok: (200, "The organization, changed.", json::<Org>()),
            problems: &[FORBIDDEN_ROLE, (409, "The name or slug is taken.")],
            ..SECURED
        },
    ),
    route(
        Delete,
        "/api/v1/organizations/{id}/",
        E::DeleteOrg,
        Op {
            tag: "organizations",
            operation_id: "organizations_delete",
            summary: "Delete an organization.",
            description: Some("Owners. Its projects, tasks and memberships go with it."),
            ids: ORG,
            ok: (204, "Deleted.", Answer::Empty),
            problems: &[(403, "The caller is not an owner.")],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/organizations/{id}/members/",
        E::ListMembers,
        Op {
            tag: "members",
            operation_id: "members_list",
            summary: "List an organization's members.",
            ids: ORG,
            query: Some(list::<MemberFilters>),
            ok: (
                200,
                "A page of the organization's members.",
                page::<Membership>(),
            ),
            ..SECURED
        },
    ),
    route(
        Post,
        "/api/v1/organizations/{id}/members/",
        E::AddMember,
        Op {
            tag: "members",
            operation_id: "members_create",
            summary: "Add a member by email.",
            description: Some("Owners add any role; admins add admins, members and viewers."),
            ids: ORG,
            body: Some(schema_of::<NewMembership>()),
            ok: (201, "The new membership.", json::<Membership>()),
            problems: &[
                FORBIDDEN_THIS,
                (
                    404,
                    "No such organization for the caller, or no active user has that email.",
                ),
                (409, "Already a member."),
            ],
            ..SECURED
        },
    ),
    route(
        Get,
        "/api/v1/organizations/{id}/members/{user_id}/",
        E::GetMember,
        Op {
            tag: "members",
            operation_id: "members_read",
            summary: "Read a membership.",
            ids: MEMBER,
            ok: (200, "The membership.", json::<Membership>()),
            ..SECURED
        },
    ),
    route(
        Patch,
        "/api/v1/organizations/{id}/members/{user_id}/",
        E::UpdateMember,
        Op {
            tag: "members",
            operation_id: "members_update",
            summary: "Change a member's role.",
            description: Some(
                "Owners change anyone to any role; admins change only members and viewers, never to \
             owner.",
            ),
            ids: MEMBER,
            body: Some(schema_of::<MembershipPatch>()),
            ok: (200, "The membership, changed.", json::<Membership>()),
            problems: &[FORBIDDEN_THIS, (409, "It would demote the last owner.")],
            ..SECURED
        },
    ),
    route(
        Delete,
        "/api/v1/organizations/{id}/members/{user_id}/",
        E::RemoveMember,
        Op {
            tag: "members",
            operation_id: "members_delete",
            summary: "Remove a member, or leave.",
            description: Some(
                "Owners remove anyone; admins remove members and viewers; anyone may leave. The \
             removed user's open tasks in the organization become unassigned.",
            ),
            ids: MEMBER,
            ok: (204, "Removed.", Answer::Empty),
            problems: &[FORBIDDEN_THIS, (409, "It would remove the last owner.")],
            ..SECURED
        },
    ),
];
