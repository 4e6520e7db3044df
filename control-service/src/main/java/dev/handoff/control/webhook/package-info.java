/**
 * Forgejo webhook ingress ({@code /hooks/forgejo}). It takes no bearer token: every delivery must carry Forgejo's
 * HMAC-SHA256 signature over its exact body, checked before anything is parsed; how many bodies are read at once,
 * and how large, is bounded before the signature can be checked ({@code WebhookIntake}).
 */
@PublicEndpoint("a delivery must carry Forgejo's HMAC-SHA256 signature of its body, which the resource checks")
package dev.handoff.control.webhook;

import dev.handoff.control.security.PublicEndpoint;
