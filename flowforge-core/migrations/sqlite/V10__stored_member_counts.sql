-- Each organization's member count, kept by triggers on memberships (so by every path that adds
-- or removes one: the API, the CLI, the seeder, an organization's delete), so that a list of
-- organizations reads one column instead of counting the members of each organization it
-- shows: that count grew with other users' memberships, this read does not.
ALTER TABLE organizations ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE organizations
SET member_count = (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = organizations.id);
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
    UPDATE organizations SET member_count = member_count + 1 WHERE id = new.organization_id;
END;
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
    UPDATE organizations SET member_count = member_count - 1 WHERE id = old.organization_id;
END;
