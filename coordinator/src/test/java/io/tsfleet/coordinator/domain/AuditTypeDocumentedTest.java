package io.tsfleet.coordinator.domain;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit types the admin API can show are exactly the ones docs/api.md explains. */
class AuditTypeDocumentedTest {
    @Test
    void everyAuditTypeIsInTheApiDocumentsTableAndNothingElse() throws IOException {
        String api = Files.readString(Path.of("..", "docs", "api.md"));
        String section = api.substring(api.indexOf("### `GET /audit"));
        Matcher next = Pattern.compile("(?m)^#").matcher(section);
        if (next.find(1)) section = section.substring(0, next.start());
        Matcher row = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|").matcher(section);
        Set<String> documented = new java.util.TreeSet<>();
        while (row.find()) if (!row.group(1).equals("type")) documented.add(row.group(1)); // the header names the column
        Set<String> types = Arrays.stream(AuditType.values()).map(AuditType::label).collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(documented).isEqualTo(types);
    }
}
