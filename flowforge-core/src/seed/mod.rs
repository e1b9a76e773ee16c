//! A deterministic demo data set for trials and load tests: organizations with users of every
//! role (`{role}{i}@org{n}.example`, one shared password), projects, and tasks whose titles and
//! descriptions are drawn from a word list with Zipf-like weights, so that searching a common
//! word matches many tasks and a rare one few. The same seed gives the same data, ids included.
//!
//! [`Admin::seed_demo`] runs its steps in order: check the plan, draw and write the
//! organizations (one transaction), then draw and write the tasks (transactions of [`BATCH`]).
//! `generate.rs` draws; this file writes and reports.

use std::collections::HashMap;

use serde::Serialize;

use crate::authz::OrgScope;
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProjectId, TaskId};
use crate::store::Tx;
use crate::task::Task;
use crate::{Admin, auth::password};

mod generate;
mod words;

use generate::{Generator, OrgDraft, Tenant};

/// What to seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPlan {
    /// Organizations to create.
    pub orgs: u32,
    /// Projects in each organization.
    pub projects_per_org: u32,
    /// Tasks in each project.
    pub tasks_per_project: u32,
    /// Users in each organization: an owner, then admin, member, viewer, member, ...
    pub users_per_org: u32,
    /// The random seed; the same seed gives the same data.
    pub seed: u64,
    /// The password of every seeded user.
    pub password: String,
}

impl Default for SeedPlan {
    fn default() -> Self {
        Self {
            orgs: 10,
            projects_per_org: 10,
            tasks_per_project: 1000,
            users_per_org: 5,
            seed: 42,
            password: "flowforge-pass-1".into(),
        }
    }
}

/// One seeded organization and its owner's login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeededOrg {
    /// The organization's id.
    pub id: OrgId,
    /// Its name.
    pub name: String,
    /// The email of its owner.
    pub owner_email: String,
}

/// What was seeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// The organizations, in order.
    pub organizations: Vec<SeededOrg>,
    /// How many users.
    pub users: u64,
    /// How many projects.
    pub projects: u64,
    /// How many tasks.
    pub tasks: u64,
    /// The first project, if any.
    pub first_project: Option<ProjectId>,
    /// Up to five task ids of the first project.
    pub first_tasks: Vec<TaskId>,
    /// The most frequent word of the task titles.
    pub search_word: Option<String>,
}

/// Tasks written per transaction.
const BATCH: usize = 100_000;
/// How many task ids of the first project the report lists.
const FIRST_TASKS: usize = 5;

impl Admin<'_> {
    /// Fills an empty database with the plan's data set, in large transactions, calling
    /// `progress(done, total)` as tasks are written.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the database already has users; [`Error::Validation`] for a
    /// plan without users or a password that breaks the rules.
    pub fn seed_demo(&self, plan: &SeedPlan, progress: impl FnMut(u64, u64)) -> Result<SeedReport> {
        check_plan(plan)?;
        let store = &self.flowforge().store;
        if store.has_users()? {
            return Err(Error::Conflict(
                "The database already has users: seed an empty database.".into(),
            ));
        }
        // One real argon2id hash shared by every seeded user: a seeded login costs a real one.
        let hash = password::hash(&plan.password)?;
        let mut g = Generator::new(plan.seed)?;
        let orgs: Vec<OrgDraft> = (0..plan.orgs)
            .map(|n| g.org(n, plan.users_per_org, plan.projects_per_org))
            .collect();
        store.write(|tx| orgs.iter().try_for_each(|org| write_org(tx, org, &hash)))?;
        let mut report = SeedReport::of_orgs(&orgs);
        let tenants: Vec<Tenant> = orgs.into_iter().map(Tenant::from).collect();
        self.seed_tasks(plan, &mut g, &tenants, &mut report, progress)?;
        Ok(report)
    }

    /// Draws every project's tasks, writes them in transactions of [`BATCH`] and adds them to
    /// `report`: their count, the first project's first ids, the most frequent title word.
    fn seed_tasks(
        &self,
        plan: &SeedPlan,
        g: &mut Generator,
        tenants: &[Tenant],
        report: &mut SeedReport,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<()> {
        let total = u64::from(plan.orgs)
            * u64::from(plan.projects_per_org)
            * u64::from(plan.tasks_per_project);
        let mut title_words: HashMap<String, u64> = HashMap::new();
        let mut batch: Vec<(OrgScope, Task)> = Vec::with_capacity(BATCH);
        for tenant in tenants {
            for &project in &tenant.projects {
                for _ in 0..plan.tasks_per_project {
                    let task = g.task(tenant, project);
                    for word in task.title.to_lowercase().split(' ') {
                        *title_words.entry(word.to_owned()).or_default() += 1;
                    }
                    if Some(project) == report.first_project
                        && report.first_tasks.len() < FIRST_TASKS
                    {
                        report.first_tasks.push(task.id);
                    }
                    batch.push((tenant.scope, task));
                    if batch.len() == BATCH {
                        report.tasks += self.write_tasks(&mut batch)?;
                        progress(report.tasks, total);
                    }
                }
            }
        }
        report.tasks += self.write_tasks(&mut batch)?;
        progress(report.tasks, total);
        report.first_tasks.sort();
        // The most frequent word; of words as frequent, the first in alphabetical order.
        report.search_word = title_words
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(w, _)| w);
        Ok(())
    }

    /// Writes a batch of tasks in one transaction, emptying it; returns how many it wrote.
    fn write_tasks(&self, batch: &mut Vec<(OrgScope, Task)>) -> Result<u64> {
        let written = batch.len() as u64;
        self.flowforge()
            .store
            .write(|tx| tx.insert_tasks_bulk(batch))?;
        batch.clear();
        Ok(written)
    }
}

/// Refuses a plan without users or whose password breaks the rules.
fn check_plan(plan: &SeedPlan) -> Result<()> {
    if plan.users_per_org < 1 {
        return Err(Error::invalid(
            "users_per_org",
            "Seed at least one user (the owner) per organization.",
        ));
    }
    password::check_rules(&plan.password, "owner0@org0.example")
}

/// Writes an organization: its users, itself with its owner, its other members, its projects.
fn write_org(tx: &Tx<'_>, draft: &OrgDraft, password_hash: &str) -> Result<()> {
    tx.insert_user(&draft.owner, password_hash)?;
    for member in &draft.members {
        tx.insert_user(&member.user, password_hash)?;
    }
    tx.insert_org(&draft.org, draft.owner.id)?;
    for member in &draft.members {
        tx.insert_membership(draft.org.id, member.user.id, member.role, member.joined_at)?;
    }
    let scope = OrgScope::operator(draft.org.id);
    for project in &draft.projects {
        tx.insert_project(&scope, project)?;
    }
    Ok(())
}

impl SeedReport {
    /// The report of the written organizations, before any task.
    fn of_orgs(orgs: &[OrgDraft]) -> Self {
        Self {
            organizations: orgs
                .iter()
                .map(|draft| SeededOrg {
                    id: draft.org.id,
                    name: draft.org.name.clone(),
                    owner_email: draft.owner.email.clone(),
                })
                .collect(),
            users: orgs.iter().map(|d| 1 + d.members.len() as u64).sum(),
            projects: orgs.iter().map(|d| d.projects.len() as u64).sum(),
            tasks: 0,
            first_project: orgs.iter().find_map(|d| d.projects.first()).map(|p| p.id),
            first_tasks: Vec::new(),
            search_word: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Database, FlowForge, TaskQuery};

    #[test]
    fn seeded_tasks_are_searched_as_a_direct_scan_of_the_table_finds_them() {
        let ff = FlowForge::open(&Database::Memory, Config::new("secret")).unwrap();
        let plan = SeedPlan {
            orgs: 2,
            projects_per_org: 2,
            tasks_per_project: 30,
            ..SeedPlan::default()
        };
        let report = ff.admin().seed_demo(&plan, |_, _| {}).unwrap();
        assert_eq!(report.tasks, 120);
        let owner = ff
            .admin()
            .find_user("owner0@org0.example")
            .unwrap()
            .unwrap();
        let actor = ff.admin().act_as(owner.id).unwrap();
        let word = report.search_word.unwrap();
        for text in [word.as_str(), "the", "zzz", "re"] {
            let query = TaskQuery::from_pairs([("search", text), ("page_size", "100")]).unwrap();
            let mut listed: Vec<String> = ff
                .list_tasks(&actor, &query)
                .unwrap()
                .items
                .into_iter()
                .map(|t| t.id.to_string())
                .collect();
            let mut scanned: Vec<String> = ff
                .store
                .read(|tx| {
                    tx.rows(
                        "SELECT t.id FROM tasks t JOIN memberships m
                         ON m.organization_id = t.organization_id AND m.user_id = ?
                         WHERE t.deleted_at IS NULL
                         AND (instr(casefold(t.title), ?) > 0 OR instr(casefold(t.description), ?) > 0)",
                        crate::store::value::args![owner.id, text, text],
                        |r| r.get(0),
                    )
                })
                .unwrap();
            listed.sort();
            scanned.sort();
            assert_eq!(listed, scanned, "search {text:?}");
        }
        let query = TaskQuery::from_pairs([("search", word.as_str())]).unwrap();
        assert!(
            ff.list_tasks(&actor, &query).unwrap().count > 0,
            "{word} is found"
        );
        // A task created after the load is listed too.
        let project = report.first_project.unwrap();
        ff.create_task(&actor, &crate::NewTask::new(project, "Tune the xylophone"))
            .unwrap();
        let query = TaskQuery::from_pairs([("search", "xylophone")]).unwrap();
        assert_eq!(ff.list_tasks(&actor, &query).unwrap().count, 1);
    }
}
