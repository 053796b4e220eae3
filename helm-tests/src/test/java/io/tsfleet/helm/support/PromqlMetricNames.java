package io.tsfleet.helm.support;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The metric names a PromQL expression selects: every identifier that is not a function or aggregation, not a
 * keyword, not inside a label matcher {@code {...}}, a range or subquery {@code [...]}, or a label list
 * ({@code by (...)}, {@code on (...)}...). Recording-rule names ({@code level:metric:operation}) are metric names too.
 * Grafana variables ({@code $namespace}) are skipped wherever they stand.
 */
public final class PromqlMetricNames {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2", "start", "end");
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

    private PromqlMetricNames() {
    }

    public static Set<String> of(String expression) {
        Set<String> names = new LinkedHashSet<>();
        String s = expression;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i);
            } else if (c == '#') {
                int eol = s.indexOf('\n', i);
                i = eol < 0 ? s.length() : eol + 1;
            } else if (c == '{') {
                i = skipGroup(s, i, '{', '}');
            } else if (c == '[') {
                i = skipGroup(s, i, '[', ']');
            } else if (c == '$') {
                i++;
                if (i < s.length() && s.charAt(i) == '{') {
                    i = skipGroup(s, i, '{', '}');
                } else {
                    while (i < s.length() && isIdentifierPart(s.charAt(i))) {
                        i++;
                    }
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == '_')) {
                    i++;
                }
            } else if (isIdentifierStart(c)) {
                int start = i;
                while (i < s.length() && isIdentifierPart(s.charAt(i))) {
                    i++;
                }
                String word = s.substring(start, i);
                int next = skipSpace(s, i);
                if (LABEL_LISTS.contains(word)) {
                    if (next < s.length() && s.charAt(next) == '(') {
                        i = skipGroup(s, next, '(', ')');
                    }
                } else if (next < s.length() && s.charAt(next) == '(' || startsWithWord(s, next, "by") || startsWithWord(s, next, "without")) {
                    // a function or an aggregation (sum (...), sum by (...) (...)): its arguments are scanned as they come
                } else if (!KEYWORDS.contains(word.toLowerCase())) {
                    names.add(word);
                }
            } else {
                i++;
            }
        }
        return names;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }

    private static boolean startsWithWord(String s, int i, String word) {
        int end = i + word.length();
        return s.startsWith(word, i) && (end == s.length() || !isIdentifierPart(s.charAt(end)));
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int skipString(String s, int i) {
        char quote = s.charAt(i);
        i++;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' && quote != '`' ? 2 : 1;
        }
        return i + 1;
    }

    private static int skipGroup(String s, int i, char open, char close) {
        int depth = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i);
                continue;
            }
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unbalanced " + open + close + " in: " + s);
    }
}
