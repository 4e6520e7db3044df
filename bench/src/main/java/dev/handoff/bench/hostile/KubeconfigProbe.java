package dev.handoff.bench.hostile;

import dev.handoff.workload.stage.InlineKubeconfig;

/**
 * A kubeconfig → workload-service's {@link InlineKubeconfig#read}: {@code Refused} ({@code kubeconfig-refused}, naming
 * the field) and {@code Invalid} are refusals. An accepted kubeconfig's {@code toString} (what a log line would show)
 * must not hold its key data.
 */
public final class KubeconfigProbe implements Probe<String> {
    @Override
    public Verdict probe(String kubeconfig) {
        try {
            InlineKubeconfig read = InlineKubeconfig.read(kubeconfig);
            if (PlantedSecret.leaksIn(read.toString())) {
                return Verdict.escaped("secret-in-toString", read.toString());
            }
            return Verdict.accepted();
        } catch (InlineKubeconfig.Refused e) {
            return Verdict.refused("kubeconfig-refused: " + fieldKind(e.field()), e.getMessage());
        } catch (InlineKubeconfig.Invalid e) {
            return Verdict.refused("kubeconfig-invalid", e.getMessage());
        }
    }

    /** {@code users[default].user.exec} → {@code user.exec}: the kind of field, without the hostile name. */
    private static String fieldKind(String field) {
        int dot = field.indexOf("].");
        return dot < 0 ? field : field.substring(dot + 2);
    }
}
