package dev.handoff.infra.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.handoff.common.event.v1.CloudFacts.VolumeAttachment;
import dev.handoff.infra.stage.ObservedInstance;
import dev.handoff.infra.stage.StageFailure;
import dev.handoff.lab.world.InfraWorld;
import dev.handoff.lab.world.oci.LabCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real oci-java-sdk clients against the lab's simulated OCI API, which only answers signed requests. */
class OciCloudReaderTest {
    private final InfraWorld world = InfraWorld.shared();
    private OciCloudReader reader;

    @BeforeEach
    void clients() throws Exception {
        world.reset();
        reader = OciCloudReader.create(
                world.key().configFile().toString(),
                "DEFAULT",
                Optional.of(world.oci().endpoint()),
                Duration.ofSeconds(10));
    }

    @AfterEach
    void close() {
        reader.close();
        world.reset();
    }

    @Test
    void readsTheInstanceItsPrimaryVnicAndItsVolumeThroughSignedRequests() throws Exception {
        // Given
        int refusedBefore = world.oci().refusedRequests();

        // When
        ObservedInstance observed = reader.read("ocid1.instance.oc1.eu-frankfurt-1.lab");

        // Then
        assertThat(observed.instanceId()).isEqualTo("ocid1.instance.oc1.eu-frankfurt-1.lab");
        assertThat(observed.region()).isEqualTo("eu-frankfurt-1");
        assertThat(observed.lifecycleState()).isEqualTo("RUNNING");
        assertThat(observed.privateIp()).isEqualTo("10.20.1.23");
        assertThat(observed.publicIp()).isEqualTo("203.0.113.45");
        assertThat(observed.subnetId()).isEqualTo("ocid1.subnet.oc1.eu-frankfurt-1.labpublic");
        assertThat(observed.volumes())
                .containsExactly(new VolumeAttachment(
                        "ocid1.volume.oc1.eu-frankfurt-1.labdata", "/dev/oracleoci/oraclevdb", "paravirtualized"));
        assertThat(world.oci().refusedRequests()).isEqualTo(refusedBefore);
    }

    @Test
    void anInstanceInARegionTheApiNamesByItsShortCodeIsReportedUnderItsRegionName() throws Exception {
        // Given: OCI reports Instance.region as "iad" for us-ashburn-1 (and "phx" for us-phoenix-1)
        world.cloud().set(LabCloud.REGION, "us-ashburn-1");

        // When
        ObservedInstance observed = reader.read("ocid1.instance.oc1.eu-frankfurt-1.lab");

        // Then: the same name handoff.yaml and tofu's region output use, so no false region drift
        assertThat(observed.region()).isEqualTo("us-ashburn-1");
        assertThat(OciRegions.canonical("IAD")).isEqualTo("us-ashburn-1");
        assertThat(OciRegions.canonical("phx")).isEqualTo("us-phoenix-1");
        assertThat(OciRegions.canonical("fra")).isEqualTo("eu-frankfurt-1");
        assertThat(OciRegions.canonical("xx-newregion-1")).isEqualTo("xx-newregion-1");
    }

    @Test
    void readsEveryPageOfTheAttachmentListsAndSkipsDetachedAttachments() throws Exception {
        // Given: each list holds two detached attachments before the current one, one item per page
        world.cloud().set(LabCloud.LIST_PAGE_SIZE, "1");
        int servedBefore = world.oci().servedRequests();

        // When
        ObservedInstance observed = reader.read("ocid1.instance.oc1.eu-frankfurt-1.lab");

        // Then: the attached VNIC and volume, which only the third page of each list holds
        assertThat(observed.privateIp()).isEqualTo("10.20.1.23");
        assertThat(observed.volumes())
                .extracting(VolumeAttachment::volumeId)
                .containsExactly("ocid1.volume.oc1.eu-frankfurt-1.labdata");
        // instance + 3 pages of VNIC attachments + the attached VNIC + 3 pages of volume attachments
        assertThat(world.oci().servedRequests() - servedBefore).isEqualTo(8);
    }

    @Test
    void seesAChangedIpAtOnce() throws Exception {
        // Given
        world.cloud().set(LabCloud.PUBLIC_IP, "203.0.113.99");

        // When
        ObservedInstance observed = reader.read("ocid1.instance.oc1.eu-frankfurt-1.lab");

        // Then
        assertThat(observed.publicIp()).isEqualTo("203.0.113.99");
    }

    @Test
    void anUnknownInstanceIsAFailureThatNamesIt() {
        // When
        StageFailure failure =
                catchThrowableOfType(StageFailure.class, () -> reader.read("ocid1.instance.oc1.eu-frankfurt-1.gone"));

        // Then
        assertThat(failure.reason()).isEqualTo("instance-not-found");
        assertThat(failure.getMessage()).contains("ocid1.instance.oc1.eu-frankfurt-1.gone");
    }

    @Test
    void theSimulatedApiRefusesUnsignedAndWronglySignedRequests() throws Exception {
        // Given
        HttpClient http = HttpClient.newHttpClient();
        URI uri = URI.create(world.oci().endpoint() + "/20160918/instances/ocid1.instance.oc1.eu-frankfurt-1.lab");

        // When
        HttpResponse<String> unsigned =
                http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> forged = http.send(
                HttpRequest.newBuilder(uri)
                        .header("Date", "Tue, 25 Nov 2026 10:00:00 GMT")
                        .header(
                                "Authorization",
                                "Signature version=\"1\",keyId=\"" + world.key().keyId()
                                        + "\",algorithm=\"rsa-sha256\",headers=\"date (request-target) host\","
                                        + "signature=\"AAAA\"")
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // Then
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("NotAuthenticated").contains("not signed");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(forged.body()).contains("does not verify");
    }
}
