package dev.handoff.control.problem;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * What the OpenAPI document ({@code /q/openapi}) says about errors and tokens, in one place rather than on every
 * route: the {@code Problem} schema, the error answers of every {@code /api} operation, and the bearer scheme, whose
 * tokens are opaque (not JWTs: Quarkus's {@code security-scheme=jwt} would claim {@code bearerFormat: JWT}).
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ProblemDocument implements OASFilter {
    /** The name the routes' {@code @SecurityRequirement} refers to. */
    static final String SCHEME = "SecurityScheme";

    private static final String PROBLEM_REF = "#/components/schemas/Problem";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.components(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema("Problem", problemSchema());
        openAPI.getComponents().addSecurityScheme(SCHEME, bearerScheme());
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path :
                openAPI.getPaths().getPathItems().entrySet()) {
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Operation operation : path.getValue().getOperations().values()) {
                addErrorAnswers(operation);
            }
        }
    }

    private static void addErrorAnswers(Operation operation) {
        if (operation.getResponses() == null) {
            operation.responses(OASFactory.createAPIResponses());
        }
        boolean needsToken =
                operation.getSecurity() != null && !operation.getSecurity().isEmpty();
        if (needsToken) {
            operation
                    .getResponses()
                    .addAPIResponse("401", problem("no bearer token, or one whose SHA-256 is not listed"))
                    .addAPIResponse("403", problem("the token's role may not do this"))
                    .addAPIResponse("429", problem("too many unknown tokens from this address; see Retry-After"));
        }
        operation
                .getResponses()
                .addAPIResponse("4XX", problem("refused: detail says what is wrong, fix what to do"))
                .addAPIResponse("5XX", problem("control-service, Kafka or PostgreSQL failed; retry"));
    }

    private static APIResponse problem(String description) {
        Content content = OASFactory.createContent()
                .addMediaType(
                        Problem.MEDIA_TYPE,
                        OASFactory.createMediaType()
                                .schema(OASFactory.createSchema().ref(PROBLEM_REF)));
        return OASFactory.createAPIResponse().description(description).content(content);
    }

    /** The members of {@link Problem}; ProblemDocumentTest checks that they match the record's. */
    private static Schema problemSchema() {
        return OASFactory.createSchema()
                .addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details (application/problem+json) with the extension members reason"
                        + " and fix. Clients switch on reason (or type); error repeats detail for one release"
                        + " (deprecated).")
                .required(List.of("type", "title", "status", "detail", "reason", "fix"))
                .addProperty(
                        "type",
                        string("/problems/<reason>, relative to the server: a page explaining the reason")
                                .format("uri-reference")
                                .example("/problems/bad-limit"))
                .addProperty(
                        "title",
                        string("short, the same for every problem of the reason")
                                .example("Page size out of range"))
                .addProperty(
                        "status",
                        OASFactory.createSchema()
                                .addType(Schema.SchemaType.INTEGER)
                                .description("the HTTP status")
                                .example(400))
                .addProperty(
                        "detail",
                        string("what failed, for a person: which host, deployment, field or value")
                                .example("limit 0 is out of range"))
                .addProperty("instance", string("the request's path").example("/api/deployments"))
                .addProperty(
                        "reason",
                        string("stable kebab-case code; the list is in docs/control-service.md")
                                .example("bad-limit"))
                .addProperty("fix", string("what to do about it").example("use a limit from 1 to 500"))
                .addProperty(
                        "error",
                        string("the same as detail; deprecated, removed in the next release")
                                .deprecated(true));
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }

    private static SecurityScheme bearerScheme() {
        return OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .description("An opaque token (not a JWT) in 'Authorization: Bearer <token>'. control-service keeps"
                        + " only each token's SHA-256 (HANDOFF_AUTH_TOKENS: name:role:sha256) and compares the hash of"
                        + " the presented token; roles are viewer (read) and operator (also replay, approve, trust,"
                        + " redeploy). See docs/security.md.");
    }
}
