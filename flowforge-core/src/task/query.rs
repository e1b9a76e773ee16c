//! The task list query: filters, search, ordering and page, parsed from query-string pairs.

use chrono::NaiveDate;

use super::{Priority, Status};
use crate::error::{FieldErrors, Result};
use crate::ids::{OrgId, ProjectId, UserId};
use crate::input::parse_date;
use crate::query::{Common, PageRequest, Params, Search, Sort, SortField, ordering_or};

/// A user in a filter: an id, the actor (`me`), or nobody (`none`, assignee only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserFilter {
    /// This user.
    Id(UserId),
    /// The actor.
    Me,
    /// No user (an unassigned task).
    Nobody,
}

/// The fields tasks can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskField {
    /// By due date; tasks without one come last in both directions.
    DueDate,
    /// By priority rank.
    Priority,
    /// By status in its declared order.
    Status,
    /// By title.
    Title,
    /// By creation time.
    CreatedAt,
    /// By last change.
    UpdatedAt,
}

impl SortField for TaskField {
    const ALL: &'static [Self] = &[
        Self::DueDate,
        Self::Priority,
        Self::Status,
        Self::Title,
        Self::CreatedAt,
        Self::UpdatedAt,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::DueDate => "due_date",
            Self::Priority => "priority",
            Self::Status => "status",
            Self::Title => "title",
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}

/// A query of the tasks of the actor's organizations. Empty filters match everything; values
/// within one filter are alternatives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    /// Any of these organizations.
    pub organization: Vec<OrgId>,
    /// Any of these projects.
    pub project: Vec<ProjectId>,
    /// Any of these statuses.
    pub status: Vec<Status>,
    /// Any of these priorities.
    pub priority: Vec<Priority>,
    /// Assigned to any of these.
    pub assigned_to: Vec<UserFilter>,
    /// Created by any of these.
    pub created_by: Vec<UserFilter>,
    /// Due on or before this date.
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    pub due_after: Option<NaiveDate>,
    /// Words to find in the title or description.
    pub search: Search,
    /// The ordering; empty means `due_date, -priority`.
    pub ordering: Vec<Sort<TaskField>>,
    /// The page wanted.
    pub page: PageRequest,
}

impl TaskQuery {
    /// Parses query-string pairs: the filters of the contract, `search`, `ordering`, `page`
    /// and `page_size`.
    ///
    /// # Errors
    /// [`Error::Validation`](crate::Error::Validation) for a bad filter, ordering or page size;
    /// [`Error::NotFound`](crate::Error::NotFound) `Invalid page.` for a bad page.
    pub fn from_pairs<I, K, V>(pairs: I) -> Result<Self>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let params = Params::new(pairs);
        let mut errors = FieldErrors::default();
        let organization = params.ids("organization", &mut errors);
        let project = params.ids("project", &mut errors);
        let status = params.choices("status", &mut errors);
        let priority = params.choices("priority", &mut errors);
        let assigned_to = params.any_of("assigned_to", &mut errors, |v| user_filter(v, true));
        let created_by = params.any_of("created_by", &mut errors, |v| user_filter(v, false));
        // Any of several bounds: due on or before the latest, on or after the earliest.
        let due_before = dates(&params, "due_before", &mut errors).into_iter().max();
        let due_after = dates(&params, "due_after", &mut errors).into_iter().min();
        let Common {
            search,
            ordering,
            page,
        } = Common::read(&params, errors)?;
        Ok(Self {
            organization,
            project,
            status,
            priority,
            assigned_to,
            created_by,
            due_before,
            due_after,
            search,
            ordering,
            page,
        })
    }

    /// The ordering when the query names none: soonest due first (undated last), then most urgent.
    pub(crate) const DEFAULT_ORDERING: &[Sort<TaskField>] = &[
        Sort::asc(TaskField::DueDate),
        Sort::desc(TaskField::Priority),
    ];

    /// The order to read the list in: the one asked for, else [`Self::DEFAULT_ORDERING`].
    pub(crate) fn effective_ordering(&self) -> &[Sort<TaskField>] {
        ordering_or(&self.ordering, Self::DEFAULT_ORDERING)
    }
}

fn user_filter(value: &str, allow_none: bool) -> Result<UserFilter, String> {
    match value {
        "me" => Ok(UserFilter::Me),
        "none" if allow_none => Ok(UserFilter::Nobody),
        id => crate::query::parse_id(id).map(UserFilter::Id),
    }
}

fn dates(params: &Params, name: &str, errors: &mut FieldErrors) -> Vec<NaiveDate> {
    params.any_of(name, errors, |v| {
        parse_date(v).ok_or_else(|| "Enter a valid date.".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_due_bounds_mean_any_of_them() {
        let q = TaskQuery::from_pairs([
            ("due_before", "2026-01-05,2026-03-01"),
            ("due_after", "2026-02-01"),
            ("due_after", "2025-12-24"),
        ])
        .unwrap();
        assert_eq!(q.due_before, NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(q.due_after, NaiveDate::from_ymd_opt(2025, 12, 24));
    }

    #[test]
    fn a_search_of_too_many_distinct_words_is_refused_by_name() {
        let many = (0..=crate::query::MAX_SEARCH_WORDS)
            .map(|n| format!("w{n}x"))
            .collect::<Vec<_>>()
            .join(" ");
        match TaskQuery::from_pairs([("search", many.as_str())]) {
            Err(crate::Error::Validation(errors)) => assert!(errors.get("search").is_some()),
            other => panic!("expected a validation error, got {other:?}"),
        }
        let repeated = vec!["same"; 200].join(" ");
        assert_eq!(
            TaskQuery::from_pairs([("search", repeated.as_str())])
                .unwrap()
                .search
                .words(),
            ["same"]
        );
    }
}
