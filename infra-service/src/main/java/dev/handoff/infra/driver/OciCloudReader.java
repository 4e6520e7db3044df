package dev.handoff.infra.driver;

import com.oracle.bmc.ClientConfiguration;
import com.oracle.bmc.ConfigFileReader;
import com.oracle.bmc.auth.ConfigFileAuthenticationDetailsProvider;
import com.oracle.bmc.core.ComputeClient;
import com.oracle.bmc.core.VirtualNetworkClient;
import com.oracle.bmc.core.model.EmulatedVolumeAttachment;
import com.oracle.bmc.core.model.IScsiVolumeAttachment;
import com.oracle.bmc.core.model.Instance;
import com.oracle.bmc.core.model.ParavirtualizedVolumeAttachment;
import com.oracle.bmc.core.model.Vnic;
import com.oracle.bmc.core.model.VnicAttachment;
import com.oracle.bmc.core.model.VolumeAttachment;
import com.oracle.bmc.core.requests.GetInstanceRequest;
import com.oracle.bmc.core.requests.GetVnicRequest;
import com.oracle.bmc.core.requests.ListVnicAttachmentsRequest;
import com.oracle.bmc.core.requests.ListVolumeAttachmentsRequest;
import com.oracle.bmc.model.BmcException;
import com.oracle.bmc.retrier.RetryConfiguration;
import dev.handoff.common.event.v1.CloudFacts;
import dev.handoff.common.event.v1.StageFailed;
import dev.handoff.common.trace.DriverSpan;
import dev.handoff.common.trace.Tracing;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.StageFailure;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link CloudReader} for OCI with the oci-java-sdk (v3, Jersey 3 HTTP client): {@code ComputeClient.getInstance},
 * {@code listVnicAttachments} → {@code VirtualNetworkClient.getVnic} of the primary VNIC, and
 * {@code listVolumeAttachments}. Requests are signed with the API key of the OCI config file; the endpoint can be
 * set (the lab's simulated API), otherwise the region's.
 */
public final class OciCloudReader implements CloudReader, AutoCloseable {
    private final ComputeClient compute;
    private final VirtualNetworkClient network;
    private final String endpointDescription;

    private OciCloudReader(ComputeClient compute, VirtualNetworkClient network, String endpointDescription) {
        this.compute = compute;
        this.network = network;
        this.endpointDescription = endpointDescription;
    }

    /**
     * Clients for the profile of an OCI config file.
     *
     * @throws IOException when the config file or its key file cannot be read
     */
    public static OciCloudReader create(String configFile, String profile, Optional<String> endpoint, Duration timeout)
            throws IOException {
        ConfigFileReader.ConfigFile config = ConfigFileReader.parse(configFile, profile);
        ConfigFileAuthenticationDetailsProvider auth = new ConfigFileAuthenticationDetailsProvider(config);
        ClientConfiguration client = ClientConfiguration.builder()
                .connectionTimeoutMillis((int) timeout.toMillis())
                .readTimeoutMillis((int) timeout.toMillis())
                .retryConfiguration(RetryConfiguration.NO_RETRY_CONFIGURATION)
                .build();
        ComputeClient.Builder computeBuilder = ComputeClient.builder().configuration(client);
        VirtualNetworkClient.Builder networkBuilder =
                VirtualNetworkClient.builder().configuration(client);
        if (endpoint.isPresent()) {
            computeBuilder.endpoint(endpoint.get());
            networkBuilder.endpoint(endpoint.get());
        }
        return new OciCloudReader(
                computeBuilder.build(auth),
                networkBuilder.build(auth),
                endpoint.orElse("the OCI API of region " + config.get("region")));
    }

    @Override
    public ObservedInstance read(String instanceId) throws StageFailure {
        // one span for the instance's reads (instance, VNIC attachments, VNICs, volumes), a child of the stage's
        try (DriverSpan span = Tracing.driver("oci", "read instance")) {
            try {
                return readInstance(instanceId);
            } catch (StageFailure | RuntimeException e) {
                span.failed(e);
                throw e;
            }
        }
    }

    private ObservedInstance readInstance(String instanceId) throws StageFailure {
        String step = "GET /20160918/instances/" + instanceId;
        try {
            Instance instance = compute.getInstance(
                            GetInstanceRequest.builder().instanceId(instanceId).build())
                    .getInstance();
            String compartment = instance.getCompartmentId();
            step = "GET /20160918/vnicAttachments?instanceId=" + instanceId;
            // every page: an instance that had its VNIC or volume replaced lists the detached ones too
            Iterable<VnicAttachment> vnics = compute.getPaginators()
                    .listVnicAttachmentsRecordIterator(ListVnicAttachmentsRequest.builder()
                            .compartmentId(compartment)
                            .instanceId(instanceId)
                            .build());
            Vnic primary = null;
            for (VnicAttachment attachment : vnics) {
                if (attachment.getLifecycleState() != VnicAttachment.LifecycleState.Attached) {
                    continue;
                }
                step = "GET /20160918/vnics/" + attachment.getVnicId();
                Vnic vnic = network.getVnic(GetVnicRequest.builder()
                                .vnicId(attachment.getVnicId())
                                .build())
                        .getVnic();
                if (primary == null || Boolean.TRUE.equals(vnic.getIsPrimary())) {
                    primary = vnic;
                }
            }
            if (primary == null) {
                throw new StageFailure(
                        "no-vnic",
                        "instance " + instanceId + " has no attached VNIC, so it has no IP; check the instance in the"
                                + " OCI console",
                        false,
                        List.of(new StageFailed.Detail("no-vnic", instanceId, "no ATTACHED VNIC attachment")));
            }
            step = "GET /20160918/volumeAttachments?instanceId=" + instanceId;
            List<CloudFacts.VolumeAttachment> volumes = new ArrayList<>();
            for (VolumeAttachment v : compute.getPaginators()
                    .listVolumeAttachmentsRecordIterator(ListVolumeAttachmentsRequest.builder()
                            .compartmentId(compartment)
                            .instanceId(instanceId)
                            .build())) {
                if (v.getLifecycleState() == VolumeAttachment.LifecycleState.Attached) {
                    volumes.add(new CloudFacts.VolumeAttachment(v.getVolumeId(), v.getDevice(), attachmentType(v)));
                }
            }
            return new ObservedInstance(
                    instance.getId(),
                    OciRegions.canonical(instance.getRegion()),
                    compartment,
                    instance.getLifecycleState() == null
                            ? null
                            : instance.getLifecycleState().getValue(),
                    primary.getPrivateIp(),
                    primary.getPublicIp(),
                    primary.getSubnetId(),
                    volumes);
        } catch (BmcException e) {
            throw failure(instanceId, step, e);
        }
    }

    private StageFailure failure(String instanceId, String step, BmcException e) {
        List<StageFailed.Detail> details = List.of(new StageFailed.Detail(
                e.isTimeout() ? "timeout" : "http-" + e.getStatusCode(), step, oneLine(e.getMessage())));
        if (e.isTimeout() || e.getStatusCode() == -1) {
            return new StageFailure(
                    "provider-timeout",
                    "the OCI API (" + endpointDescription + ") did not answer while reading back instance " + instanceId
                            + "; run the stage again",
                    true,
                    details);
        }
        if (e.getStatusCode() == 401) {
            return new StageFailure(
                    "provider-auth",
                    "the OCI API refused the signed request for instance " + instanceId + " (401 " + e.getServiceCode()
                            + "); check the user, fingerprint and key_file of handoff.infra.oci.config-file",
                    false,
                    details);
        }
        if (e.getStatusCode() == 404) {
            return new StageFailure(
                    "instance-not-found",
                    "the OCI API does not know instance " + instanceId + " (or the key may not read it); check the"
                            + " instance_id output of the stack and the user's policies",
                    false,
                    details);
        }
        return new StageFailure(
                "provider-error",
                "the OCI API answered " + e.getStatusCode() + " " + e.getServiceCode() + " while reading back instance "
                        + instanceId + "; run the stage again, and check the OCI status page if it persists",
                e.getStatusCode() >= 500 || e.getStatusCode() == 429,
                details);
    }

    private static String attachmentType(VolumeAttachment v) {
        if (v instanceof ParavirtualizedVolumeAttachment) {
            return "paravirtualized";
        }
        if (v instanceof IScsiVolumeAttachment) {
            return "iscsi";
        }
        if (v instanceof EmulatedVolumeAttachment) {
            return "emulated";
        }
        return "service_determined";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        String line = s.lines().findFirst().orElse(s);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    @Override
    public void close() {
        compute.close();
        network.close();
    }
}
