package io.tsfleet.coordinator.security;

/**
 * Checks a replica's platform credential (on Kubernetes: the pod's projected service-account token, through a
 * TokenReview) and tells which replica it proves.
 */
public interface ReplicaTokenReviewer {

    /** The answer for one token. */
    sealed interface Review {
        /** The token proves this replica id (the pod name). */
        record Replica(String replicaId) implements Review {
        }

        /** The token proves a node agent on this node (the node its pod runs on). */
        record Node(String nodeName) implements Review {
        }

        /** The token proves no replica of this fleet; {@code reason} says why (for the problem detail and the log). */
        record Refused(String reason) implements Review {
        }
    }

    /** Thrown when the credential cannot be checked now (API server unreachable, review refused): the caller fails closed. */
    final class ReviewUnavailableException extends RuntimeException {
        public ReviewUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A name for the {@link Caller#source()} of the callers it proves. */
    String source();

    /** @throws ReviewUnavailableException when the token cannot be checked now */
    Review review(String token);
}
