package dev.handoff.infra.driver;

import com.oracle.bmc.Region;
import java.util.Locale;

/**
 * Region names as the OCI SDK maps them. The API reports some regions by their short code ({@code Instance.region} is
 * {@code iad} for us-ashburn-1 and {@code phx} for us-phoenix-1), so two names are compared only after both went
 * through the SDK's {@link Region} table.
 */
public final class OciRegions {
    private OciRegions() {}

    /**
     * The region identifier (e.g. {@code us-ashburn-1}) for an identifier or short code ({@code iad}, {@code IAD});
     * a name the SDK does not know (a region newer than it) is returned lower-cased as it is.
     */
    public static String canonical(String regionCodeOrId) {
        if (regionCodeOrId == null || regionCodeOrId.isBlank()) {
            return regionCodeOrId;
        }
        String name = regionCodeOrId.strip().toLowerCase(Locale.ROOT);
        try {
            return Region.fromRegionCodeOrId(name).getRegionId();
        } catch (IllegalArgumentException e) {
            return name;
        }
    }
}
