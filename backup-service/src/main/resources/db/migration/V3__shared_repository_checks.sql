-- Hosts that share a restic repository share its check: the repository a passed check covered (a SHA-256 of its
-- location, never the location itself, which may hold a REST backend's credentials). Older rows name none.
ALTER TABLE restic_checks ADD COLUMN repository TEXT;
CREATE INDEX restic_checks_by_repository ON restic_checks (repository, subset, passed_at);
