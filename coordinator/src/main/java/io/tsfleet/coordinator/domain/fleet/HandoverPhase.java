package io.tsfleet.coordinator.domain.fleet;

/**
 * The make-before-break handover of one CPU from A to B, one generation per step:
 * <ol>
 *   <li>{@link #PREPARE}: the CPU leaves A's target; A stays registered and holds the CPU's records back (no fence
 *       yet). Ends when A has applied that generation, so A cannot have written anything B will also keep.</li>
 *   <li>{@link #MAKE}: the CPU enters B's target; B registers and reports its first sequence number on the CPU
 *       ({@code firstSeqs}). Both receive the CPU's exits.</li>
 *   <li>{@link #BREAK}: B is the owner; A gets {@code releaseFences[cpu] = B's first seq}, keeps its records below
 *       the fence, discards the rest, deregisters and reports the CPU released.</li>
 * </ol>
 * A MAKE phase that times out is not rolled back at once, because the new owner may already have kept records:
 * <ul>
 *   <li>{@link #ABORT}: the CPU leaves B's target too (B now holds, like A). When B has applied that generation, a
 *       first sequence number B reports completes the move after all (BREAK with that fence, the CPU back in B's
 *       target); without one B received nothing and the CPU returns to A's target (rolled back). An ABORT that
 *       times out is rolled back anyway (duplicates possible, audited).</li>
 * </ul>
 */
public enum HandoverPhase {
    PREPARE,
    MAKE,
    BREAK,
    ABORT
}
