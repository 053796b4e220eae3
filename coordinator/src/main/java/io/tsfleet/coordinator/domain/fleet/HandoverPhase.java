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
 */
public enum HandoverPhase {
    PREPARE,
    MAKE,
    BREAK
}
