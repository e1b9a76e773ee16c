//! Statements on projects.

use super::Tx;
use super::list::{Select, Where, fetch_page, order_by, value};
use super::value::{Row, args};
use crate::authz::{OrgScope, Role, Scoped};
use crate::error::{Error, Result};
use crate::ids::{ProjectId, UserId};
use crate::project::{Project, ProjectField, ProjectQuery};
use crate::query::Page;
use crate::query::search::fold_case;

const PROJECT_COLUMNS: &str = "p.id, p.organization_id, p.name, p.description, p.is_archived, p.created_by, p.created_at, p.updated_at";

const PROJECT_TAKEN: &str = "A project with this name already exists in the organization.";

fn project_row(row: &Row) -> Result<Project> {
    Ok(Project {
        id: row.get(0)?,
        organization: row.get(1)?,
        name: row.get(2)?,
        description: row.get(3)?,
        is_archived: row.get(4)?,
        created_by: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

impl Tx<'_> {
    /// A project of one of `user`'s organizations, with the user's scope there.
    pub(crate) fn project_in_scope(&self, user: UserId, id: ProjectId) -> Result<Scoped<Project>> {
        let sql = format!(
            "SELECT {PROJECT_COLUMNS}, m.role FROM projects p
             JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = ? WHERE p.id = ?"
        );
        self.row(&sql, args![user, id], |r| {
            let project = project_row(r)?;
            let scope = OrgScope::from_membership(project.organization, user, r.get::<Role>(8)?);
            Ok(Scoped {
                scope,
                item: project,
            })
        })?
        .ok_or_else(Error::not_found)
    }

    pub(crate) fn list_projects(
        &self,
        user: UserId,
        query: &ProjectQuery,
    ) -> Result<Page<Project>> {
        let mut filter = Where::default();
        self.scope_to_orgs(&mut filter, "p.organization_id", user, &query.organization)?;
        if let Some(archived) = query.is_archived {
            filter.and("p.is_archived = ?", [value(archived)]);
        }
        filter.search(&query.search, &["p.name", "p.description"]);
        let terms: Vec<(String, bool)> = query
            .effective_ordering()
            .iter()
            .map(|s| (project_column(s.field).to_owned(), s.descending))
            .collect();
        fetch_page(
            self,
            &Select {
                columns: PROJECT_COLUMNS,
                from: "projects p",
                count_from: "projects p",
            },
            &filter,
            &order_by(&terms, "p.id"),
            query.page,
            project_row,
        )
    }

    pub(crate) fn project_name_taken(
        &self,
        scope: &OrgScope,
        name_key: &str,
        except: Option<ProjectId>,
    ) -> Result<bool> {
        self.one(
            "SELECT EXISTS (SELECT 1 FROM projects WHERE organization_id = ? AND name_key = ? AND id IS DISTINCT FROM ?)",
            args![scope.org(), name_key, except],
        )
    }

    pub(crate) fn insert_project(&self, scope: &OrgScope, p: &Project) -> Result<()> {
        self.execute_unique(
            "INSERT INTO projects (id, organization_id, name, name_key, description, is_archived, created_by,
                                   created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            args![
                p.id,
                scope.org(),
                p.name,
                fold_case(&p.name),
                p.description,
                p.is_archived,
                p.created_by,
                p.created_at,
                p.updated_at
            ],
            PROJECT_TAKEN,
        )?;
        Ok(())
    }

    pub(crate) fn update_project(&self, scope: &OrgScope, p: &Project) -> Result<()> {
        self.execute_unique(
            "UPDATE projects SET name = ?, name_key = ?, description = ?, is_archived = ?, updated_at = ?
             WHERE id = ? AND organization_id = ?",
            args![p.name, fold_case(&p.name), p.description, p.is_archived, p.updated_at, p.id, scope.org()],
            PROJECT_TAKEN,
        )?;
        Ok(())
    }

    /// Deletes a project; its tasks go with it (the foreign key's cascade), so the
    /// organization's task index is loaded anew.
    pub(crate) fn delete_project(&self, scope: &OrgScope, id: ProjectId) -> Result<()> {
        self.execute(
            "DELETE FROM projects WHERE id = ? AND organization_id = ?",
            args![id, scope.org()],
        )?;
        self.bump_task_generation(scope.org())
    }
}

fn project_column(field: ProjectField) -> &'static str {
    match field {
        ProjectField::Name => "p.name_key",
        ProjectField::CreatedAt => "p.created_at",
        ProjectField::UpdatedAt => "p.updated_at",
    }
}
