#!/usr/bin/env bash
# scripts/docker-setup.sh - make a Docker engine and the local Java 25 base image available for the
# Testcontainers tests of taskstats-fleet, on a Debian 12 machine that reaches no container registry.
#
# Every step checks first and is skipped when it is already done, so running the script twice is cheap:
#   1. docker.io from Debian apt (--no-install-recommends)        skipped when dockerd is installed
#   2. dockerd started by hand (no systemd here, and policy-rc.d   skipped when `docker info` answers
#      blocks service start), waited for until it answers
#   3. localhost/temurin-jre:25: a jlink'ed Temurin 25 runtime +    skipped when the image exists with the
#      the host's glibc + busybox-static, put in with docker import  same JRE version label
#
# No image is ever pulled: the base image is built from the JDK on this machine, and every project image
# is `FROM localhost/temurin-jre:25`. Must run as root.
#
# Environment (all optional):
#   TSFLEET_BASE_IMAGE   image to build                   default localhost/temurin-jre:25
#   TSFLEET_JDK          JDK whose jlink builds the JRE   default /usr/lib/jvm/temurin-25-jdk-amd64
#   TSFLEET_DOCKERD_LOG  dockerd's log file               default /var/log/tsfleet-dockerd.log
#   TSFLEET_DOCKER_WAIT  seconds to wait for dockerd      default 60
#   BUSYBOX_DEB          a local busybox-static .deb      default: apt-get download busybox-static
set -euo pipefail

BASE_IMAGE="${TSFLEET_BASE_IMAGE:-localhost/temurin-jre:25}"
JDK="${TSFLEET_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DOCKERD_LOG="${TSFLEET_DOCKERD_LOG:-/var/log/tsfleet-dockerd.log}"
DOCKER_WAIT="${TSFLEET_DOCKER_WAIT:-60}"
# java.se has java.desktop (java.beans, used by Spring); the jdk.* extras cover Spring Boot, Micrometer,
# JFR, DNS, TLS and the netty/JNA style of access to sun.misc.Unsafe.
JRE_MODULES="java.se,jdk.unsupported,jdk.management,jdk.management.agent,jdk.httpserver,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns,jdk.charsets,jdk.net,jdk.jfr,jdk.management.jfr,jdk.security.auth,jdk.security.jgss"
# X11/ALSA-only libraries that a headless server never loads; leaving them out keeps the image to glibc
HEADLESS_SKIP='libawt_xawt.so|libjawt.so|libsplashscreen.so|libjsound.so'

START=$EPOCHREALTIME
log() { printf '[docker-setup %5.1fs] %s\n' "$(awk -v a="$START" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" "$*"; }
die() { printf '[docker-setup] ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts dockerd)"

# Two runs at once (two helpers, or CI and a developer) would race on apt and on dockerd's start.
{ exec 9>/run/lock/tsfleet-docker-setup.lock; } 2>/dev/null || exec 9>/tmp/tsfleet-docker-setup.lock
flock -w 300 9 || die "another docker-setup run holds the lock for more than 300 s"

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # the machine's package lists may be missing or stale: try them first, refresh only when that fails
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
  apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed (are Debian's apt repositories reachable?)"
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

# ------------------------------------------------------------------ 1. the engine
if command -v dockerd >/dev/null 2>&1; then
  log "docker.io present ($(dpkg-query -W -f='${Version}' docker.io 2>/dev/null || echo 'not from apt'))"
else
  log "installing docker.io from Debian apt"
  apt_install docker.io
  log "installed docker.io $(dpkg-query -W -f='${Version}' docker.io)"
fi
# Debian's CLI matches Debian's daemon; a newer CLI elsewhere on PATH also works against it.
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=$(command -v docker) || die "no docker CLI"; fi

# ------------------------------------------------------------------ 2. the daemon
if "$DOCKER" info >/dev/null 2>&1; then
  log "dockerd already answering"
else
  # no systemd here: cgroups are mounted by the VM; mount them if a machine ever comes without
  if [ ! -e /sys/fs/cgroup/cgroup.controllers ] && ! mountpoint -q /sys/fs/cgroup/devices 2>/dev/null; then
    log "cgroups not mounted: running cgroupfs-mount"
    command -v cgroupfs-mount >/dev/null 2>&1 || apt_install cgroupfs-mount
    cgroupfs-mount || die "cgroupfs-mount failed"
  fi
  if [ -S /var/run/docker.sock ] && [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    log "removing the stale pid file of a dockerd that is gone"
    rm -f /var/run/docker.pid
  fi
  log "starting dockerd (log: $DOCKERD_LOG)"
  # setsid: the daemon outlives this script and the CI step that ran it; 9>&- : it must not inherit the lock
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  DOCKERD_PID=$!
  deadline=$(( $(date +%s) + DOCKER_WAIT ))
  until "$DOCKER" info >/dev/null 2>&1; do
    if ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd (pid $DOCKERD_PID) exited during start-up; see $DOCKERD_LOG"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 25 "$DOCKERD_LOG" >&2 || true
      die "dockerd (pid $DOCKERD_PID) did not answer within ${DOCKER_WAIT}s; see $DOCKERD_LOG"
    fi
    sleep 0.2
  done
  log "dockerd ready (pid $DOCKERD_PID)"
fi
log "docker engine $("$DOCKER" version -f '{{.Server.Version}} (API {{.Server.APIVersion}})')"

# ------------------------------------------------------------------ 3. the base image
[ -x "$JDK/bin/jlink" ] || die "no JDK with jlink at $JDK (set TSFLEET_JDK)"
# in these JDKs lib/security/cacerts is a symlink to /etc/ssl/certs/java/cacerts, and jlink copies its target
[ -e "$JDK/lib/security/cacerts" ] || die "$JDK/lib/security/cacerts is missing or dangling (install ca-certificates-java)"
JRE_VERSION=$(sed -n 's/^JAVA_RUNTIME_VERSION="\(.*\)"$/\1/p' "$JDK/release")
[ -n "$JRE_VERSION" ] || die "cannot read JAVA_RUNTIME_VERSION from $JDK/release"
HAVE=$("$DOCKER" image inspect -f '{{ index .Config.Labels "jre.version" }}' "$BASE_IMAGE" 2>/dev/null || true)
if [ "$HAVE" = "$JRE_VERSION" ]; then
  log "$BASE_IMAGE present (JRE $JRE_VERSION)"
else
  log "building $BASE_IMAGE (JRE $JRE_VERSION${HAVE:+, replacing JRE $HAVE})"
  WORK=$(mktemp -d /tmp/tsfleet-jre-image.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
  ROOT=$WORK/rootfs
  # Temurin 25 ships no jmods/: jlink links from the run-time image (JEP 493). --strip-debug would need objcopy.
  if ! out=$("$JDK/bin/jlink" --add-modules "$JRE_MODULES" --strip-java-debug-attributes --no-man-pages \
      --no-header-files --generate-cds-archive --output "$ROOT/opt/java" 2>&1); then
    printf '%s\n' "$out" >&2
    die "jlink failed"
  fi
  # a merged-/usr layout, as Debian has it
  mkdir -p "$ROOT/usr/lib/x86_64-linux-gnu" "$ROOT/usr/lib64" "$ROOT/usr/bin" "$ROOT/etc" "$ROOT/tmp" "$ROOT/app"
  chmod 1777 "$ROOT/tmp"
  ln -s usr/lib "$ROOT/lib"
  ln -s usr/lib64 "$ROOT/lib64"
  ln -s usr/bin "$ROOT/bin"
  # the shared libraries of the runtime: glibc only, plus libgcc_s that glibc dlopens for thread cancellation
  LIBS=$(find "$ROOT/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | grep -zvE "/($HEADLESS_SKIP)\$" | xargs -0 ldd 2>/dev/null \
    | awk '/=> \// {print $3}' | grep -E '^/(usr/)?lib' | sort -u)
  [ -n "$LIBS" ] || die "ldd found no shared libraries in the runtime"
  for lib in $LIBS /lib/x86_64-linux-gnu/libgcc_s.so.1; do cp -L "$lib" "$ROOT/usr/lib/x86_64-linux-gnu/"; done
  cp -L /lib64/ld-linux-x86-64.so.2 "$ROOT/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$ROOT/usr/lib64/ld-linux-x86-64.so.2"
  # the services run as uid 10001 on Kubernetes and may run as nobody here; glibc >= 2.34 has nss files/dns built in
  cat >"$ROOT/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tsfleet:x:10001:10001:taskstats-fleet:/app:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
  printf 'root:x:0:\ntsfleet:x:10001:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$ROOT/etc/nsswitch.conf"
  # busybox gives /bin/sh, grep, nc and wget: Testcontainers' port wait strategy execs /bin/sh in the container.
  # It is unpacked, not installed, so the host stays as it was.
  if [ -n "${BUSYBOX_DEB:-}" ]; then
    cp "$BUSYBOX_DEB" "$WORK/" || die "cannot read BUSYBOX_DEB=$BUSYBOX_DEB"
  elif ! ( cd "$WORK" && apt-get download -qq busybox-static >/dev/null 2>&1 ); then
    apt-get update -qq >/dev/null 2>&1 || true
    ( cd "$WORK" && apt-get download -qq busybox-static >/dev/null ) \
      || die "apt-get download busybox-static failed (or set BUSYBOX_DEB=/path/to/busybox-static_*.deb)"
  fi
  dpkg-deb -x "$WORK"/busybox-static_*.deb "$WORK/busybox" || die "cannot unpack busybox-static"
  cp "$WORK/busybox/bin/busybox" "$ROOT/usr/bin/busybox"
  for applet in $("$ROOT/usr/bin/busybox" --list); do
    [ -e "$ROOT/usr/bin/$applet" ] || ln -s busybox "$ROOT/usr/bin/$applet"
  done
  ln -s /opt/java/bin/java "$ROOT/usr/bin/java"
  tar -C "$ROOT" -c . | "$DOCKER" import \
      --change 'ENV JAVA_HOME=/opt/java' \
      --change 'ENV PATH=/opt/java/bin:/usr/bin' \
      --change "LABEL jre.version=$JRE_VERSION" \
      --change 'LABEL org.opencontainers.image.title=temurin-jre-tsfleet' \
      --change 'WORKDIR /app' \
      --change 'CMD ["java", "-version"]' \
      - "$BASE_IMAGE" >/dev/null || die "docker import failed"
  rm -rf "$WORK"
  trap - EXIT
  # shellcheck disable=SC2016  # $0 expands inside the container's shell
  "$DOCKER" run --rm --network none "$BASE_IMAGE" sh -c 'java -version 2>&1 | grep -qF "$0"' "$JRE_VERSION" \
    || die "smoke test of $BASE_IMAGE failed: java -version in the image does not print $JRE_VERSION"
  log "built $BASE_IMAGE"
fi
log "done: $BASE_IMAGE, $("$DOCKER" image inspect -f '{{.Size}}' "$BASE_IMAGE" | awk '{printf "%d MB", $1/1e6}')"
