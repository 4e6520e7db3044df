package dev.handoff.control.unruled;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** A route that forgot its access rule (test code only): control-service must refuse it to everyone. */
@Path("/test/unruled")
public class UnruledResource {
    @GET
    public String secrets() {
        return "anyone can read this";
    }
}
