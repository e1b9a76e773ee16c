-- New tasks are indexed for search by the statement that follows their INSERT, in the same
-- transaction, instead of by an insert trigger: with an insert trigger on the table, SQLite
-- journals every page each task INSERT touches (about nine per task here) so that it could undo
-- that one statement, which cost a bulk load a third of its time. Updates and deletes
-- (including cascades from a deleted project or organization) keep their triggers.
DROP TRIGGER tasks_search_insert;
-- Only the insert trigger read it.
DROP TABLE search_sync;
-- The index's pending writes go to a new segment at each commit or once they pass this size
-- (FTS5's `hashsize` option, stored with the index; not in its documentation, default 1 MiB).
-- A request's transaction stays far below it; the seeder's 100,000-task transactions each write
-- one or a few segments instead of dozens that are then merged over and over.
INSERT INTO tasks_search (tasks_search, rank) VALUES ('hashsize', 134217728);
