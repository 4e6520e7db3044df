/**
 * The operator API ({@code /api}): every route needs a bearer token; reading needs {@code viewer}, and routes that
 * change something say {@code @RequiresRole(Role.OPERATOR)} on their method. A new route here is readable by any
 * viewer unless it says otherwise.
 */
@RequiresRole(Role.VIEWER)
package dev.handoff.control.api;

import dev.handoff.control.security.RequiresRole;
import dev.handoff.control.security.Role;
