package dev.handoff.control.ledger;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the ledger says each host runs: per stage the newest run that completed, per repository the commit deployed
 * and any deployment still running, the newest drift report that no later completion of its stage cleared, and the
 * newest verified backup of each contract. The fleet view ({@code GET /api/hosts}) sets it against Git.
 */
@ApplicationScoped
public class FleetQueries {
    private final AgroalDataSource dataSource;

    public FleetQueries(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The newest completed run of a stage on a host: its deployment, repository and commit. */
    public record StageRun(
            String stage, String deploymentId, String repository, String commit, OffsetDateTime finishedAt) {}

    /** A deployment of a repository on a host, with its status. */
    public record RepositoryRun(String deploymentId, String commit, String status, OffsetDateTime startedAt) {}

    /**
     * A drift reported and not yet cleared: infra's {@code cloud-facts.failed} with reason {@code drift}, or
     * converge-service's {@code convergence.drifted} (stage {@code converge}) with what differs.
     *
     * @param differences for a convergence drift, each field expected against observed; empty otherwise
     */
    public record Drift(
            String stage,
            String eventId,
            String deploymentId,
            OffsetDateTime at,
            String message,
            List<Difference> differences) {}

    /** One field of a host that differs from what was last converged there. */
    public record Difference(String field, String expected, String observed) {}

    /** The newest {@code backup.completed} of a contract. */
    public record Backup(
            String contract,
            String eventId,
            OffsetDateTime verifiedAt,
            String newestSnapshotTime,
            String checkResult) {}

    /** The newest completed run of each stage on {@code host}, in stage order of the chain. */
    public List<StageRun> lastCompleted(String host) throws SQLException {
        List<StageRun> runs = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select distinct on (s.stage) s.stage, d.id, d.repository, d.commit_sha, s.finished_at
                        from deployment d join deployment_stage s on s.deployment_id = d.id
                        where d.host = ? and s.status = 'completed'
                        order by s.stage, s.finished_at desc nulls last, d.id desc
                        """)) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(new StageRun(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class)));
                }
            }
        }
        List<String> order = List.of("infra", "secrets", "converge", "workload", "backup");
        runs.sort(java.util.Comparator.comparingInt(r -> order.indexOf(r.stage())));
        return runs;
    }

    /**
     * Per repository of {@code host}: its newest deployment that ran (not stale, not superseded) and, when a newer one
     * is still running, that one too (the map's value holds the deployed run first).
     */
    public Map<String, List<RepositoryRun>> repositories(String host, List<String> repositories) throws SQLException {
        Map<String, List<RepositoryRun>> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select id, commit_sha, status, started_at from deployment
                        where host = ? and repository = ? and commit_sha is not null
                          and status not in ('stale', 'superseded')
                        order by started_at desc, id desc limit 20
                        """)) {
            for (String repository : repositories) {
                ps.setString(1, host);
                ps.setString(2, repository);
                RepositoryRun deployed = null;
                RepositoryRun running = null;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && deployed == null) {
                        RepositoryRun run = new RepositoryRun(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getObject(4, OffsetDateTime.class));
                        if (run.status().equals("succeeded")) {
                            deployed = run;
                        } else if (run.status().equals("running") && running == null) {
                            running = run;
                        }
                    }
                }
                List<RepositoryRun> runs = new ArrayList<>();
                runs.add(deployed);
                runs.add(running);
                out.put(repository, runs);
            }
        }
        return out;
    }

    /**
     * The newest drift reported on {@code host} that no later completion of the same stage cleared: a stage's
     * {@code failed} with reason {@code drift}, or a {@code convergence.drifted} (cleared by a later completed
     * converge stage).
     */
    public Optional<Drift> drift(String host) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select e.id, e.type, e.deployment_id, e.time, e.data->>'message',
                               coalesce(e.data->>'stage', 'converge'), e.data->'differences'
                        from event e
                        where e.subject = ?
                          and ((e.data->>'reason' = 'drift' and e.type like 'handoff.%.failed')
                               or e.type = 'handoff.convergence.drifted')
                          and not exists (
                            select 1 from deployment d join deployment_stage s on s.deployment_id = d.id
                            where d.host = e.subject and s.stage = coalesce(e.data->>'stage', 'converge')
                              and s.status = 'completed' and s.finished_at > e.time)
                        order by e.time desc limit 1
                        """)) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Drift(
                        rs.getString(6) != null ? rs.getString(6) : rs.getString(2),
                        rs.getString(1),
                        rs.getString(3),
                        rs.getObject(4, OffsetDateTime.class),
                        rs.getString(5),
                        differences(rs.getString(7))));
            }
        }
    }

    /** The {@code differences} of a {@code convergence.drifted} payload; empty for other drift reports. */
    public static List<Difference> differences(String json) {
        if (json == null) {
            return List.of();
        }
        try {
            List<Difference> out = new ArrayList<>();
            for (var d : dev.handoff.common.serde.Json.mapper().readTree(json)) {
                out.add(new Difference(
                        d.path("field").asText(),
                        d.path("expected").asText(),
                        d.path("observed").asText()));
            }
            return List.copyOf(out);
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** The newest verified backup of each of {@code host}'s contracts. */
    public List<Backup> backups(String host) throws SQLException {
        List<Backup> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("""
                        select distinct on (data->>'contract') data->>'contract', id, time,
                               data->>'newestSnapshotTime', data->>'checkResult'
                        from event
                        where subject = ? and type = 'handoff.backup.completed'
                        order by data->>'contract', time desc
                        """)) {
            ps.setString(1, host);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Backup(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getObject(3, OffsetDateTime.class),
                            rs.getString(4),
                            rs.getString(5)));
                }
            }
        }
        return out;
    }
}
