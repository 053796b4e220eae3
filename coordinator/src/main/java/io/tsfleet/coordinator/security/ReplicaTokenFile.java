package io.tsfleet.coordinator.security;

import io.tsfleet.service.security.SecretToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Per-replica tokens from a file of {@code <replica-id>=<token>} lines ({@code #} comments and blank lines ignored):
 * a token names exactly one replica, which may heartbeat only as itself. The file is re-read when its modification
 * time or size changes; a changed file that does not parse is refused with an error in the log and the previous
 * contents stay in force (at start-up a bad file stops the coordinator). Tokens are compared in constant time.
 */
public final class ReplicaTokenFile {
    private static final Logger log = LoggerFactory.getLogger(ReplicaTokenFile.class);
    private static final Pattern REPLICA_ID = Pattern.compile("[A-Za-z0-9._-]{1,253}");

    private record Entry(String replicaId, SecretToken token) {
    }

    private record Contents(List<Entry> entries, FileTime modified, long size) {
    }

    private final Path path;
    private volatile Contents contents;

    /** @throws IllegalArgumentException when the file cannot be read or does not parse */
    public ReplicaTokenFile(Path path) {
        this.path = path;
        try {
            this.contents = load();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("tsfleet.coordinator.security.replica-tokens-file " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** How many replicas have a token. */
    public int size() {
        return current().entries().size();
    }

    /** The replica a token belongs to, if any. */
    public Optional<String> replicaOf(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        String found = null;
        for (Entry e : current().entries()) {
            if (e.token().matches(token) && found == null) found = e.replicaId();
        }
        return Optional.ofNullable(found);
    }

    private Contents current() {
        Contents c = contents;
        FileTime modified = modifiedOrNull();
        long size = sizeOrMinus1();
        if (Objects.equals(modified, c.modified()) && size == c.size()) return c;
        synchronized (this) {
            c = contents;
            if (Objects.equals(modified, c.modified()) && size == c.size()) return c;
            try {
                Contents fresh = load();
                contents = fresh;
                log.info("re-read the tokens of {} replicas from {}", fresh.entries().size(), path);
                return fresh;
            } catch (IOException | IllegalArgumentException e) {
                log.error("the replica token file {} changed but cannot be used, the previous {} tokens stay in force: {}", path, c.entries().size(), e.getMessage());
                // remember this version so that it is reported once, not at every request
                contents = new Contents(c.entries(), modified, size);
                return contents;
            }
        }
    }

    private Contents load() throws IOException {
        FileTime modified = Files.getLastModifiedTime(path);
        long size = Files.size(path);
        List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        return new Contents(parse(lines), modified, size);
    }

    static List<Entry> parse(List<String> lines) {
        List<Entry> entries = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException("line " + (i + 1) + " is not <replica-id>=<token>");
            String id = line.substring(0, eq).strip();
            String token = line.substring(eq + 1).strip();
            if (!REPLICA_ID.matcher(id).matches()) throw new IllegalArgumentException("line " + (i + 1) + ": replica id must be 1-253 characters of [A-Za-z0-9._-]");
            if (token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)) throw new IllegalArgumentException("line " + (i + 1) + ": the token must be non-empty and without spaces");
            if (!ids.add(id)) throw new IllegalArgumentException("line " + (i + 1) + ": replica '" + id + "' has a second token");
            if (!tokens.add(token)) throw new IllegalArgumentException("line " + (i + 1) + ": a token names two replicas");
            entries.add(new Entry(id, SecretToken.of(token)));
        }
        return List.copyOf(entries);
    }

    private FileTime modifiedOrNull() {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException e) {
            return null;
        }
    }

    private long sizeOrMinus1() {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return -1;
        }
    }
}
