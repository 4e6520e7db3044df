/**
 * The event contract as an AsyncAPI 3.0 document, generated from the contract's one source ({@code EventType},
 * {@code Topics}, the JSON Schemas and samples) when {@code common} is built: {@code /asyncapi.yaml} on the classpath,
 * which control-service serves. Nothing here is written by hand, so the document cannot drift from the code.
 */
package dev.handoff.common.asyncapi;
