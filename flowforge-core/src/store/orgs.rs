//! Statements on organizations and the tenant scope.

use super::Tx;
use super::list::{Select, Where, fetch_page, order_by, value};
use super::value::{Row, args};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, Result};
use crate::ids::{OrgId, UserId};
use crate::org::{Org, OrgField, OrgQuery, OrgSummary};
use crate::query::search::fold_case;
use crate::query::{Page, PageRequest, Search, Sort};
use crate::time::Timestamp;

/// `member_count` is kept by triggers on memberships (the migration that made it).
const ORG_COLUMNS: &str =
    "o.id, o.name, o.slug, m.role, o.member_count, o.created_at, o.updated_at";

const ORG_TAKEN: &str = "An organization with this name or slug already exists.";

fn org_row(row: &Row) -> Result<Org> {
    Ok(Org {
        id: row.get(0)?,
        name: row.get(1)?,
        slug: row.get(2)?,
        role: row.get(3)?,
        member_count: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

impl Tx<'_> {
    /// The actor's scope in `org`; not found when they are not a member (or it does not exist).
    pub(crate) fn scope(&self, user: UserId, org: OrgId) -> Result<OrgScope> {
        self.row(
            "SELECT role FROM memberships WHERE organization_id = ? AND user_id = ?",
            args![org, user],
            |r| r.get::<Role>(0),
        )?
        .map(|role| OrgScope::from_membership(org, user, role))
        .ok_or_else(Error::not_found)
    }

    /// The organizations `user` belongs to; only those in `wanted` when it is not empty.
    pub(crate) fn member_orgs(&self, user: UserId, wanted: &[OrgId]) -> Result<Vec<OrgId>> {
        let mut orgs: Vec<OrgId> = self.rows(
            "SELECT organization_id FROM memberships WHERE user_id = ?",
            args![user],
            |r| r.get(0),
        )?;
        if !wanted.is_empty() {
            orgs.retain(|org| wanted.contains(org));
        }
        Ok(orgs)
    }

    /// Restricts `column` to the organizations `user` belongs to, and to those of them in
    /// `wanted` when it is not empty; returns them. The ids are bound as a list (not a subquery) so that SQLite
    /// can walk an ordered index when the user belongs to one organization.
    pub(crate) fn scope_to_orgs(
        &self,
        filter: &mut Where,
        column: &str,
        user: UserId,
        wanted: &[OrgId],
    ) -> Result<Vec<OrgId>> {
        let orgs = self.member_orgs(user, wanted)?;
        if orgs.is_empty() {
            filter.and("1 = 0", []);
        } else {
            filter.any_of(column, orgs.iter().copied());
        }
        Ok(orgs)
    }

    /// An organization `user` belongs to, as they see it, with their scope there.
    pub(crate) fn org_in_scope(&self, user: UserId, id: OrgId) -> Result<Scoped<Org>> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organizations o
             JOIN memberships m ON m.organization_id = o.id AND m.user_id = ? WHERE o.id = ?"
        );
        self.row(&sql, args![user, id], |r| {
            let org = org_row(r)?;
            let scope = OrgScope::from_membership(org.id, user, org.role);
            Ok(Scoped { scope, item: org })
        })?
        .ok_or_else(Error::not_found)
    }

    /// The page of `user`'s organizations `query` asks for. A user's organizations are few:
    /// all of them are read and then ordered and cut here, in one statement where a count and
    /// a sorted page took two and a temporary B-tree. (`name_key` compares bytewise on both
    /// backends, as `str` does; ids compare as their bytes, which their text keeps in order.)
    pub(crate) fn list_orgs(&self, user: UserId, query: &OrgQuery) -> Result<Page<Org>> {
        let mut filter = Where::default();
        filter.and("m.user_id = ?", [value(user)]);
        filter.search(&query.search, &["o.name"]);
        let sql = format!(
            "SELECT {ORG_COLUMNS}, o.name_key
             FROM organizations o JOIN memberships m ON m.organization_id = o.id{}",
            filter.sql()
        );
        let mut orgs = self.rows(&sql, filter.params(), |r| {
            Ok((r.get::<String>(7)?, org_row(r)?))
        })?;
        let ordering = query.effective_ordering();
        orgs.sort_unstable_by(|(key_a, a), (key_b, b)| {
            ordering
                .iter()
                .map(|term| {
                    term.directed(match term.field {
                        OrgField::Name => key_a.cmp(key_b),
                        OrgField::CreatedAt => a.created_at.cmp(&b.created_at),
                    })
                })
                .find(|order| order.is_ne())
                .unwrap_or_else(|| a.id.cmp(&b.id))
        });
        let page = query.page;
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let size = usize::try_from(page.page_size()).unwrap_or(usize::MAX);
        Ok(Page {
            count: orgs.len() as u64,
            page: page.page(),
            page_size: page.page_size(),
            items: orgs
                .into_iter()
                .skip(offset)
                .take(size)
                .map(|(_, org)| org)
                .collect(),
        })
    }

    /// Every organization with its counts, in `ordering` (an unscoped admin listing).
    pub(crate) fn list_all_orgs(
        &self,
        search: &Search,
        ordering: &[Sort<OrgField>],
        page: PageRequest,
    ) -> Result<Page<OrgSummary>> {
        let mut filter = Where::default();
        filter.search(search, &["o.name", "o.slug"]);
        let order = order_by(&org_terms(ordering), "o.id");
        let select = Select {
            columns: SUMMARY_COLUMNS,
            from: "organizations o",
            count_from: "organizations o",
        };
        fetch_page(self, &select, &filter, &order, page, summary_row)
    }

    /// Whether an organization with this id exists.
    pub(crate) fn org_exists(&self, id: OrgId) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = ?)",
            args![id],
        )
    }

    /// The organization whose id is `id` or whose slug is `slug`.
    pub(crate) fn org_summary(&self, id: Option<OrgId>, slug: &str) -> Result<Option<OrgSummary>> {
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM organizations o WHERE o.id = ? OR o.slug = ?");
        self.row(&sql, args![id, slug], summary_row)
    }

    pub(crate) fn org_name_taken(&self, name_key: &str, except: Option<OrgId>) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM organizations WHERE name_key = ? AND id IS DISTINCT FROM ?)",
            args![name_key, except],
        )
    }

    pub(crate) fn org_slug_taken(&self, slug: &str, except: Option<OrgId>) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = ? AND id IS DISTINCT FROM ?)",
            args![slug, except],
        )
    }

    /// Inserts `org` with `owner` as its first member.
    pub(crate) fn insert_org(&self, org: &Org, owner: UserId) -> Result<()> {
        self.execute_unique(
            "INSERT INTO organizations (id, name, name_key, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            args![org.id, org.name, fold_case(&org.name), org.slug, org.created_at, org.updated_at],
            ORG_TAKEN,
        )?;
        self.insert_membership(org.id, owner, Role::Owner, org.created_at)
    }

    pub(crate) fn update_org(
        &self,
        scope: &OrgScope,
        name: Option<&str>,
        slug: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.execute_unique(
            "UPDATE organizations SET name = coalesce(?, name), name_key = coalesce(?, name_key),
             slug = coalesce(?, slug), updated_at = ? WHERE id = ?",
            args![name, name.map(fold_case), slug, now, scope.org()],
            ORG_TAKEN,
        )?;
        Ok(())
    }

    pub(crate) fn delete_org(&self, scope: &OrgScope) -> Result<()> {
        self.execute("DELETE FROM organizations WHERE id = ?", args![scope.org()])?;
        Ok(())
    }
}

const SUMMARY_COLUMNS: &str = "o.id, o.name, o.slug, o.member_count,
    (SELECT COUNT(*) FROM projects p WHERE p.organization_id = o.id),
    (SELECT COUNT(*) FROM tasks t WHERE t.organization_id = o.id AND t.deleted_at IS NULL), o.created_at";

fn summary_row(row: &Row) -> Result<OrgSummary> {
    Ok(OrgSummary {
        id: row.get(0)?,
        name: row.get(1)?,
        slug: row.get(2)?,
        member_count: row.get(3)?,
        project_count: row.get(4)?,
        task_count: row.get(5)?,
        created_at: row.get(6)?,
    })
}

fn org_terms(ordering: &[Sort<OrgField>]) -> Vec<(String, bool)> {
    ordering
        .iter()
        .map(|s| (org_column(s.field).to_owned(), s.descending))
        .collect()
}

fn org_column(field: OrgField) -> &'static str {
    match field {
        OrgField::Name => "o.name_key",
        OrgField::CreatedAt => "o.created_at",
    }
}
