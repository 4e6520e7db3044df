package dev.handoff.infra.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The secrets of an OCI config file's profile — the API signing key's lines and its pass phrase — which a provider
 * may echo in an error and which must then be masked. A config that cannot be read gives none (the read-back reports
 * the broken config on its own).
 */
final class OciKeySecrets {
    private static final Logger LOG = Logger.getLogger(OciKeySecrets.class);

    private OciKeySecrets() {}

    static Set<String> of(String configFile, String profile) {
        Set<String> secrets = new LinkedHashSet<>();
        Path config = Path.of(configFile.replaceFirst("^~", System.getProperty("user.home")));
        if (!Files.isRegularFile(config)) {
            return secrets;
        }
        try {
            String section = "";
            for (String raw : Files.readAllLines(config, StandardCharsets.UTF_8)) {
                String line = raw.strip();
                if (line.startsWith("[") && line.endsWith("]")) {
                    section = line.substring(1, line.length() - 1).strip();
                    continue;
                }
                int eq = line.indexOf('=');
                if (!section.equals(profile) || eq < 0 || line.startsWith("#")) {
                    continue;
                }
                String key = line.substring(0, eq).strip();
                String value = line.substring(eq + 1).strip();
                if (key.equals("pass_phrase")) {
                    secrets.add(value);
                } else if (key.equals("key_file")) {
                    secrets.addAll(keyLines(
                            config.resolveSibling(Path.of(value.replaceFirst("^~", System.getProperty("user.home"))))));
                }
            }
        } catch (IOException e) {
            LOG.debugf("cannot read %s for its secrets: %s", config, e.getMessage());
        }
        return secrets;
    }

    private static List<String> keyLines(Path key) throws IOException {
        if (!Files.isRegularFile(key)) {
            return List.of();
        }
        return Files.readAllLines(key, StandardCharsets.US_ASCII).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("-----"))
                .toList();
    }
}
