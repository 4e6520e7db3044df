package dev.handoff.control.ui;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Sends a browser that opens control-service's address to the deployment list page. */
@Path("/")
public class RootRedirect {
    @GET
    @Operation(hidden = true)
    public Response root() {
        return Response.seeOther(URI.create("/ui")).build();
    }
}
