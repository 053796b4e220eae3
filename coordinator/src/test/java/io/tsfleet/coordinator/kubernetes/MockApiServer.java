package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

import java.util.HashMap;

/**
 * The fabric8 mock API server in CRUD mode, with a client on the JDK HTTP client, the one the service uses (the
 * mock server brings the Vert.x client onto the test classpath too).
 */
public final class MockApiServer implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public MockApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient(new JdkHttpClientFactory());
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
