package io.tsfleet.coordinator.persistence;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.tsfleet.coordinator.domain.state.AssignmentStore.StoreConflictException;
import io.tsfleet.coordinator.domain.state.AssignmentStore.StoreException;
import io.tsfleet.coordinator.kubernetes.MockApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against the fabric8 mock API server in CRUD mode. */
class ConfigMapAssignmentStoreTest {
    private MockApiServer server;
    private KubernetesClient client;

    @BeforeEach
    void start() {
        server = new MockApiServer();
        client = server.client();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createsTheConfigMapThenUpdatesItAndReadsTheLatest() {
        ConfigMapAssignmentStore store = new ConfigMapAssignmentStore(client, "fleet", "coordinator-state");
        assertThat(store.load()).isEmpty();

        store.save(Snapshots.sample(10));
        store.save(Snapshots.sample(11));

        assertThat(store.load()).contains(Snapshots.sample(11));
        ConfigMap cm = client.configMaps().inNamespace("fleet").withName("coordinator-state").get();
        assertThat(cm.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "coordinator");
        assertThat(new ConfigMapAssignmentStore(client, "fleet", "coordinator-state").load()).contains(Snapshots.sample(11));
    }

    @Test
    void aWriterThatDidNotReadTheLatestVersionIsRefusedWithAConflictAndOverwritesNothing() {
        ConfigMapAssignmentStore deposed = new ConfigMapAssignmentStore(client, "fleet", "coordinator-state");
        ConfigMapAssignmentStore successor = new ConfigMapAssignmentStore(client, "fleet", "coordinator-state");
        deposed.load();
        deposed.save(Snapshots.sample(10));
        assertThat(successor.load()).contains(Snapshots.sample(10));
        successor.save(Snapshots.sample(20));

        // the deposed leader still believes it leads: its write is refused, the successor's assignment stays
        assertThatThrownBy(() -> deposed.save(Snapshots.sample(11))).isInstanceOf(StoreConflictException.class)
                .hasMessageContaining("written by someone else");
        assertThat(successor.load()).contains(Snapshots.sample(20));
        successor.save(Snapshots.sample(21));
        assertThat(new ConfigMapAssignmentStore(client, "fleet", "coordinator-state").load()).contains(Snapshots.sample(21));

        // two first writers: the second create is a conflict too
        ConfigMapAssignmentStore one = new ConfigMapAssignmentStore(client, "fleet", "other-state");
        ConfigMapAssignmentStore two = new ConfigMapAssignmentStore(client, "fleet", "other-state");
        assertThat(one.load()).isEmpty();
        assertThat(two.load()).isEmpty();
        one.save(Snapshots.sample(5));
        assertThatThrownBy(() -> two.save(Snapshots.sample(6))).isInstanceOf(StoreConflictException.class);
        assertThat(one.load()).contains(Snapshots.sample(5));
    }

    @Test
    void aConfigMapWithGarbageIsAClearError() {
        client.configMaps().inNamespace("fleet").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata().withName("coordinator-state").endMetadata()
                .withData(Map.of(ConfigMapAssignmentStore.KEY, "not json")).build()).create();
        ConfigMapAssignmentStore store = new ConfigMapAssignmentStore(client, "fleet", "coordinator-state");

        assertThatThrownBy(store::load).isInstanceOf(StoreException.class).hasMessageContaining("fleet/coordinator-state");
    }
}
