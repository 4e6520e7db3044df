package dev.handoff.lab.world.tofu;

import dev.handoff.lab.world.oci.LabCloud;
import dev.handoff.lab.world.tofu.Diagnostics.Diag;
import dev.handoff.lab.world.tofu.TofuFaults.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/** Carries out an approved plan: the provider calls (failing or hanging on demand), the new state, the summary. */
final class PlanApplication {
    private final TofuRun run;

    PlanApplication(TofuRun run) {
        this.run = run;
    }

    int apply(TofuConfig config, Plan plan, StateStorage storage, TofuState current, String raw)
            throws InterruptedException, IOException {
        TofuFaults faults = new TofuFaults(run.world);
        // the resource the faults act on: the first one with a change, in configuration order
        List<String> order =
                config.resources.stream().map(TofuConfig.Resource::address).toList();
        List<Plan.ResourceChange> inConfigOrder = plan.resourceChanges.stream()
                .filter(c -> order.contains(c.address()))
                .sorted(java.util.Comparator.comparingInt(c -> order.indexOf(c.address())))
                .toList();
        Plan.ResourceChange first = inConfigOrder.stream()
                .filter(c -> !c.noOp() && config.resource(c.address()).isPresent())
                .findFirst()
                .orElse(inConfigOrder.isEmpty() ? null : inConfigOrder.get(0));
        String firstAddress = first == null ? "oci_core_instance.unknown" : first.address();
        String firstId = first == null || !(first.before() instanceof Map<?, ?> m) || !(m.get("id") instanceof String s)
                ? firstAddress
                : s;
        if (faults.active(Fault.HANG_APPLY, run.stack())) {
            run.out.println(firstAddress + ": Modifying... [id=" + firstId + "]");
            run.out.flush();
            Process child = new ProcessBuilder("sleep", "3600").start();
            Files.writeString(run.world.resolve("tofu-hang.pid"), Long.toString(child.pid()), StandardCharsets.UTF_8);
            for (int elapsed = 10; ; elapsed += 10) {
                for (int i = 0; i < 10; i++) {
                    Thread.sleep(1000);
                }
                run.out.println(firstAddress + ": Still modifying... [id=" + firstId + ", " + elapsed + "s elapsed]");
                run.out.flush();
            }
        }
        if (faults.active(Fault.FAIL_APPLY, run.stack())) {
            // OpenTofu persists what it applied before the provider error: everything not depending on the failed one
            Planner planner =
                    new Planner(config, plan.variables, LabCloud.open(run.world).values(), false);
            TofuState partial = planner.apply(plan, run.out::println, firstAddress);
            StateAccess.persist(storage, current, raw, partial);
            Hcl.Range range = first == null
                    ? null
                    : config.resource(first.address())
                            .map(r -> r.block().defRange())
                            .orElse(null);
            run.diagnostics(
                    List.of(new Diag(
                            true,
                            "500-InternalError, Out of host capacity.",
                            "Suggestion: The service for this resource encountered an error. Please contact support for"
                                    + " help with service: Core Instance\nDocumentation:"
                                    + " https://registry.terraform.io/providers/oracle/oci/latest/docs/resources/core_instance\nOPC"
                                    + " request ID: 2f1e0c7a9b8d4e6f/lab",
                            range,
                            firstAddress)),
                    run.sources);
            // providers echo request bodies in errors: this one carries a sensitive value, which Handoff must mask
            run.err.println("Request body: {\"metadata\":{\"k3s_token\":\""
                    + LabCloud.open(run.world).values().getOrDefault(LabCloud.K3S_TOKEN, "") + "\"}}");
            return 1;
        }
        Planner planner =
                new Planner(config, plan.variables, LabCloud.open(run.world).values(), false);
        TofuState content = planner.apply(plan, run.out::println);
        TofuState written = StateAccess.persist(storage, current, raw, content);
        int added = 0;
        int changed = 0;
        int destroyed = 0;
        int imported = 0;
        for (Plan.ResourceChange c : plan.resourceChanges) {
            if (c.importingId() != null) {
                imported++;
            }
            if (c.actions().contains("create")) {
                added++;
            }
            if (c.actions().contains("delete")) {
                destroyed++;
            }
            if (c.actions().equals(List.of("update"))) {
                changed++;
            }
        }
        if (imported > 0) {
            run.out.println("\nApply complete! Resources: " + imported + " imported, " + added + " added, " + changed
                    + " changed, " + destroyed + " destroyed.");
        } else {
            run.out.println("\nApply complete! Resources: " + added + " added, " + changed + " changed, " + destroyed
                    + " destroyed.");
        }
        if (!written.outputs.isEmpty()) {
            run.out.print("\nOutputs:\n\n");
            run.out.println(OutputCommand.human(written));
        }
        return 0;
    }
}
