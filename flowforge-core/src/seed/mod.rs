//! A deterministic demo data set for trials and load tests: organizations with users of every
//! role (`{role}{i}@org{n}.example`, one shared password), projects, and tasks whose titles and
//! descriptions are drawn from a word list with Zipf-like weights, so that searching a common
//! word matches many tasks and a rare one few. The same seed gives the same data, ids included.
//!
//! [`Admin::seed_demo`] runs its steps in order: check the plan, draw and write the
//! organizations (one transaction), then draw and write the tasks (transactions of [`BATCH`]).
//! `generate.rs` draws; this file writes and reports.
//!
//! A run is marked in the database (`seed_runs`) from its first transaction, which writes the
//! mark with the organizations, to its end, which deletes it; each batch of tasks advances the
//! mark's count in the batch's own transaction. So a run killed midway leaves a mark that says
//! exactly how far it got: another run is refused, and [`Admin::resume_seed_demo`] draws the
//! same data again and writes what is missing.

use std::collections::HashMap;

use serde::Serialize;

use crate::authz::OrgScope;
use crate::error::{Error, Result};
use crate::event::{Draft, EventType};
use crate::ids::{OrgId, ProjectId, TaskId};
use crate::store::{SeedRun, Tx};
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

/// Tasks written per transaction (fewer in this crate's tests, to interrupt a small run).
const BATCH: usize = if cfg!(test) { 50 } else { 100_000 };
/// How many task ids of the first project the report lists.
const FIRST_TASKS: usize = 5;

impl Admin<'_> {
    /// Fills an empty database with the plan's data set, in large transactions, calling
    /// `progress(done, total)` as tasks are written. The run is marked in the database until
    /// it ends, so that a run interrupted midway is known (see [`Admin::resume_seed_demo`]).
    ///
    /// # Errors
    /// [`Error::Conflict`] when the database already has users, or holds the partial data set
    /// of an interrupted run (the message says how far it got and how to finish it);
    /// [`Error::Validation`] for a plan without users or a password that breaks the rules.
    pub fn seed_demo(&self, plan: &SeedPlan, progress: impl FnMut(u64, u64)) -> Result<SeedReport> {
        check_plan(plan)?;
        let store = &self.flowforge().store;
        if let Some(run) = store.read(|tx| tx.seed_run())? {
            return Err(interrupted(&run));
        }
        if store.has_users()? {
            return Err(Error::Conflict(
                "The database already has users: seed an empty database.".into(),
            ));
        }
        // One real argon2id hash shared by every seeded user: a seeded login costs a real one.
        let hash = password::hash(&plan.password)?;
        let mut g = Generator::new(plan.seed)?;
        let orgs = draw_orgs(&mut g, plan);
        let run = run_of(plan, 0);
        store.write(|tx| {
            tx.insert_seed_run(&run)?;
            orgs.iter().try_for_each(|org| write_org(tx, org, &hash))
        })?;
        self.finish(plan, g, orgs, 0, progress)
    }

    /// Finishes the run of [`Admin::seed_demo`] that was interrupted: draws the same data set
    /// again and writes the tasks the run had not written, so that the database ends as one
    /// uninterrupted run would have left it. `plan` must be the interrupted run's, password
    /// included.
    ///
    /// # Errors
    /// [`Error::Conflict`] when no run was interrupted, or it ran another plan;
    /// [`Error::Validation`] naming `password` when it is not the interrupted run's.
    pub fn resume_seed_demo(
        &self,
        plan: &SeedPlan,
        progress: impl FnMut(u64, u64),
    ) -> Result<SeedReport> {
        check_plan(plan)?;
        let store = &self.flowforge().store;
        let run = store.read(|tx| tx.seed_run())?.ok_or_else(|| {
            Error::Conflict("No seed-demo run was interrupted: there is nothing to resume.".into())
        })?;
        if run != run_of(plan, run.tasks_written) {
            return Err(Error::Conflict(format!(
                "The interrupted run seeded another plan ({}): resume it with the same options.",
                describe(&run)
            )));
        }
        let mut g = Generator::new(plan.seed)?;
        let orgs = draw_orgs(&mut g, plan);
        if let Some(owner) = orgs.first().map(|draft| draft.owner.id) {
            let stored = store.read(|tx| tx.password_hash(owner))?;
            if !stored.is_some_and(|hash| password::verify(&hash, &plan.password)) {
                return Err(Error::invalid(
                    "password",
                    "This is not the password the interrupted run gave its users.",
                ));
            }
        }
        self.finish(plan, g, orgs, run.tasks_written, progress)
    }

    /// Writes the tasks after the first `written`, then ends the run's mark.
    fn finish(
        &self,
        plan: &SeedPlan,
        mut g: Generator,
        orgs: Vec<OrgDraft>,
        written: u64,
        progress: impl FnMut(u64, u64),
    ) -> Result<SeedReport> {
        let mut report = SeedReport::of_orgs(&orgs);
        let tenants: Vec<Tenant> = orgs.into_iter().map(Tenant::from).collect();
        self.seed_tasks(plan, &mut g, &tenants, written, &mut report, progress)?;
        self.flowforge().store.write(|tx| tx.delete_seed_run())?;
        Ok(report)
    }

    /// Draws every project's tasks, writes those after the first `written` in transactions of
    /// [`BATCH`] and adds them all to `report`: their count, the first project's first ids, the
    /// most frequent title word.
    fn seed_tasks(
        &self,
        plan: &SeedPlan,
        g: &mut Generator,
        tenants: &[Tenant],
        written: u64,
        report: &mut SeedReport,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<()> {
        let total = u64::from(plan.orgs)
            * u64::from(plan.projects_per_org)
            * u64::from(plan.tasks_per_project);
        let mut title_words: HashMap<String, u64> = HashMap::new();
        let mut batch: Vec<(OrgScope, Task)> = Vec::with_capacity(BATCH);
        let mut drawn = 0;
        report.tasks = written;
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
                    drawn += 1;
                    if drawn <= written {
                        continue; // written by the run this one resumes
                    }
                    batch.push((tenant.scope, task));
                    if batch.len() == BATCH {
                        report.tasks += self.write_tasks(&mut batch, report.tasks)?;
                        progress(report.tasks, total);
                    }
                }
            }
        }
        report.tasks += self.write_tasks(&mut batch, report.tasks)?;
        progress(report.tasks, total);
        report.first_tasks.sort();
        // The most frequent word; of words as frequent, the first in alphabetical order.
        report.search_word = title_words
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(w, _)| w);
        Ok(())
    }

    /// Writes a batch of tasks in one transaction with the run's new count, emptying it;
    /// returns how many it wrote.
    fn write_tasks(&self, batch: &mut Vec<(OrgScope, Task)>, before: u64) -> Result<u64> {
        let written = batch.len() as u64;
        self.flowforge().store.write(|tx| {
            tx.insert_tasks_bulk(batch)?;
            for run in batch.chunk_by(|a, b| a.0 == b.0) {
                let events: Vec<Draft> = run
                    .iter()
                    .map(|(_, task)| Draft::new(EventType::TaskCreated).task(task.project, task.id))
                    .collect();
                tx.append_events(&run[0].0, &events)?;
            }
            tx.advance_seed_run(before + written)
        })?;
        batch.clear();
        Ok(written)
    }
}

/// The organizations of the plan, drawn in order.
fn draw_orgs(g: &mut Generator, plan: &SeedPlan) -> Vec<OrgDraft> {
    (0..plan.orgs)
        .map(|n| g.org(n, plan.users_per_org, plan.projects_per_org))
        .collect()
}

/// The mark of a run of `plan` that has written `tasks_written` tasks.
fn run_of(plan: &SeedPlan, tasks_written: u64) -> SeedRun {
    SeedRun {
        orgs: plan.orgs,
        projects_per_org: plan.projects_per_org,
        tasks_per_project: plan.tasks_per_project,
        users_per_org: plan.users_per_org,
        seed: plan.seed,
        tasks_written,
    }
}

/// A run's plan in the words of the command's options.
fn describe(run: &SeedRun) -> String {
    format!(
        "--orgs {} --projects-per-org {} --tasks-per-project {} --users-per-org {} --seed {}",
        run.orgs, run.projects_per_org, run.tasks_per_project, run.users_per_org, run.seed
    )
}

/// The refusal of a new run over an interrupted one's partial data set.
fn interrupted(run: &SeedRun) -> Error {
    let total =
        u64::from(run.orgs) * u64::from(run.projects_per_org) * u64::from(run.tasks_per_project);
    Error::Conflict(format!(
        "An earlier seed-demo run was interrupted after {} of {total} tasks and left a partial \
         data set: finish it with `seed-demo --resume` and its options ({}), or seed an empty \
         database.",
        run.tasks_written,
        describe(run)
    ))
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
    let mut events = vec![
        Draft::new(EventType::OrganizationCreated),
        Draft::new(EventType::MemberAdded).user(draft.owner.id),
    ];
    for member in &draft.members {
        tx.insert_membership(draft.org.id, member.user.id, member.role, member.joined_at)?;
        events.push(Draft::new(EventType::MemberAdded).user(member.user.id));
    }
    let scope = OrgScope::operator(draft.org.id);
    for project in &draft.projects {
        tx.insert_project(&scope, project)?;
        events.push(Draft::new(EventType::ProjectCreated).project(project.id));
    }
    tx.append_events(&scope, &events)
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
mod tests;
