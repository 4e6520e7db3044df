package dev.handoff.lab.world.oci;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The simulated cloud's reality: one instance with its primary VNIC and a data volume, kept in a properties file
 * ({@code <world>/cloud.properties}) so that the simulated OCI API (in the lab's JVM) and the stand-in {@code tofu}
 * (a process of its own) see the same values. Changing a value here is a change in "reality": the OCI API serves
 * it at once, while tofu's state keeps what the last apply wrote — that difference is drift.
 *
 * <p>Uses only the JDK: the stand-in tofu runs with the lab's classes alone.
 */
public final class LabCloud {
    public static final String REGION = "region";
    public static final String COMPARTMENT_ID = "compartment_id";
    public static final String AVAILABILITY_DOMAIN = "availability_domain";
    public static final String INSTANCE_ID = "instance_id";
    public static final String HOST_NAME = "host_name";
    public static final String SHAPE = "shape";
    public static final String VNIC_ID = "vnic_id";
    public static final String VNIC_ATTACHMENT_ID = "vnic_attachment_id";
    public static final String PRIVATE_IP = "private_ip";
    public static final String PUBLIC_IP = "public_ip";
    public static final String SUBNET_ID = "subnet_id";
    public static final String VCN_ID = "vcn_id";
    public static final String VOLUME_ID = "volume_id";
    public static final String VOLUME_ATTACHMENT_ID = "volume_attachment_id";
    public static final String VOLUME_DEVICE = "volume_device";
    public static final String ATTACHMENT_TYPE = "attachment_type";
    /** Items per page of the list calls when the client gives no {@code limit} (default 1: every list spans pages). */
    public static final String LIST_PAGE_SIZE = "list_page_size";
    /** A sensitive tofu output of the lab (the K3s cluster token); it must never leave tofu's state. */
    public static final String K3S_TOKEN = "k3s_token";

    private final Path file;

    private LabCloud(Path file) {
        this.file = file;
    }

    /** The lab cloud of {@code worldDir}, created with the lab's defaults (and a fresh K3s token) when absent. */
    public static LabCloud open(Path worldDir) {
        LabCloud cloud = new LabCloud(worldDir.resolve("cloud.properties"));
        if (!Files.exists(cloud.file)) {
            Map<String, String> values = new LinkedHashMap<>(defaults());
            byte[] token = new byte[24];
            new SecureRandom().nextBytes(token);
            values.put(K3S_TOKEN, "K10lab" + HexFormat.of().formatHex(token));
            cloud.write(values);
        }
        return cloud;
    }

    /** The lab's instance, as the lab inventory names it. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(REGION, "eu-frankfurt-1");
        d.put(COMPARTMENT_ID, "ocid1.compartment.oc1..lab");
        d.put(AVAILABILITY_DOMAIN, "Uocm:EU-FRANKFURT-1-AD-1");
        d.put(INSTANCE_ID, "ocid1.instance.oc1.eu-frankfurt-1.lab");
        d.put(HOST_NAME, "cloud-edge-1");
        d.put(SHAPE, "VM.Standard.A1.Flex");
        d.put(VNIC_ID, "ocid1.vnic.oc1.eu-frankfurt-1.labprimary");
        d.put(VNIC_ATTACHMENT_ID, "ocid1.vnicattachment.oc1.eu-frankfurt-1.labprimary");
        d.put(PRIVATE_IP, "10.20.1.23");
        d.put(PUBLIC_IP, "203.0.113.45");
        d.put(SUBNET_ID, "ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
        d.put(VCN_ID, "ocid1.vcn.oc1.eu-frankfurt-1.labedge");
        d.put(VOLUME_ID, "ocid1.volume.oc1.eu-frankfurt-1.labdata");
        d.put(VOLUME_ATTACHMENT_ID, "ocid1.volumeattachment.oc1.eu-frankfurt-1.labdata");
        d.put(VOLUME_DEVICE, "/dev/oracleoci/oraclevdb");
        d.put(ATTACHMENT_TYPE, "paravirtualized");
        d.put(LIST_PAGE_SIZE, "1");
        return d;
    }

    /** The properties file. */
    public Path file() {
        return file;
    }

    /** Every value, read from the file now. */
    public synchronized Map<String, String> values() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the lab cloud " + file, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> values.put(k, p.getProperty(k)));
        return values;
    }

    /** One value, if set. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(values().get(key));
    }

    /** Changes one value of reality, e.g. the instance's public IP (drift). */
    public synchronized void set(String key, String value) {
        Map<String, String> values = new LinkedHashMap<>(values());
        values.put(key, value);
        write(values);
    }

    private void write(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(
                        out,
                        "The lab's simulated OCI world; edit a value to change reality (see docs/infra-service.md)");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the lab cloud " + file, e);
        }
    }
}
