//! Operations on projects. Members read them; owners and admins create, change and delete them.

use super::{NewProject, Project, ProjectPatch, ProjectQuery};
use crate::authz::Scoped;
use crate::error::{Error, FieldErrors, Result};
use crate::event::{Changes, Draft, EventType};
use crate::ids::ProjectId;
use crate::input::{check_text, missing_reference};
use crate::query::search::fold_case;
use crate::time::Timestamp;
use crate::{Actor, FlowForge, Page};

const NAME_TAKEN: &str = "A project with this name already exists in the organization.";

impl FlowForge {
    /// Lists the projects of the actor's organizations.
    ///
    /// # Errors
    /// [`Error::NotFound`] for a page past the end.
    pub fn list_projects(&self, actor: &Actor, query: &ProjectQuery) -> Result<Page<Project>> {
        self.store
            .read(|tx| tx.list_projects(actor.id(), query))?
            .found()
    }

    /// Creates a project (owners and admins of its organization).
    ///
    /// # Errors
    /// [`Error::Validation`] for bad fields or an organization the actor is not in (named like a
    /// missing one); [`Error::Forbidden`]; [`Error::Conflict`] for a name taken in the organization.
    pub fn create_project(&self, actor: &Actor, input: &NewProject) -> Result<Project> {
        self.store.write(|tx| {
            let scope = match tx.scope(actor.id(), input.organization) {
                Err(Error::NotFound(_)) => {
                    return Err(Error::invalid(
                        "organization",
                        missing_reference(input.organization),
                    ));
                }
                found => found?,
            };
            scope.require_manager()?;
            let mut errors = FieldErrors::default();
            let name = check_text(
                "name",
                Some(&input.name),
                Some(&input.description),
                &mut errors,
            )
            .unwrap_or_default();
            errors.into_result()?;
            if tx.project_name_taken(&scope, &fold_case(&name), None)? {
                return Err(Error::Conflict(NAME_TAKEN.into()));
            }
            let now = Timestamp::now();
            let project = Project {
                id: ProjectId::new(),
                organization: scope.org(),
                name,
                description: input.description.clone(),
                is_archived: false,
                created_by: Some(actor.id()),
                created_at: now,
                updated_at: now,
            };
            tx.insert_project(&scope, &project)?;
            tx.append_event(
                &scope,
                &Draft::new(EventType::ProjectCreated).project(project.id),
            )?;
            Ok(project)
        })
    }

    /// One project of the actor's organizations.
    ///
    /// # Errors
    /// [`Error::NotFound`] when missing or in another tenant.
    pub fn get_project(&self, actor: &Actor, id: ProjectId) -> Result<Project> {
        self.store
            .read(|tx| tx.project_in_scope(actor.id(), id))
            .map(|found| found.item)
    }

    /// Changes a project's name, description or archived flag (owners and admins).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`], [`Error::Validation`], [`Error::Conflict`].
    pub fn update_project(
        &self,
        actor: &Actor,
        id: ProjectId,
        patch: &ProjectPatch,
    ) -> Result<Project> {
        self.store.write(|tx| {
            let Scoped { scope, item: old } = tx.project_in_scope(actor.id(), id)?;
            let mut project = old.clone();
            scope.require_manager()?;
            let mut errors = FieldErrors::default();
            let name = check_text(
                "name",
                patch.name.as_deref(),
                patch.description.as_deref(),
                &mut errors,
            );
            errors.into_result()?;
            if let Some(name) = name {
                if tx.project_name_taken(&scope, &fold_case(&name), Some(id))? {
                    return Err(Error::Conflict(NAME_TAKEN.into()));
                }
                project.name = name;
            }
            if let Some(description) = &patch.description {
                project.description.clone_from(description);
            }
            if let Some(archived) = patch.is_archived {
                project.is_archived = archived;
            }
            project.updated_at = Timestamp::now();
            tx.update_project(&scope, &project)?;
            let changes = Changes::default()
                .field("name", &old.name, &project.name)
                .field("description", &old.description, &project.description)
                .field("is_archived", &old.is_archived, &project.is_archived);
            if !changes.is_empty() {
                tx.append_event(
                    &scope,
                    &Draft::new(EventType::ProjectUpdated)
                        .project(id)
                        .changes(changes),
                )?;
            }
            Ok(project)
        })
    }

    /// Deletes a project and its tasks (owners and admins).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Forbidden`].
    pub fn delete_project(&self, actor: &Actor, id: ProjectId) -> Result<()> {
        self.store.write(|tx| {
            let scope = tx.project_in_scope(actor.id(), id)?.scope;
            scope.require_manager()?;
            tx.delete_project(&scope, id)?;
            tx.append_event(&scope, &Draft::new(EventType::ProjectDeleted).project(id))
        })
    }
}
