package dev.handoff.control.problem;

import dev.handoff.control.security.PublicEndpoint;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.sql.SQLException;

/** A route that fails the way a bug or an outage would (test code only), with internals in its exception. */
@Path("/test/failing")
@PublicEndpoint("test code only: it fails before touching anything")
public class FailingResource {
    /** The secret-looking text the exception carries, which no answer may show. */
    static final String INTERNALS = "password=hunter2 at jdbc:postgresql://db.internal/handoff";

    @GET
    public String fail(@QueryParam("sqlstate") String sqlState) throws SQLException {
        if (sqlState != null) {
            throw new SQLException("connection refused: " + INTERNALS, sqlState);
        }
        throw new IllegalStateException("bug: " + INTERNALS);
    }
}
