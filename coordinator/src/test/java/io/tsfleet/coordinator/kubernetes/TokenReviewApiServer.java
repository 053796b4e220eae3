package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fabric8 mock API server in CRUD mode (Leases, ConfigMaps) that also answers TokenReviews like the real
 * API server: a registered token is authenticated as its service account and pod when the review asks for its
 * audience; any other token is not authenticated. {@link #failReviews(int)} makes it answer reviews with an error.
 */
public final class TokenReviewApiServer implements AutoCloseable {
    public static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

    private record Issued(String user, String pod, String audience, String node) {
    }

    private final Map<String, Issued> tokens = new ConcurrentHashMap<>();
    private final AtomicInteger reviews = new AtomicInteger();
    private volatile int failWith;
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public TokenReviewApiServer() {
        KubernetesCrudDispatcher dispatcher = new KubernetesCrudDispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if ("POST".equals(request.getMethod()) && request.getPath().startsWith(PATH)) return review(request);
                return super.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient(new JdkHttpClientFactory());
    }

    /** A projected token of {@code namespace/serviceAccount}, bound to {@code pod}, for {@code audience}. */
    public String issue(String namespace, String serviceAccount, String pod, String audience) {
        return issueOnNode(namespace, serviceAccount, pod, null, audience);
    }

    /** {@link #issue}, with the node the pod runs on ({@code authentication.kubernetes.io/node-name}, Kubernetes 1.30+). */
    public String issueOnNode(String namespace, String serviceAccount, String pod, String node, String audience) {
        String token = "eyJhbGciOiJSUzI1NiJ9." + java.util.UUID.randomUUID().toString().replace("-", "") + ".c2lnbmF0dXJl" + tokens.size();
        tokens.put(token, new Issued("system:serviceaccount:" + namespace + ":" + serviceAccount, pod, audience, node));
        return token;
    }

    /** Answer reviews with this HTTP status (0: answer them normally). */
    public void failReviews(int status) {
        this.failWith = status;
    }

    public int reviews() {
        return reviews.get();
    }

    public KubernetesClient client() {
        return client;
    }

    public String url() {
        return client.getConfiguration().getMasterUrl();
    }

    private MockResponse review(RecordedRequest request) {
        reviews.incrementAndGet();
        if (failWith != 0) {
            return new MockResponse().setResponseCode(failWith).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"code\":" + failWith + "}");
        }
        TokenReview review = Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
        Issued issued = tokens.get(review.getSpec().getToken());
        List<String> asked = review.getSpec().getAudiences();
        TokenReviewStatus status;
        if (issued == null || asked != null && !asked.isEmpty() && !asked.contains(issued.audience())) {
            status = new TokenReviewStatusBuilder().withAuthenticated(false).withError("[invalid bearer token, token audiences don't match]").build();
        } else {
            status = new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences(issued.audience())
                    .withNewUser().withUsername(issued.user()).withUid("uid-" + issued.pod())
                    .withGroups("system:serviceaccounts", "system:authenticated")
                    .withExtra(extra(issued))
                    .endUser().build();
        }
        review.setStatus(status);
        return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json").setBody(Serialization.asJson(review));
    }

    private static Map<String, List<String>> extra(Issued issued) {
        Map<String, List<String>> extra = new HashMap<>();
        if (issued.pod() != null) {
            extra.put(KubernetesTokenReviewer.POD_NAME, List.of(issued.pod()));
            extra.put("authentication.kubernetes.io/pod-uid", List.of("uid-" + issued.pod()));
        }
        if (issued.node() != null) extra.put(KubernetesTokenReviewer.NODE_NAME, List.of(issued.node()));
        return extra;
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
