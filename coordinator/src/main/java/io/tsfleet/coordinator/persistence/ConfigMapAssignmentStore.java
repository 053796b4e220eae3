package io.tsfleet.coordinator.persistence;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tsfleet.coordinator.domain.state.AssignmentSnapshot;
import io.tsfleet.coordinator.domain.state.AssignmentStore;

import java.util.Optional;

/**
 * Persists the assignment in a ConfigMap (key {@value #KEY}), so that a coordinator pod rescheduled to another
 * node, or a newly elected leader, recovers it. Only the leader writes, and only over what it read: every write is
 * an update with the {@code resourceVersion} of the last read or write as precondition (a create when there was no
 * ConfigMap), so a deposed leader that still believes it leads cannot overwrite its successor's assignment; the API
 * server answers 409 Conflict, which is thrown as {@link StoreConflictException}.
 */
public final class ConfigMapAssignmentStore implements AssignmentStore {
    public static final String KEY = "assignment.json";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    /** The resourceVersion this instance last read or wrote; null when it found no ConfigMap. Guarded by {@code this}. */
    private String resourceVersion;
    private boolean loaded;

    public ConfigMapAssignmentStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public synchronized Optional<AssignmentSnapshot> load() {
        ConfigMap cm;
        try {
            cm = client.configMaps().inNamespace(namespace).withName(name).get();
        } catch (KubernetesClientException e) {
            throw new StoreException("cannot read ConfigMap " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
        resourceVersion = cm == null ? null : cm.getMetadata().getResourceVersion();
        loaded = true;
        if (cm == null || cm.getData() == null || !cm.getData().containsKey(KEY)) return Optional.empty();
        return Optional.of(SnapshotJson.read(cm.getData().get(KEY), "ConfigMap " + namespace + "/" + name));
    }

    @Override
    public synchronized void save(AssignmentSnapshot snapshot) {
        if (!loaded) load(); // a writer writes over what it read
        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withResourceVersion(resourceVersion)
                .addToLabels("app.kubernetes.io/component", "coordinator")
                .addToLabels("app.kubernetes.io/part-of", "taskstats-fleet")
                .endMetadata()
                .addToData(KEY, SnapshotJson.write(snapshot))
                .build();
        ConfigMap written;
        try {
            written = resourceVersion == null
                    ? client.configMaps().inNamespace(namespace).resource(cm).create()
                    : client.configMaps().inNamespace(namespace).resource(cm).update(); // resourceVersion set: a precondition
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                loaded = false; // read again before the next write
                throw new StoreConflictException("ConfigMap " + namespace + "/" + name + " was written by someone else since this "
                        + "coordinator read it (resourceVersion " + resourceVersion + "): another coordinator leads", e);
            }
            throw new StoreException("cannot write ConfigMap " + namespace + "/" + name + ": " + e.getMessage(), e);
        }
        resourceVersion = written.getMetadata().getResourceVersion();
    }

    @Override
    public String toString() {
        return "ConfigMap " + namespace + "/" + name;
    }
}
