package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The attributes of one exit log record, in the order {@link ExitLogRecordMapper} adds them: an {@link Attributes} that
 * is two arrays. The SDK's builder sorts and de-duplicates every set it builds, which for the ~160 attributes of a
 * record cost more than the rest of the mapping; the mapper adds every key at most once, so neither is needed, and
 * the exporter only iterates ({@link #forEach}) and counts ({@link #size}).
 */
final class ExitAttributes implements Attributes {
    private final AttributeKey<?>[] keys;
    private final Object[] values;
    private final int size;

    /** Takes the arrays (not copied); {@code keys[0 .. size)} are distinct. */
    ExitAttributes(AttributeKey<?>[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T get(AttributeKey<T> key) {
        for (int i = 0; i < size; i++) if (keys[i].equals(key)) return (T) values[i];
        return null;
    }

    @Override
    public void forEach(BiConsumer<? super AttributeKey<?>, ? super Object> consumer) {
        for (int i = 0; i < size; i++) consumer.accept(keys[i], values[i]);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Map<AttributeKey<?>, Object> asMap() {
        Map<AttributeKey<?>, Object> m = new LinkedHashMap<>();
        forEach(m::put);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public AttributesBuilder toBuilder() {
        return Attributes.builder().putAll(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Attributes a && asMap().equals(a.asMap());
    }

    @Override
    public int hashCode() {
        return asMap().hashCode();
    }

    @Override
    public String toString() {
        return "ExitAttributes" + Arrays.toString(Arrays.copyOf(keys, size));
    }
}
