package io.tsfleet.emulator.live;

import io.tsfleet.protocol.netlink.Netlink;

/**
 * Settings of the live-kernel backend.
 *
 * @param token        the broker token ({@code tsfleet.emulator.broker.token}); {@code null} or blank for none. With a
 *                     token, a connection is unprivileged (TASKSTATS commands get {@code -EPERM}) until it presents
 *                     the token with {@code TSFLEET_SOCK CMD_AUTH}; without one, only loopback clients are accepted
 *                     and they are privileged.
 * @param sockFamilyId the generic netlink family id under which the backend serves {@code TSFLEET_SOCK}; it must lie
 *                     above {@code GENL_MAX_ID} (1023), the largest id the kernel ever allocates, so it can never
 *                     collide with a real family (checked against the controller at start as well).
 */
public record KernelBackendSettings(String token, int sockFamilyId) {
    /** {@code GENL_MAX_ID} of {@code linux/genetlink.h}: the kernel allocates family ids in 0x10..1023. */
    public static final int GENL_MAX_ID = 1023;
    /** The default id of {@code TSFLEET_SOCK}: the first id the kernel cannot allocate. */
    public static final int DEFAULT_SOCK_FAMILY_ID = GENL_MAX_ID + 1;

    public KernelBackendSettings {
        if (token != null && token.isBlank()) token = null;
        if (sockFamilyId <= GENL_MAX_ID || sockFamilyId > 0xFFFF) {
            throw new IllegalArgumentException("TSFLEET_SOCK family id " + sockFamilyId + " must be in " + (GENL_MAX_ID + 1)
                    + "..65535, above the ids the kernel allocates (" + Netlink.GENL_ID_CTRL + ".." + GENL_MAX_ID + ")");
        }
    }

    public static KernelBackendSettings withToken(String token) {
        return new KernelBackendSettings(token, DEFAULT_SOCK_FAMILY_ID);
    }

    public boolean hasToken() {
        return token != null;
    }
}
