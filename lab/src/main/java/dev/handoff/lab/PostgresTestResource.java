package dev.handoff.lab;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Quarkus test resource: a fresh, empty PostgreSQL database on the {@link LabPostgres#shared() lab server} for each
 * start, handed to Quarkus as {@code quarkus.datasource.*}; dropped again on stop.
 *
 * <p>Init arguments: {@code prefix} (database name prefix, default {@code handoff_test}). Set the environment
 * variable {@code HANDOFF_PG_KEEP=true} to keep the databases for inspection after the tests.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {
    private static final Logger LOG = Logger.getLogger(PostgresTestResource.class);

    private String prefix = "handoff_test";
    private LabDatabase database;

    @Override
    public void init(Map<String, String> initArgs) {
        prefix = initArgs.getOrDefault("prefix", prefix);
    }

    @Override
    public Map<String, String> start() {
        database = LabPostgres.shared().createDatabase(prefix);
        LOG.infof("PostgreSQL: test database %s", database);
        return Map.of(
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", database.username(),
                "quarkus.datasource.password", database.password());
    }

    @Override
    public void stop() {
        if (database == null) {
            return;
        }
        if (Boolean.parseBoolean(System.getenv("HANDOFF_PG_KEEP"))) {
            LOG.infof("PostgreSQL: keeping test database %s (HANDOFF_PG_KEEP)", database.name());
        } else {
            LabPostgres.shared().dropDatabase(database);
        }
        database = null;
    }
}
