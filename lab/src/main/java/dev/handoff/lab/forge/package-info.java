/**
 * The lab's forge: bare Git repositories with working copies a person edits with ordinary Git, and the signed
 * Forgejo push webhook a push produces.
 *
 * <p>Invariants: repositories are created only when absent (a person's commits are never overwritten); a webhook body
 * is signed over the exact bytes sent.
 */
package dev.handoff.lab.forge;
