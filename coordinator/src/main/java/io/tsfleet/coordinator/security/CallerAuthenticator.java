package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.ReplicaTokenReviewer.Review;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the caller a bearer token proves, in this order: the static admin, read and shared replica tokens; the
 * per-replica token file; the platform reviewer (Kubernetes TokenReview), asked only for tokens shaped like a JWT.
 */
public final class CallerAuthenticator {
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    /** The outcome for one token. */
    public sealed interface Outcome {
        record Known(Caller caller) implements Outcome {
        }

        record Unknown(String reason) implements Outcome {
        }
    }

    private final TokenAuthenticator staticTokens;
    private final Optional<ReplicaTokenFile> replicaTokens;
    private final Optional<ReplicaTokenReviewer> reviewer;

    public CallerAuthenticator(TokenAuthenticator staticTokens, Optional<ReplicaTokenFile> replicaTokens, Optional<ReplicaTokenReviewer> reviewer) {
        this.staticTokens = staticTokens;
        this.replicaTokens = replicaTokens;
        this.reviewer = reviewer;
    }

    /** @throws ReplicaTokenReviewer.ReviewUnavailableException when the reviewer cannot check the token now */
    public Outcome authenticate(String token) {
        if (token == null || token.isEmpty()) return new Outcome.Unknown("empty bearer token");
        Optional<Caller> known = staticTokens.callerOf(token);
        if (known.isPresent()) return new Outcome.Known(known.get());
        if (replicaTokens.isPresent()) {
            Optional<String> id = replicaTokens.get().replicaOf(token);
            if (id.isPresent()) return new Outcome.Known(Caller.replica(id.get(), "replica token file"));
        }
        if (reviewer.isPresent() && JWT.matcher(token).matches()) {
            Review review = reviewer.get().review(token);
            return switch (review) {
                case Review.Replica r -> new Outcome.Known(Caller.replica(r.replicaId(), reviewer.get().source()));
                case Review.Node n -> new Outcome.Known(Caller.node(n.nodeName(), reviewer.get().source()));
                case Review.Refused r -> new Outcome.Unknown("unknown bearer token: " + r.reason());
            };
        }
        return new Outcome.Unknown("unknown bearer token");
    }
}
