package dev.handoff.bench.hostile;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hostile kubeconfigs, as read from a host over SFTP: a valid inline one whose client key data is the planted secret,
 * then {@code exec} plugins, auth providers, file references, passwords, proxies, insecure TLS, missing or dangling
 * contexts, wrong types, and seeded edits.
 */
public final class KubeconfigInputs {
    static final String VALID = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: default
              cluster:
                server: https://127.0.0.1:6443
                certificate-authority-data: Q0EtREFUQQ==
            users:
            - name: default
              user:
                client-certificate-data: Q0VSVC1EQVRB
                client-key-data: %s
            contexts:
            - name: default
              context: {cluster: default, user: default}
            current-context: default
            """.formatted(PlantedSecret.BASE64);

    private static final List<String> USER_FIELDS = List.of(
            "exec: {command: /bin/sh, args: [-c, 'touch /tmp/handoff-pwned'], apiVersion: client.authentication.k8s.io/v1}",
            "auth-provider: {name: oidc, config: {cmd-path: /bin/sh}}",
            "tokenFile: /var/run/secrets/token",
            "token-file: ../../etc/shadow",
            "client-certificate: /etc/ssl/private/cert.pem",
            "client-key: /root/.ssh/id_ed25519",
            "username: admin",
            "password: " + PlantedSecret.VALUE,
            "token: " + PlantedSecret.VALUE,
            "token: [a, b]",
            "client-key-data: {x: 1}");

    private static final List<String> CLUSTER_FIELDS = List.of(
            "certificate-authority: /etc/ssl/certs/ca.pem",
            "proxy-url: http://attacker.test:3128",
            "insecure-skip-tls-verify: true",
            "server: file:///etc/passwd",
            "server: ''",
            "server: [https://a]",
            "tls-server-name: \"\\0\"");

    private KubeconfigInputs() {}

    /** {@code count} kubeconfigs, the same for the same seed. */
    public static List<Hostile<String>> generate(long seed, int count) {
        Random random = new Random(seed);
        List<Hostile<String>> out = new ArrayList<>(Mutations.classicDocuments());
        out.add(new Hostile<>("valid", VALID));
        for (String field : USER_FIELDS) {
            out.add(new Hostile<>("user " + field.substring(0, field.indexOf(':')), addUser(VALID, field)));
        }
        for (String field : CLUSTER_FIELDS) {
            out.add(new Hostile<>("cluster " + field.substring(0, field.indexOf(':')), addCluster(VALID, field)));
        }
        out.add(new Hostile<>("no current-context", VALID.replace("current-context: default", "")));
        out.add(new Hostile<>("dangling context", VALID.replace("current-context: default", "current-context: nope")));
        out.add(new Hostile<>("context list is a map", VALID.replace("contexts:\n-", "contexts:\n  x:")));
        out.add(new Hostile<>("alias bomb", VALID + Mutations.billionLaughs().replace("a:", "x-a:")));
        out.add(new Hostile<>(
                "duplicate users",
                VALID.replace("users:\n", "users:\n- name: default\n  user: {exec: {command: sh}}\n")));
        while (out.size() < count) {
            switch (random.nextInt(4)) {
                case 0 -> out.add(new Hostile<>("edited", Mutations.mutate(VALID, random)));
                case 1 ->
                    out.add(new Hostile<>(
                            "user field", addUser(VALID, USER_FIELDS.get(random.nextInt(USER_FIELDS.size())))));
                case 2 ->
                    out.add(new Hostile<>(
                            "cluster field",
                            addCluster(VALID, CLUSTER_FIELDS.get(random.nextInt(CLUSTER_FIELDS.size())))));
                default -> {
                    String nasty = InventoryInputs.yamlString(Mutations.nasty(random));
                    String[] targets = {
                        "name: default",
                        "server: https://127.0.0.1:6443",
                        "current-context: default",
                        "cluster: default",
                        "client-certificate-data: Q0VSVC1EQVRB"
                    };
                    String target = targets[random.nextInt(targets.length)];
                    out.add(new Hostile<>(
                            "value " + LogCapture.shorten(nasty),
                            VALID.replace(target, target.substring(0, target.indexOf(':') + 1) + " " + nasty)));
                }
            }
        }
        return out;
    }

    private static String addUser(String kubeconfig, String field) {
        return kubeconfig.replace("    client-certificate-data:", "    " + field + "\n    client-certificate-data:");
    }

    private static String addCluster(String kubeconfig, String field) {
        return kubeconfig
                .replace("    server: https://", "    " + field + "\n    server2: https://")
                .replace("server2:", field.startsWith("server:") ? "x-server:" : "server:");
    }
}
