/**
 * A SOPS codec in Java for age-encrypted YAML and JSON files, without the {@code sops} binary: it reads a file into
 * an ordered tree, checks its structure against the file's own encryption rules, decrypts the data key with an age
 * identity (jagged), verifies every value and the MAC, and encrypts new files the way {@code sops} does.
 *
 * <p>Invariant: no plaintext value leaves this package except through {@link dev.handoff.sops.SopsDecryption#values},
 * which exists for tests and tools that must see values. Every finding, exception message and {@code toString}
 * names files, key paths and recipients only, never a value, and never quotes the input (parser messages are
 * reduced to a problem and a line).
 */
package dev.handoff.sops;
