-- Each organization's member count, kept by a trigger on memberships (so by every path that adds
-- or removes one: the API, the CLI, the seeder, an organization's delete), so that a list of
-- organizations reads one column instead of counting the members of each organization it
-- shows: that count grew with other users' memberships, this read does not. Two transactions
-- that change one organization's members (or the organization) at once now both write its row:
-- the second fails to serialize and is run again, as any write conflict is.
-- Memberships first, in the order a membership's insert takes them (its row, then the
-- organization's key), so that a server still running the previous version cannot deadlock
-- with this migration.
LOCK TABLE memberships IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE organizations ADD COLUMN member_count integer NOT NULL DEFAULT 0;
UPDATE organizations o
SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id);
CREATE FUNCTION count_members() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE organizations SET member_count = member_count + 1 WHERE id = NEW.organization_id;
        ELSE
            UPDATE organizations SET member_count = member_count - 1 WHERE id = OLD.organization_id;
        END IF;
        RETURN NULL;
    END
    $$;
CREATE TRIGGER memberships_count AFTER INSERT OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION count_members();
