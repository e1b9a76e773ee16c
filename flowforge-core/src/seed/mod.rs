//! A deterministic demo data set for trials and load tests: organizations with users of every
//! role (`{role}{i}@org{n}.example`, one shared password), projects, and tasks whose titles and
//! descriptions are drawn from a word list with Zipf-like weights, so that searching a common
//! word matches many tasks and a rare one few. The same seed gives the same data, ids included.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::authz::{OrgScope, Role};
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProjectId, TaskId, UserId};
use crate::org::Org;
use crate::project::Project;
use crate::task::{Priority, Status, Task};
use crate::time::Timestamp;
use crate::user::{User, UserRef};
use crate::{Admin, auth::password};

mod words;

use words::{FIRST_NAMES, LAST_NAMES, WORDS};

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

const ROLE_CYCLE: [Role; 4] = [Role::Admin, Role::Member, Role::Viewer, Role::Member];
/// 2026-01-05T09:00:00Z: seeded timestamps count up from here, one second apart.
const BASE_MILLIS: i64 = 1_767_603_600_000;
/// Tasks written per transaction.
const BATCH: usize = 100_000;

/// A seeded organization: the operator scope to write in, its people with roles, its projects.
type Tenant = (OrgScope, Vec<(UserRef, Role)>, Vec<ProjectId>);

/// The random source and clock of one seeding run.
struct Generator {
    rng: StdRng,
    words: WeightedIndex<f64>,
    clock: i64,
}

impl Generator {
    fn new(seed: u64) -> Result<Self> {
        let weights = (0..WORDS.len()).map(|rank| 1.0 / ((rank + 1) as f64).powf(0.9));
        let words = WeightedIndex::new(weights).map_err(Error::internal)?;
        Ok(Self {
            rng: StdRng::seed_from_u64(seed),
            words,
            clock: 0,
        })
    }

    /// Strictly increasing times, one second apart.
    fn when(&mut self) -> Timestamp {
        self.clock += 1000;
        Timestamp::from_millis(BASE_MILLIS + self.clock)
    }

    /// A UUIDv7 of the current clock with seeded random bits.
    fn id<T: From<uuid::Uuid>>(&mut self) -> T {
        let random: [u8; 10] = self.rng.random();
        let millis = u64::try_from(BASE_MILLIS + self.clock).unwrap_or_default();
        uuid::Builder::from_unix_timestamp_millis(millis, &random)
            .into_uuid()
            .into()
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| WORDS[self.words.sample(&mut self.rng)])
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn sentence(&mut self, low: usize, high: usize) -> String {
        let n = self.rng.random_range(low..=high);
        format!("{}.", capitalize(&self.words(n)))
    }

    fn pick<T: Copy>(&mut self, items: &[T], weights: &[u32]) -> T {
        let total: u32 = weights.iter().sum();
        let mut roll = self.rng.random_range(0..total);
        for (item, weight) in items.iter().zip(weights) {
            if roll < *weight {
                return *item;
            }
            roll -= weight;
        }
        items[items.len() - 1]
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn title_case(text: &str) -> String {
    text.split(' ')
        .map(capitalize)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Admin<'_> {
    /// Fills an empty database with the plan's data set, in large transactions, calling
    /// `progress(done, total)` as tasks are written.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the database already has users; [`Error::Validation`] for a
    /// plan without users or a password that breaks the rules.
    pub fn seed_demo(
        &self,
        plan: &SeedPlan,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<SeedReport> {
        if plan.users_per_org < 1 {
            return Err(Error::invalid(
                "users_per_org",
                "Seed at least one user (the owner) per organization.",
            ));
        }
        password::check_rules(&plan.password, "owner0@org0.example")?;
        let store = &self.flowforge().store;
        if store.has_users()? {
            return Err(Error::Conflict(
                "The database already has users: seed an empty database.".into(),
            ));
        }
        // One real argon2id hash shared by every seeded user: a seeded login costs a real one.
        let hash = password::hash(&plan.password)?;
        let mut g = Generator::new(plan.seed)?;
        let mut report = SeedReport {
            organizations: Vec::new(),
            users: 0,
            projects: 0,
            tasks: 0,
            first_project: None,
            first_tasks: Vec::new(),
            search_word: None,
        };
        // Per organization: its people (with roles) and projects, generated first so that
        // the transaction that writes them may run again (on PostgreSQL) with the same data.
        let mut orgs = Vec::new();
        for n in 0..plan.orgs {
            let name = format!("Org {n} {}", title_case(&g.words(2)));
            let created_at = g.when();
            let org = Org {
                id: g.id(),
                name,
                slug: format!("org{n}"),
                role: Role::Owner,
                member_count: 0,
                created_at,
                updated_at: created_at,
            };
            let mut people = Vec::new();
            for i in 0..plan.users_per_org {
                let role = if i == 0 {
                    Role::Owner
                } else {
                    ROLE_CYCLE[((i - 1) % 4) as usize]
                };
                let full_name = format!(
                    "{} {}",
                    FIRST_NAMES.choose(&mut g.rng).unwrap_or(&"Ada"),
                    LAST_NAMES.choose(&mut g.rng).unwrap_or(&"Lovelace")
                );
                let created_at = g.when();
                let user = User {
                    id: g.id(),
                    email: format!("{role}{i}@org{n}.example"),
                    full_name,
                    is_active: true,
                    created_at,
                };
                people.push((user, role));
            }
            // The owner joins with the organization; the others after (drawn in this order so
            // that a seed gives the same data as before).
            let joined: Vec<Timestamp> = people[1..].iter().map(|_| g.when()).collect();
            let mut projects = Vec::new();
            for p in 0..plan.projects_per_org {
                let created_at = g.when();
                projects.push(Project {
                    id: g.id(),
                    organization: org.id,
                    name: format!("Project {p} {}", title_case(&g.words(2))),
                    description: g.sentence(8, 30),
                    is_archived: false,
                    created_by: Some(people[0].0.id),
                    created_at,
                    updated_at: created_at,
                });
            }
            orgs.push((org, people, joined, projects));
        }
        store.write(|tx| {
            for (org, people, joined, projects) in &orgs {
                for (user, _) in people {
                    tx.insert_user(user, &hash)?;
                }
                tx.insert_org(org, people[0].0.id)?;
                for ((user, role), joined_at) in people[1..].iter().zip(joined) {
                    tx.insert_membership(org.id, user.id, *role, *joined_at)?;
                }
                let scope = OrgScope::operator(org.id);
                for project in projects {
                    tx.insert_project(&scope, project)?;
                }
            }
            Ok(())
        })?;
        let mut tenants: Vec<Tenant> = Vec::new();
        for (org, people, _, projects) in orgs {
            report.users += people.len() as u64;
            report.projects += projects.len() as u64;
            report.organizations.push(SeededOrg {
                id: org.id,
                name: org.name,
                owner_email: people[0].0.email.clone(),
            });
            let people = people
                .into_iter()
                .map(|(user, role)| (UserRef::from(user), role))
                .collect();
            let projects = projects.iter().map(|p| p.id).collect();
            tenants.push((OrgScope::operator(org.id), people, projects));
        }
        report.first_project = tenants
            .iter()
            .find_map(|(_, _, projects)| projects.first().copied());

        let total = u64::from(plan.orgs)
            * u64::from(plan.projects_per_org)
            * u64::from(plan.tasks_per_project);
        let mut title_words: HashMap<String, u64> = HashMap::new();
        let mut batch: Vec<(OrgScope, Task)> = Vec::with_capacity(BATCH);
        let base_date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        for (scope, people, projects) in &tenants {
            let writers: Vec<UserId> = people
                .iter()
                .filter(|(_, role)| *role != Role::Viewer)
                .map(|(u, _)| u.id)
                .collect();
            for project in projects {
                for _ in 0..plan.tasks_per_project {
                    let created_at = g.when();
                    let length = g.rng.random_range(3..=6);
                    let title = capitalize(&g.words(length));
                    for word in title.to_lowercase().split(' ') {
                        *title_words.entry(word.to_owned()).or_default() += 1;
                    }
                    let task = Task {
                        id: g.id(),
                        organization: scope.org(),
                        project: *project,
                        title,
                        description: g.sentence(10, 40),
                        status: g.pick(Status::ALL, &[35, 25, 30, 10]),
                        priority: g.pick(Priority::ALL, &[25, 40, 25, 10]),
                        assigned_to: if g.rng.random::<f64>() < 0.2 {
                            None
                        } else {
                            people.choose(&mut g.rng).map(|(u, _)| u.clone())
                        },
                        created_by: writers.choose(&mut g.rng).copied(),
                        due_date: if g.rng.random::<f64>() < 0.15 {
                            None
                        } else {
                            let offset = g.rng.random_range(-60i64..=120);
                            let days = Days::new(offset.unsigned_abs());
                            if offset < 0 {
                                base_date.checked_sub_days(days)
                            } else {
                                base_date.checked_add_days(days)
                            }
                        },
                        created_at,
                        updated_at: created_at,
                    };
                    if Some(*project) == report.first_project && report.first_tasks.len() < 5 {
                        report.first_tasks.push(task.id);
                    }
                    batch.push((*scope, task));
                    if batch.len() == BATCH {
                        report.tasks += write_tasks(self, &mut batch)?;
                        progress(report.tasks, total);
                    }
                }
            }
        }
        report.tasks += write_tasks(self, &mut batch)?;
        progress(report.tasks, total);
        report.first_tasks.sort();
        report.search_word = title_words
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(w, _)| w);
        Ok(report)
    }
}

/// Writes a batch of tasks in one transaction, emptying it.
fn write_tasks(admin: &Admin<'_>, batch: &mut Vec<(OrgScope, Task)>) -> Result<u64> {
    let written = batch.len() as u64;
    admin
        .flowforge()
        .store
        .write(|tx| tx.insert_tasks_bulk(batch))?;
    batch.clear();
    Ok(written)
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
