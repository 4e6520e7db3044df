-- SSH host key pins moved to the one store every service shares: the compacted topic handoff.host-keys
-- (docs/host-keys.md). Before upgrading, note each pinned fingerprint (SELECT host, fingerprint FROM host_keys) and
-- trust it again with handoffctl hosts trust <host> <fingerprint>, or give it as access.hostKey in handoff.yaml.
DROP TABLE host_keys;
