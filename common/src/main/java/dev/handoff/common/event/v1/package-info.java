/**
 * Version 1 of every event payload. Within v1 only optional fields may be added; a breaking change is a new
 * package {@code v2} plus an upcaster from v1, and every v1 sample stays readable.
 */
package dev.handoff.common.event.v1;
