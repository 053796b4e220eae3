package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.util.OptionalInt;

/** Scales the listener Deployment through its scale subresource. */
public final class KubernetesDeploymentScaler implements ReplicaScaler {
    private final KubernetesClient client;
    private final String namespace;
    private final String deployment;

    public KubernetesDeploymentScaler(KubernetesClient client, String namespace, String deployment) {
        this.client = client;
        this.namespace = namespace;
        this.deployment = deployment;
    }

    @Override
    public OptionalInt currentReplicas() {
        Scale scale = client.apps().deployments().inNamespace(namespace).withName(deployment).scale();
        if (scale == null || scale.getSpec() == null || scale.getSpec().getReplicas() == null) return OptionalInt.empty();
        return OptionalInt.of(scale.getSpec().getReplicas());
    }

    @Override
    public void scale(int replicas) {
        client.apps().deployments().inNamespace(namespace).withName(deployment).scale(replicas);
    }

    @Override
    public String describe() {
        return "Deployment " + namespace + "/" + deployment;
    }
}
