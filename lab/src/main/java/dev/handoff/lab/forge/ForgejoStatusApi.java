package dev.handoff.lab.forge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The lab's Forgejo commit status API, answering as Forgejo's {@code /api/v1} does where Handoff depends on it:
 * {@code POST /repos/{owner}/{repo}/statuses/{sha}} takes {@code state}, {@code target_url}, {@code description} and
 * {@code context}, needs {@code Authorization: token …} (or {@code Bearer …}) and answers {@code 201} with the status,
 * whose state is in the field {@code status}; an unknown repository or commit is {@code 404}, an unknown state
 * {@code 422}, a missing or wrong token {@code 401}. {@code GET /repos/{owner}/{repo}/commits/{ref}/statuses} lists a
 * commit's statuses newest first, without a token as for a public repository. Statuses are kept in memory, and every request is remembered for tests.
 */
public final class ForgejoStatusApi implements AutoCloseable {
    /** The states Forgejo accepts ({@code modules/structs/commit_status.go}). */
    public static final Set<String> STATES = Set.of("pending", "success", "error", "failure", "warning");

    private static final Pattern POST = Pattern.compile("/api/v1/repos/([^/]+)/([^/]+)/statuses/([^/]+)");
    private static final Pattern LIST = Pattern.compile("/api/v1/repos/([^/]+)/([^/]+)/commits/([^/]+)/statuses");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9_.-]+");
    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

    /** One stored status. */
    public record Status(
            long id,
            String repository,
            String sha,
            String state,
            String context,
            String description,
            String targetUrl,
            OffsetDateTime created) {}

    private final HttpServer server;
    private final String token;
    private final BiPredicate<String, String> commitExists;
    private final List<Status> statuses = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean answering = true;

    /**
     * Starts the API on a free loopback port.
     *
     * @param token the token requests must carry
     * @param commitExists whether a repository ({@code owner/name}) has a commit; other repositories and commits are
     *     404 as in Forgejo
     */
    public ForgejoStatusApi(String token, BiPredicate<String, String> commitExists) throws IOException {
        this.token = token;
        this.commitExists = commitExists;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "lab-forgejo-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/v1/", this::handle);
        server.start();
    }

    /**
     * Whether the lab forge under {@code forgeDir} ({@code <owner>/<name>.git}) has a repository holding the commit:
     * the check the lab's API makes before taking a status, as Forgejo does. Names that are not plain names are no
     * repository.
     */
    public static BiPredicate<String, String> commitsOf(Path forgeDir) {
        return (repository, sha) -> {
            String[] parts = repository.split("/", -1);
            if (parts.length != 2
                    || !SHA.matcher(sha).matches()
                    || !NAME.matcher(parts[0]).matches()
                    || !NAME.matcher(parts[1]).matches()) {
                return false;
            }
            Path bare = forgeDir.resolve(parts[0]).resolve(parts[1] + ".git");
            if (!Files.isDirectory(bare)) {
                return false;
            }
            try (Repository git = new FileRepositoryBuilder()
                    .setGitDir(bare.toFile())
                    .setMustExist(true)
                    .build()) {
                return git.getObjectDatabase().has(ObjectId.fromString(sha));
            } catch (IOException | IllegalArgumentException e) {
                return false;
            }
        };
    }

    /** Forgejo's address, e.g. {@code http://127.0.0.1:41234}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Statuses of a commit, newest first. */
    public List<Status> statuses(String repository, String sha) {
        List<Status> out = new ArrayList<>();
        for (Status s : statuses) {
            if (s.repository().equals(repository) && s.sha().equals(sha)) {
                out.add(0, s);
            }
        }
        return out;
    }

    /** Every status posted, oldest first. */
    public List<Status> all() {
        return List.copyOf(statuses);
    }

    /** Requests answered so far (any path). */
    public long requests() {
        return requests.get();
    }

    /** Makes the API answer 503 to everything (Forgejo down for maintenance), or answer again. */
    public void answering(boolean answering) {
        this.answering = answering;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            if (!answering) {
                send(exchange, 503, message("Forgejo is under maintenance"));
                return;
            }
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            boolean signedIn = auth != null && (auth.equals("token " + token) || auth.equals("Bearer " + token));
            if (!signedIn && !exchange.getRequestMethod().equals("GET")) {
                send(exchange, 401, message("token is required"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            Matcher post = POST.matcher(path);
            Matcher list = LIST.matcher(path);
            if (exchange.getRequestMethod().equals("POST") && post.matches()) {
                create(exchange, post.group(1) + "/" + post.group(2), post.group(3));
            } else if (exchange.getRequestMethod().equals("GET") && list.matches()) {
                String repository = list.group(1) + "/" + list.group(2);
                ArrayNode out = JSON.createArrayNode();
                statuses(repository, list.group(3)).forEach(s -> out.add(json(s)));
                send(exchange, 200, out);
            } else {
                send(exchange, 404, message("not found"));
            }
        }
    }

    private void create(HttpExchange exchange, String repository, String sha) throws IOException {
        if (!commitExists.test(repository, sha)) {
            send(exchange, 404, message("The target couldn't be found."));
            return;
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in);
        } catch (IOException e) {
            send(exchange, 422, message("invalid JSON: " + e.getMessage()));
            return;
        }
        String state = body == null ? "" : body.path("state").asText("");
        if (!STATES.contains(state)) {
            send(exchange, 422, message("invalid state '" + state + "'"));
            return;
        }
        String context = body.path("context").asText("");
        Status status = new Status(
                ids.incrementAndGet(),
                repository,
                sha,
                state,
                context.isEmpty() ? "default" : context,
                body.path("description").asText(""),
                body.path("target_url").asText(""),
                OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS));
        statuses.add(status);
        send(exchange, 201, json(status));
    }

    private static ObjectNode json(Status s) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", s.id());
        n.put("status", s.state());
        n.put("target_url", s.targetUrl());
        n.put("description", s.description());
        n.put("context", s.context());
        n.put("created_at", s.created().toString());
        n.put("updated_at", s.created().toString());
        return n;
    }

    private static ObjectNode message(String text) {
        return JSON.createObjectNode().put("message", text);
    }

    private static void send(HttpExchange exchange, int code, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
