package dev.handoff.lab.world;

import dev.handoff.lab.LabDatabase;
import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.oci.OciApiKey;
import dev.handoff.lab.world.oci.SimulatedOciApi;
import dev.handoff.lab.world.tofu.TofuFaults;
import dev.handoff.lab.world.tofu.TofuWorld;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The world infra-service works in, in the lab: the simulated cloud ({@link LabCloud}), the simulated OCI API
 * signed with a generated key ({@link SimulatedOciApi}, {@link OciApiKey}), the stand-in {@code tofu}
 * ({@link TofuWorld}) with its faults ({@link TofuFaults}), and the off-machine folder state archives are copied to.
 *
 * <p>Layout under its root: {@code world/} (cloud.properties, tofu-faults.properties, bin/tofu, oci/config,
 * oci/oci_api_key.pem), {@code infra/} (infra-service's work and state folders), {@code offsite/state-archives/}.
 */
public final class InfraWorld implements AutoCloseable {
    private static InfraWorld shared;

    private final Path root;
    private final LabCloud cloud;
    private final OciApiKey key;
    private final SimulatedOciApi oci;
    private final TofuFaults faults;
    private final Path tofu;

    private InfraWorld(Path root, LabCloud cloud, OciApiKey key, SimulatedOciApi oci, TofuFaults faults, Path tofu) {
        this.root = root;
        this.cloud = cloud;
        this.key = key;
        this.oci = oci;
        this.faults = faults;
        this.tofu = tofu;
    }

    /** Creates (or reuses) the world under {@code root} and starts the OCI API on {@code ociPort} (0: any). */
    public static InfraWorld start(Path root, int ociPort) {
        Path world = root.resolve("world");
        LabCloud cloud = LabCloud.open(world);
        OciApiKey key = OciApiKey.open(world.resolve("oci"), cloud.values().get(LabCloud.REGION));
        SimulatedOciApi oci = SimulatedOciApi.start(ociPort, cloud, key);
        TofuFaults faults = new TofuFaults(world);
        Path tofu = TofuWorld.install(world);
        return new InfraWorld(root, cloud, key, oci, faults, tofu);
    }

    /** One world per JVM for tests, in a temporary folder, stopped with the JVM. */
    public static synchronized InfraWorld shared() {
        if (shared == null) {
            try {
                shared = start(Files.createTempDirectory("handoff-infra-world"), 0);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary folder for the infra world", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "infra-world-stop"));
        }
        return shared;
    }

    /** Back to the lab's defaults: reality as the lab inventory describes it, no faults. */
    public void reset() {
        LabCloud.defaults().forEach(cloud::set);
        faults.clearAll();
    }

    public LabCloud cloud() {
        return cloud;
    }

    public TofuFaults faults() {
        return faults;
    }

    public SimulatedOciApi oci() {
        return oci;
    }

    public OciApiKey key() {
        return key;
    }

    /** The stand-in tofu executable. */
    public Path tofu() {
        return tofu;
    }

    /** The lab's off-machine destination for state archives. */
    public Path archiveDestination() {
        return root.resolve("offsite").resolve("state-archives");
    }

    /** The world folder ({@code HANDOFF_LAB_WORLD} of the stand-in tofu). */
    public Path worldDir() {
        return root.resolve("world");
    }

    /**
     * infra-service's configuration for this world, as environment variables, with its work and state folders
     * under {@code serviceDir}.
     */
    public Map<String, String> serviceEnvironment(Path serviceDir) {
        Map<String, String> env = new LinkedHashMap<>();
        configuration(serviceDir)
                .forEach((k, v) -> env.put(
                        k.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        return env;
    }

    /**
     * infra-service's configuration for this world, as environment variables, with tofu's {@code pg} backend in
     * {@code tofuDatabase} (see {@link #configuration(Path, LabDatabase)}).
     */
    public Map<String, String> serviceEnvironment(Path serviceDir, LabDatabase tofuDatabase) {
        Map<String, String> env = new LinkedHashMap<>();
        configuration(serviceDir, tofuDatabase)
                .forEach((k, v) -> env.put(
                        k.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'), v));
        return env;
    }

    /**
     * infra-service's configuration for this world, with {@code PG_CONN_STR} for stacks whose backend is {@code pg}
     * pointing at {@code tofuDatabase}: written to {@code <serviceDir>/tofu.env}, the file
     * {@code handoff.infra.tofu.env-file} names (as an operator would mount it from a secret).
     */
    public Map<String, String> configuration(Path serviceDir, LabDatabase tofuDatabase) {
        Map<String, String> config = configuration(serviceDir);
        Path envFile = serviceDir.resolve("tofu.env");
        try {
            Files.createDirectories(serviceDir);
            Files.writeString(
                    envFile,
                    "# tofu's environment for stacks with backend \"pg\" (lab database " + tofuDatabase.name() + ")\n"
                            + "PG_CONN_STR=" + pgConnStr(tofuDatabase) + "\n",
                    StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(
                    envFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + envFile, e);
        }
        config.put("handoff.infra.tofu.env-file", envFile.toString());
        return config;
    }

    /**
     * The lib/pq connection string OpenTofu's {@code pg} backend takes for a lab database ({@code sslmode=disable}:
     * lib/pq asks for TLS by default, which a local server does not offer).
     */
    public static String pgConnStr(LabDatabase database) {
        String hostPortDb =
                database.jdbcUrl().replaceFirst("^jdbc:postgresql://", "").replaceFirst("\\?.*$", "");
        String user = java.net.URLEncoder.encode(database.username(), StandardCharsets.UTF_8);
        String password = database.password() == null || database.password().isEmpty()
                ? ""
                : ":" + java.net.URLEncoder.encode(database.password(), StandardCharsets.UTF_8);
        return "postgres://" + user + password + "@" + hostPortDb + "?sslmode=disable";
    }

    /** infra-service's configuration for this world, as config properties. */
    public Map<String, String> configuration(Path serviceDir) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("handoff.infra.tofu.binary", tofu.toString());
        config.put("handoff.infra.oci.config-file", key.configFile().toString());
        config.put("handoff.infra.oci.endpoint", oci.endpoint());
        config.put("handoff.infra.archive.destination", archiveDestination().toString());
        config.put("handoff.infra.work-dir", serviceDir.resolve("work").toString());
        config.put("handoff.infra.state-dir", serviceDir.resolve("state").toString());
        return config;
    }

    /** The infra-service folder of the lab: {@code <root>/infra}. */
    public Path serviceDir() {
        return root.resolve("infra");
    }

    @Override
    public void close() {
        oci.close();
    }
}
