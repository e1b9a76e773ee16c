//! Tasks as lists last read them, each with the version its row was stamped with (its
//! `change_seq`): a list whose index names the same version for a task takes it from here
//! rather than reading and decoding its row again. A task's row changes only with a new
//! stamp, and an organization's versions only grow, so an entry is never stale for the version
//! it names (a database put back to an earlier state under a running process would break
//! that, as it would the process's other assumptions); its assignee's name and email live in
//! `users` and are read afresh (see [`super::Tx::tasks_of_page`]).

use std::sync::Arc;

use quick_cache::Weighter;
use quick_cache::sync::Cache;

use crate::ids::TaskId;
use crate::task::Task;

/// The bytes the tasks kept here may take, by [`TaskWeight`]'s estimate: about 20,000 tasks of
/// the seeder's size, the first pages of many lists.
const CAPACITY_BYTES: u64 = 8 << 20;

/// What [`CAPACITY_BYTES`] holds at the seeder's size (about 420 bytes a task).
const ESTIMATED_TASKS: usize = 20_000;

/// A task as a list read it, at one version of its row.
pub(crate) struct Stamped {
    pub(crate) version: i64,
    pub(crate) task: Task,
}

/// Tasks by id, at the version their row had when they were last read, within
/// [`CAPACITY_BYTES`].
pub(crate) struct RecentTasks {
    tasks: Cache<TaskId, Arc<Stamped>, TaskWeight>,
}

impl Default for RecentTasks {
    fn default() -> Self {
        Self {
            tasks: Cache::with_weighter(ESTIMATED_TASKS, CAPACITY_BYTES, TaskWeight),
        }
    }
}

impl RecentTasks {
    /// The task `id` as its row was at `version`, if it is kept.
    pub(crate) fn get(&self, id: TaskId, version: i64) -> Option<Arc<Stamped>> {
        self.tasks.get(&id).filter(|kept| kept.version == version)
    }

    /// Keeps `task` as its row was at `version`.
    pub(crate) fn put(&self, version: i64, task: Task) {
        self.tasks
            .insert(task.id, Arc::new(Stamped { version, task }));
    }

    /// Forgets every task kept, for a test to see a page read from the table.
    #[cfg(test)]
    pub(crate) fn clear(&self) {
        self.tasks.clear();
    }
}

/// A kept task's weight: its size and its text's.
#[derive(Clone)]
struct TaskWeight;

impl Weighter<TaskId, Arc<Stamped>> for TaskWeight {
    fn weight(&self, _: &TaskId, kept: &Arc<Stamped>) -> u64 {
        let task = &kept.task;
        let assignee = task
            .assigned_to
            .as_ref()
            .map_or(0, |a| a.email.len() + a.full_name.len());
        (size_of::<Stamped>() + task.title.len() + task.description.len() + assignee) as u64
    }
}
