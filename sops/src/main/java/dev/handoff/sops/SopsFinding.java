package dev.handoff.sops;

/**
 * One problem found in a SOPS file. Names the file, a key path or a recipient; never a value.
 *
 * @param code stable kebab-case code, e.g. {@code unencrypted-value}, {@code mac-mismatch}
 * @param subject what it is about: {@code <file>} or {@code <file>#<key/path>}
 * @param message what is wrong and what to do, for a person
 */
public record SopsFinding(String code, String subject, String message) {}
