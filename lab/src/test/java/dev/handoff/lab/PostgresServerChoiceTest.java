package dev.handoff.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.handoff.lab.PostgresServerChoice.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresServerChoiceTest {

    @Test
    void configuredUrlWinsOverEverything() {
        // When
        PostgresServerChoice choice = PostgresServerChoice.choose(
                Map.of(
                        "HANDOFF_PG_URL", "jdbc:postgresql://db.example:6543/postgres?password=s3cret",
                        "HANDOFF_PG_USER", "handoff",
                        "HANDOFF_PG_PASSWORD", "pw"),
                true,
                true);

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.CONFIGURED);
        assertThat(choice.username()).isEqualTo("handoff");
        assertThat(choice.password()).isEqualTo("pw");
        assertThat(choice.reason())
                .isEqualTo("PostgreSQL: server at jdbc:postgresql://db.example:6543/postgres (HANDOFF_PG_URL)")
                .doesNotContain("s3cret");
    }

    @Test
    void rootUsesTheLocalServerAndSaysWhy() {
        // When
        PostgresServerChoice choice = PostgresServerChoice.choose(Map.of(), true, true);

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.LOCAL_SERVER);
        assertThat(choice.adminJdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/postgres");
        assertThat(choice.username()).isEqualTo("postgres");
        assertThat(choice.reason())
                .isEqualTo("PostgreSQL: server on localhost:5432 (running as root, embedded PostgreSQL refuses root)");
    }

    @Test
    void withoutEmbeddedPostgresTheLocalServerIsUsed() {
        // When
        PostgresServerChoice choice = PostgresServerChoice.choose(Map.of("HANDOFF_PG_URL", " "), false, false);

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.LOCAL_SERVER);
        assertThat(choice.reason()).contains("embedded PostgreSQL is not on the class path");
    }

    @Test
    void ordinaryUserGetsEmbeddedPostgres() {
        // When
        PostgresServerChoice choice = PostgresServerChoice.choose(Map.of(), false, true);

        // Then
        assertThat(choice.kind()).isEqualTo(Kind.EMBEDDED);
    }

    @Test
    void urlThatIsNotPostgresIsRefusedWithTheExpectedForm() {
        assertThatThrownBy(() -> PostgresServerChoice.choose(
                        Map.of("HANDOFF_PG_URL", "postgres://localhost/x?password=s3cret"), false, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql://host:port/postgres")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void databaseUrlKeepsHostAndParameters() {
        assertThat(PostgresServerChoice.jdbcUrlOf("jdbc:postgresql://db:5432/postgres?sslmode=require", "handoff_lab"))
                .isEqualTo("jdbc:postgresql://db:5432/handoff_lab?sslmode=require");
        assertThat(PostgresServerChoice.jdbcUrlOf("jdbc:postgresql://localhost:5432", "x"))
                .isEqualTo("jdbc:postgresql://localhost:5432/x");
    }
}
