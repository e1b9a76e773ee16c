//! Statements on memberships.

use super::Tx;
use super::list::{Select, Where, fetch_page, order_by, value};
use super::value::{Row, args};
use crate::authz::{OrgScope, Role};
use crate::error::Result;
use crate::ids::{OrgId, UserId};
use crate::member::{MemberField, MemberQuery, Membership};
use crate::query::Page;
use crate::time::Timestamp;
use crate::user::UserRef;

const MEMBER_COLUMNS: &str = "u.id, u.email, u.full_name, m.role, m.joined_at";
const MEMBER_FROM: &str = "memberships m JOIN users u ON u.id = m.user_id";

fn member_row(row: &Row) -> Result<Membership> {
    Ok(Membership {
        user: UserRef {
            id: row.get(0)?,
            email: row.get(1)?,
            full_name: row.get(2)?,
        },
        role: row.get(3)?,
        joined_at: row.get(4)?,
    })
}

impl Tx<'_> {
    pub(crate) fn membership(&self, scope: &OrgScope, user: UserId) -> Result<Option<Membership>> {
        let sql = format!(
            "SELECT {MEMBER_COLUMNS} FROM {MEMBER_FROM} WHERE m.organization_id = ? AND m.user_id = ?"
        );
        self.row(&sql, args![scope.org(), user], member_row)
    }

    /// Whether `user` is currently a member of the scope's organization.
    pub(crate) fn is_member(&self, scope: &OrgScope, user: UserId) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM memberships WHERE organization_id = ? AND user_id = ?)",
            args![scope.org(), user],
        )
    }

    pub(crate) fn list_members(
        &self,
        scope: &OrgScope,
        query: &MemberQuery,
    ) -> Result<Page<Membership>> {
        let mut filter = Where::default();
        filter.and("m.organization_id = ?", [value(scope.org())]);
        filter.any_of("m.role", query.role.iter().copied());
        filter.search(&query.search, &["u.email", "u.full_name"]);
        let terms: Vec<(String, bool)> = query
            .effective_ordering()
            .iter()
            .map(|s| (member_column(s.field).to_owned(), s.descending))
            .collect();
        fetch_page(
            self,
            &Select {
                columns: MEMBER_COLUMNS,
                from: MEMBER_FROM,
                count_from: MEMBER_FROM,
            },
            &filter,
            &order_by(&terms, "u.id"),
            query.page,
            member_row,
        )
    }

    pub(crate) fn insert_membership(
        &self,
        org: OrgId,
        user: UserId,
        role: Role,
        joined_at: Timestamp,
    ) -> Result<()> {
        self.execute_unique(
            "INSERT INTO memberships (organization_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)",
            args![org, user, role, joined_at],
            "This user is already a member of the organization.",
        )?;
        Ok(())
    }

    pub(crate) fn owner_count(&self, scope: &OrgScope) -> Result<u64> {
        self.one(
            "SELECT COUNT(*) FROM memberships WHERE organization_id = ? AND role = ?",
            args![scope.org(), Role::Owner],
        )
    }

    pub(crate) fn set_member_role(&self, scope: &OrgScope, user: UserId, role: Role) -> Result<()> {
        self.execute(
            "UPDATE memberships SET role = ? WHERE organization_id = ? AND user_id = ?",
            args![role, scope.org(), user],
        )?;
        Ok(())
    }

    pub(crate) fn delete_membership(&self, scope: &OrgScope, user: UserId) -> Result<()> {
        self.execute(
            "DELETE FROM memberships WHERE organization_id = ? AND user_id = ?",
            args![scope.org(), user],
        )?;
        Ok(())
    }
}

fn member_column(field: MemberField) -> &'static str {
    match field {
        MemberField::JoinedAt => "m.joined_at",
        MemberField::Email => "u.email",
        MemberField::Role => "m.role",
    }
}
