package io.tsfleet.coordinator.kubernetes;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer;

import java.util.List;
import java.util.Map;

/**
 * Checks a listener pod's projected service-account token with a {@code TokenReview} (authentication.k8s.io/v1,
 * the coordinator needs {@code create} on {@code tokenreviews}): the token must be authenticated for the audience,
 * belong to the listener service account ({@code system:serviceaccount:<namespace>:<name>}) and be bound to a pod,
 * whose name ({@code authentication.kubernetes.io/pod-name}) is the replica id it proves. An API server that cannot
 * be reached or refuses the review makes the check unavailable: the request is refused (fails closed).
 *
 * <p>With a node-agent service account, a token of that account proves a node agent bound to the node its pod runs on
 * ({@code authentication.kubernetes.io/node-name}, in the tokens of Kubernetes 1.30 and later): it may announce that
 * node and nothing else.
 */
public final class KubernetesTokenReviewer implements ReplicaTokenReviewer {
    static final String POD_NAME = "authentication.kubernetes.io/pod-name";
    static final String NODE_NAME = "authentication.kubernetes.io/node-name";

    private final KubernetesClient client;
    private final String audience;
    private final String expectedUser;
    /** The node agents' user, or null when node agents do not authenticate with service-account tokens. */
    private final String expectedNodeUser;

    public KubernetesTokenReviewer(KubernetesClient client, String audience, String namespace, String serviceAccount) {
        this(client, audience, namespace, serviceAccount, "");
    }

    public KubernetesTokenReviewer(KubernetesClient client, String audience, String namespace, String serviceAccount, String nodeServiceAccount) {
        this.client = client;
        this.audience = audience;
        this.expectedUser = "system:serviceaccount:" + namespace + ":" + serviceAccount;
        this.expectedNodeUser = nodeServiceAccount == null || nodeServiceAccount.isBlank() ? null
                : "system:serviceaccount:" + namespace + ":" + nodeServiceAccount;
    }

    /** The node agents' service-account user, if they authenticate with one. */
    public java.util.Optional<String> expectedNodeUser() {
        return java.util.Optional.ofNullable(expectedNodeUser);
    }

    @Override
    public String source() {
        return "Kubernetes service account token";
    }

    public String expectedUser() {
        return expectedUser;
    }

    @Override
    public Review review(String token) {
        TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audience).endSpec().build();
        TokenReview answer;
        try {
            answer = client.authentication().v1().tokenReviews().create(request);
        } catch (KubernetesClientException e) {
            String why = e.getCode() == 403 ? "the coordinator may not create tokenreviews (RBAC: create on authentication.k8s.io tokenreviews)"
                    : e.getCode() > 0 ? "the API server answered " + e.getCode() : "the API server is unreachable";
            throw new ReviewUnavailableException("cannot check the replica's service account token: " + why + " (" + e.getMessage() + ")", e);
        }
        TokenReviewStatus status = answer == null ? null : answer.getStatus();
        if (status == null) throw new ReviewUnavailableException("cannot check the replica's service account token: the TokenReview came back without a status", null);
        if (!Boolean.TRUE.equals(status.getAuthenticated())) {
            String error = status.getError();
            return new Review.Refused("the API server does not authenticate the token for audience '" + audience + "'"
                    + (error == null || error.isBlank() ? "" : " (" + error + ")"));
        }
        List<String> audiences = status.getAudiences();
        if (audiences != null && !audiences.isEmpty() && !audiences.contains(audience)) {
            return new Review.Refused("the token is not meant for audience '" + audience + "'");
        }
        UserInfo user = status.getUser();
        String username = user == null ? null : user.getUsername();
        if (expectedNodeUser != null && expectedNodeUser.equals(username)) {
            Map<String, List<String>> extra = user.getExtra();
            List<String> nodes = extra == null ? null : extra.get(NODE_NAME);
            if (nodes == null || nodes.size() != 1 || nodes.getFirst() == null || nodes.getFirst().isBlank()) {
                return new Review.Refused("the node agent's token names no node (a projected service account token of a pod, Kubernetes 1.30 or later)");
            }
            return new Review.Node(nodes.getFirst());
        }
        if (!expectedUser.equals(username)) {
            return new Review.Refused("the token belongs to '" + username + "', not to the listener service account '" + expectedUser + "'");
        }
        Map<String, List<String>> extra = user.getExtra();
        List<String> pods = extra == null ? null : extra.get(POD_NAME);
        if (pods == null || pods.size() != 1 || pods.getFirst() == null || pods.getFirst().isBlank()) {
            return new Review.Refused("the token is not bound to a pod (use a projected service account token)");
        }
        return new Review.Replica(pods.getFirst());
    }
}
