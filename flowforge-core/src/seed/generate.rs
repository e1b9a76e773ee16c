//! What the demo data set is drawn from: the seeded random source and clock, and the drafts
//! they produce (an organization with its people and projects; the tasks of a written one).
//! Every draw happens in a fixed order, so the same seed gives the same data, ids included.

use chrono::{Days, NaiveDate};
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::words::{FIRST_NAMES, LAST_NAMES, WORDS};
use crate::authz::{OrgScope, Role};
use crate::error::{Error, Result};
use crate::ids::{OrgId, ProjectId, UserId};
use crate::org::Org;
use crate::project::Project;
use crate::task::{Priority, Status, Task};
use crate::time::Timestamp;
use crate::user::{User, UserRef};

/// The roles of an organization's people after its owner, in turn.
const ROLE_CYCLE: [Role; 4] = [Role::Admin, Role::Member, Role::Viewer, Role::Member];
/// 2026-01-05T09:00:00Z: seeded timestamps count up from here, one second apart.
const BASE_MILLIS: i64 = 1_767_603_600_000;

/// An organization of the data set, drawn in full before it is written, so that the
/// transaction that writes it may run again (on PostgreSQL) with the same data.
pub(super) struct OrgDraft {
    /// The organization.
    pub(super) org: Org,
    /// Its owner, who joins with it.
    pub(super) owner: User,
    /// Its other people, who join after it.
    pub(super) members: Vec<Member>,
    /// Its projects.
    pub(super) projects: Vec<Project>,
}

/// A seeded user who joins an organization after its owner: their role and when they joined.
pub(super) struct Member {
    /// The user.
    pub(super) user: User,
    /// Their role.
    pub(super) role: Role,
    /// When they joined.
    pub(super) joined_at: Timestamp,
}

/// A written organization as its tasks need it.
pub(super) struct Tenant {
    /// The operator scope its tasks are written in.
    pub(super) scope: OrgScope,
    /// Its people, the owner first: whom a task may be assigned to.
    pub(super) people: Vec<UserRef>,
    /// Those who may create a task (every role but viewer).
    pub(super) writers: Vec<UserId>,
    /// Its projects, in order.
    pub(super) projects: Vec<ProjectId>,
}

impl From<OrgDraft> for Tenant {
    fn from(draft: OrgDraft) -> Self {
        let writers = std::iter::once(draft.owner.id)
            .chain(
                draft
                    .members
                    .iter()
                    .filter(|m| m.role != Role::Viewer)
                    .map(|m| m.user.id),
            )
            .collect();
        let people = std::iter::once(draft.owner).chain(draft.members.into_iter().map(|m| m.user));
        Self {
            scope: OrgScope::operator(draft.org.id),
            people: people.map(UserRef::from).collect(),
            writers,
            projects: draft.projects.iter().map(|p| p.id).collect(),
        }
    }
}

/// The random source and clock of one seeding run.
pub(super) struct Generator {
    rng: StdRng,
    words: WeightedIndex<f64>,
    clock: i64,
    /// The day due dates are drawn around.
    base_date: NaiveDate,
}

impl Generator {
    /// The generator of `seed`.
    pub(super) fn new(seed: u64) -> Result<Self> {
        let weights = (0..WORDS.len()).map(|rank| 1.0 / ((rank + 1) as f64).powf(0.9));
        let words = WeightedIndex::new(weights).map_err(Error::internal)?;
        Ok(Self {
            rng: StdRng::seed_from_u64(seed),
            words,
            clock: 0,
            base_date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default(),
        })
    }

    /// Organization `n` with its owner, `users - 1` other people (the roles of [`ROLE_CYCLE`]
    /// in turn) and `projects` projects.
    pub(super) fn org(&mut self, n: u32, users: u32, projects: u32) -> OrgDraft {
        let name = format!("Org {n} {}", title_case(&self.words(2)));
        let created_at = self.when();
        let org = Org {
            id: self.id(),
            name,
            slug: format!("org{n}"),
            role: Role::Owner,
            member_count: 0,
            created_at,
            updated_at: created_at,
        };
        let owner = self.user(n, 0);
        let others: Vec<User> = (1..users).map(|i| self.user(n, i)).collect();
        // The others' joining times are drawn after every user (the order the data set has
        // always been drawn in).
        let members = others
            .into_iter()
            .zip(1..)
            .map(|(user, i)| Member {
                user,
                role: role(i),
                joined_at: self.when(),
            })
            .collect();
        let projects = (0..projects)
            .map(|p| self.project(org.id, p, owner.id))
            .collect();
        OrgDraft {
            org,
            owner,
            members,
            projects,
        }
    }

    /// User `i` of organization `n`, `{role}{i}@org{n}.example`.
    fn user(&mut self, n: u32, i: u32) -> User {
        let full_name = format!(
            "{} {}",
            FIRST_NAMES.choose(&mut self.rng).unwrap_or(&"Ada"),
            LAST_NAMES.choose(&mut self.rng).unwrap_or(&"Lovelace")
        );
        let created_at = self.when();
        User {
            id: self.id(),
            email: format!("{}{i}@org{n}.example", role(i)),
            full_name,
            is_active: true,
            created_at,
        }
    }

    /// Project `p` of `org`, created by its owner.
    fn project(&mut self, org: OrgId, p: u32, owner: UserId) -> Project {
        let created_at = self.when();
        Project {
            id: self.id(),
            organization: org,
            name: format!("Project {p} {}", title_case(&self.words(2))),
            description: self.sentence(8, 30),
            is_archived: false,
            created_by: Some(owner),
            created_at,
            updated_at: created_at,
        }
    }

    /// A task of `project` in `tenant`: a title of three to six words, a status and a priority
    /// by fixed weights, mostly assigned, mostly due between two months before and four after
    /// the base date.
    pub(super) fn task(&mut self, tenant: &Tenant, project: ProjectId) -> Task {
        let created_at = self.when();
        let length = self.rng.random_range(3..=6);
        let title = capitalize(&self.words(length));
        Task {
            id: self.id(),
            organization: tenant.scope.org(),
            project,
            title,
            description: self.sentence(10, 40),
            status: self.pick(Status::ALL, &[35, 25, 30, 10]),
            priority: self.pick(Priority::ALL, &[25, 40, 25, 10]),
            assigned_to: if self.rng.random::<f64>() < 0.2 {
                None
            } else {
                tenant.people.choose(&mut self.rng).cloned()
            },
            created_by: tenant.writers.choose(&mut self.rng).copied(),
            due_date: if self.rng.random::<f64>() < 0.15 {
                None
            } else {
                let offset = self.rng.random_range(-60i64..=120);
                let days = Days::new(offset.unsigned_abs());
                if offset < 0 {
                    self.base_date.checked_sub_days(days)
                } else {
                    self.base_date.checked_add_days(days)
                }
            },
            created_at,
            updated_at: created_at,
        }
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

/// The role of an organization's `i`th person: the owner first, then [`ROLE_CYCLE`] in turn.
fn role(i: u32) -> Role {
    if i == 0 {
        Role::Owner
    } else {
        ROLE_CYCLE[((i - 1) % 4) as usize]
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
