package dev.handoff.common.event.v1;

import java.util.regex.Pattern;

/**
 * A decision to trust a host's SSH host key ({@code handoff.host-key.trusted}), on the compacted topic
 * {@code handoff.host-keys} (key = host). converge-service writes one when it pins a host at its first bootstrap;
 * control-service writes one for an operator's {@code handoffctl hosts trust}. Readers apply them in offset order: an
 * {@code operator} record replaces the pin, a {@code first-bootstrap} record is taken only when there is none.
 *
 * @param host the inventory host (or {@code build-host:<address>} for converge's build host); also the Kafka key
 * @param keyType e.g. {@code ssh-ed25519}; absent when an operator gave only the fingerprint
 * @param fingerprint {@code SHA256:} and 43 base64 characters, as {@code ssh-keygen -l} prints it
 * @param publicKey the base64 public key blob, as in known_hosts; absent when only the fingerprint is known
 * @param source {@code first-bootstrap} or {@code operator}
 * @param decidedBy the operator token's name, or the service that pinned
 * @param reason the operator's reason, if given
 */
public record HostKeyTrusted(
        String host,
        String keyType,
        String fingerprint,
        String publicKey,
        String source,
        String decidedBy,
        String reason) {

    /** Written by converge-service at a host's first bootstrap. */
    public static final String FIRST_BOOTSTRAP = "first-bootstrap";

    /** Written by control-service for an operator's decision. */
    public static final String OPERATOR = "operator";

    /** What {@code ssh-keygen -l} prints for a key's SHA-256 fingerprint. */
    public static final Pattern FINGERPRINT = Pattern.compile("^SHA256:[A-Za-z0-9+/]{43}$");

    /** The prefix of the pin of converge-service's build host, which is not an inventory host. */
    public static final String BUILD_HOST_PREFIX = "build-host:";
}
