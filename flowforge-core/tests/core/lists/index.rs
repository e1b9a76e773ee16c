//! The task index follows the table: after every random write, membership change, cascade and
//! change of a member's name, a long-lived handle (whose index catches up write by write, and
//! which keeps the tasks its lists read) lists exactly the tasks, as `get_task` reads them, that
//! filtering and sorting them gives, and a handle opened afresh afterwards (as after a crash or
//! a restart, loading the index whole) lists the same.

use flowforge_core::{
    Actor, Config, Error, FlowForge, NewTask, PageRequest, Priority, Project, Role, Search, Sort,
    Status, Task, TaskField, TaskId, TaskPatch, TaskQuery, UserFilter, UserPatch,
};
use proptest::prelude::*;

use crate::support::{SECRET, add, open_shared, org, project, user};

const WORDS: &[&str] = &["alpha", "beta", "Gamma", "delta", "ünï"];
const FIELDS: [TaskField; 4] = [
    TaskField::DueDate,
    TaskField::Priority,
    TaskField::Status,
    TaskField::Title,
];

#[derive(Debug, Clone)]
enum Op {
    /// A task in project 0 or 1, titled by two words, with a status, a priority and an
    /// assignee (one of the two members, or nobody).
    Create(usize, (usize, usize), usize, usize, Option<usize>),
    /// Change the n-th task ever made (if it still exists).
    Update(
        usize,
        Option<usize>,
        Option<usize>,
        Option<Option<usize>>,
        Option<usize>,
    ),
    Delete(usize),
    /// Remove member 0 or 1 (their open tasks lose them), then add them back.
    Rejoin(usize),
    /// Delete project 0 or 1 (its tasks go by cascade) and make a new one in its place.
    ReplaceProject(usize),
    /// Member 0 or 1 takes a new name (their tasks show it; no task row changes).
    Rename(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let member = || proptest::option::of(0..2usize);
    prop_oneof![
        4 => (0..2usize, (0..WORDS.len(), 0..WORDS.len()), 0..4usize, 0..4usize, member())
            .prop_map(|(p, t, s, pr, a)| Op::Create(p, t, s, pr, a)),
        3 => (0..40usize, proptest::option::of(0..4usize), proptest::option::of(0..4usize),
              proptest::option::of(member()), proptest::option::of(0..WORDS.len()))
            .prop_map(|(n, s, p, a, w)| Op::Update(n, s, p, a, w)),
        1 => (0..40usize).prop_map(Op::Delete),
        1 => (0..2usize).prop_map(Op::Rejoin),
        1 => (0..2usize).prop_map(Op::ReplaceProject),
        1 => (0..2usize, 0..WORDS.len()).prop_map(|(m, w)| Op::Rename(m, w)),
    ]
}

#[derive(Debug, Clone)]
struct Query {
    status: Option<usize>,
    assignee: Option<Option<usize>>,
    word: Option<usize>,
    order: (usize, bool),
    page: (u64, u64),
}

fn query() -> impl Strategy<Value = Query> {
    (
        proptest::option::of(0..4usize),
        proptest::option::of(proptest::option::of(0..2usize)),
        proptest::option::of(0..WORDS.len()),
        (0..FIELDS.len(), any::<bool>()),
        (1..4u64, 1..6u64),
    )
        .prop_map(|(status, assignee, word, order, page)| Query {
            status,
            assignee,
            word,
            order,
            page,
        })
}

struct World {
    owner: Actor,
    members: Vec<Actor>,
    org: flowforge_core::Org,
    projects: Vec<Project>,
    made: Vec<TaskId>,
    projects_made: usize,
}

impl World {
    fn apply(&mut self, ff: &FlowForge, op: &Op) {
        let member = |i: Option<usize>| i.map(|i| self.members[i].id());
        match op {
            Op::Create(p, (a, b), status, priority, assignee) => {
                let task = NewTask {
                    status: Some(Status::ALL[*status]),
                    priority: Some(Priority::ALL[*priority]),
                    assigned_to: member(*assignee),
                    ..NewTask::new(self.projects[*p].id, format!("{} {}", WORDS[*a], WORDS[*b]))
                };
                self.made
                    .push(ff.create_task(&self.owner, &task).unwrap().id);
            }
            Op::Update(n, status, priority, assignee, word) => {
                let Some(&id) = self.made.get(*n) else { return };
                let patch = TaskPatch {
                    status: status.map(|s| Status::ALL[s]),
                    priority: priority.map(|p| Priority::ALL[p]),
                    assigned_to: assignee.map(member),
                    title: word.map(|w| format!("renamed {}", WORDS[w])),
                    ..TaskPatch::default()
                };
                match ff.update_task(&self.owner, id, &patch) {
                    Ok(_) | Err(Error::NotFound(_)) => {}
                    Err(e) => panic!("update: {e:?}"),
                }
            }
            Op::Delete(n) => {
                let Some(&id) = self.made.get(*n) else { return };
                match ff.delete_task(&self.owner, id) {
                    Ok(()) | Err(Error::NotFound(_)) => {}
                    Err(e) => panic!("delete: {e:?}"),
                }
            }
            Op::Rejoin(i) => {
                let who = &self.members[*i];
                ff.remove_member(&self.owner, self.org.id, who.id())
                    .unwrap();
                add(ff, &self.owner, &self.org, who, Role::Member);
            }
            Op::ReplaceProject(p) => {
                ff.delete_project(&self.owner, self.projects[*p].id)
                    .unwrap();
                self.projects_made += 1;
                let name = format!("project {}", self.projects_made);
                self.projects[*p] = project(ff, &self.owner, &self.org, &name);
            }
            Op::Rename(i, w) => {
                let patch = UserPatch {
                    full_name: Some(format!("{} {i}", WORDS[*w])),
                };
                ff.update_me(&self.members[*i], &patch).unwrap();
            }
        }
    }

    /// Every live task as the table holds it (`get_task` reads the row, not the index).
    fn tasks(&self, ff: &FlowForge) -> Vec<Task> {
        self.made
            .iter()
            .filter_map(|id| ff.get_task(&self.owner, *id).ok())
            .collect()
    }

    fn task_query(&self, q: &Query) -> TaskQuery {
        let (field, descending) = q.order;
        TaskQuery {
            status: q.status.map(|s| Status::ALL[s]).into_iter().collect(),
            assigned_to: q
                .assignee
                .map(|a| match a {
                    Some(i) => UserFilter::Id(self.members[i].id()),
                    None => UserFilter::Nobody,
                })
                .into_iter()
                .collect(),
            search: Search::new(q.word.map_or("", |w| WORDS[w])),
            ordering: vec![Sort {
                field: FIELDS[field],
                descending,
            }],
            page: PageRequest::new(q.page.0, q.page.1),
            ..TaskQuery::default()
        }
    }
}

/// What the list must be: the filtered tasks in order (undated last both ways), ties by id.
fn expected(world: &World, tasks: &[Task], q: &Query) -> (u64, Vec<TaskId>) {
    let mut rows: Vec<&Task> = tasks
        .iter()
        .filter(|t| q.status.is_none_or(|s| t.status == Status::ALL[s]))
        .filter(|t| {
            q.assignee.is_none_or(|a| {
                t.assigned_to.as_ref().map(|u| u.id) == a.map(|i| world.members[i].id())
            })
        })
        .filter(|t| {
            q.word.is_none_or(|w| {
                let word = WORDS[w].to_lowercase();
                t.title.to_lowercase().contains(&word)
                    || t.description.to_lowercase().contains(&word)
            })
        })
        .collect();
    let (field, descending) = q.order;
    rows.sort_by(|a, b| {
        let order = match FIELDS[field] {
            TaskField::DueDate => a.due_date.cmp(&b.due_date),
            TaskField::Priority => a.priority.cmp(&b.priority),
            TaskField::Status => a.status.cmp(&b.status),
            _ => a.title.as_bytes().cmp(b.title.as_bytes()),
        };
        let order = if descending { order.reverse() } else { order };
        let undated_last = match FIELDS[field] {
            TaskField::DueDate => a.due_date.is_none().cmp(&b.due_date.is_none()),
            _ => std::cmp::Ordering::Equal,
        };
        undated_last.then(order).then(a.id.cmp(&b.id))
    });
    let (page, size) = q.page;
    let ids = rows
        .iter()
        .skip(usize::try_from((page - 1) * size).unwrap())
        .take(usize::try_from(size).unwrap())
        .map(|t| t.id)
        .collect();
    (rows.len() as u64, ids)
}

/// The count and page of `q`, or `None` for a page past the end.
fn listed(ff: &FlowForge, world: &World, q: &Query) -> Option<(u64, Vec<Task>)> {
    match ff.list_tasks(&world.owner, &world.task_query(q)) {
        Ok(page) => Some((page.count, page.items)),
        Err(Error::NotFound(_)) => None,
        Err(e) => panic!("list: {e:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(16) })]

    #[test]
    fn the_task_index_lists_what_the_table_holds_after_every_change(
        ops in proptest::collection::vec((op(), query()), 1..40),
        last in query(),
    ) {
        let ff = open_shared(Config::new(SECRET));
        let owner = user(&ff, "owner@example.com");
        let members = vec![user(&ff, "one@example.com"), user(&ff, "two@example.com")];
        let org = org(&ff, &owner, "Acme");
        for m in &members {
            add(&ff, &owner, &org, m, Role::Member);
        }
        let projects = vec![project(&ff, &owner, &org, "P0"), project(&ff, &owner, &org, "P1")];
        let mut world = World { owner, members, org, projects, made: Vec::new(), projects_made: 0 };
        for (step, (op, q)) in ops.iter().enumerate() {
            world.apply(&ff, op);
            let tasks = world.tasks(&ff);
            let (count, ids) = expected(&world, &tasks, q);
            let past_the_end = q.page.0 > 1 && (q.page.0 - 1) * q.page.1 >= count;
            let page = ids.iter().filter_map(|id| tasks.iter().find(|t| t.id == *id)).cloned();
            let want = (!past_the_end).then_some((count, page.collect()));
            prop_assert_eq!(listed(&ff, &world, q), want, "after step {} ({:?}), {:?}", step, op, q);
        }
        // A process opened now loads the index whole and must agree with the one that followed.
        let fresh = ff.reopen();
        prop_assert_eq!(listed(&fresh, &world, &last), listed(&ff, &world, &last));
    }
}
