/**
 * The event contract as control-service publishes it: the AsyncAPI document and the JSON Schemas that events'
 * {@code dataschema} URIs name. Read from {@code common}'s classes, never copied.
 */
@PublicEndpoint("the event contract holds no secret and no state: consumers of other teams read it without a token")
package dev.handoff.control.contract;

import dev.handoff.control.security.PublicEndpoint;
