package io.livemig.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

/** Reads the YAML configuration files strictly: unknown keys and bad values are errors with a line. */
public final class YamlFiles {

    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private YamlFiles() {}

    /** A value read from a file, with where its keys are for later messages. */
    public record Located<T>(T value, YamlLines lines) {}

    public static <T> T read(Path file, Class<T> type) throws ConfigException {
        return readLocated(file, type).value();
    }

    public static <T> Located<T> readLocated(Path file, Class<T> type) throws ConfigException {
        String text = text(file);
        return new Located<>(parse(text, file.toString(), type), YamlLines.of(text, file.toString()));
    }

    static <T> Located<T> parseLocated(String yaml, String source, Class<T> type) throws ConfigException {
        return new Located<>(parse(yaml, source, type), YamlLines.of(yaml, source));
    }

    private static String text(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return text;
    }

    /** As {@link #read}, from the text {@code yaml}; {@code source} names it in messages. */
    public static <T> T parse(String yaml, String source, Class<T> type) throws ConfigException {
        try {
            JsonNode tree = MAPPER.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigException(source + ": empty file" + requiredWhenEmpty(type));
            }
            T value = MAPPER.readValue(yaml, type);
            if (value == null) {
                throw new ConfigException(source + ": empty file" + requiredWhenEmpty(type));
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(String::valueOf).sorted()
                    .collect(Collectors.joining(", "));
            // Records are read through their constructor, so Jackson reports a location past the
            // key; the key's own line is found in the text.
            int line = lineOfKey(yaml, e.getPropertyName());
            String at = line > 0 ? source + ":" + line + ": " : where(source, e.getLocation());
            throw new ConfigException(at + "unknown key '" + e.getPropertyName()
                    + "' (known: " + known + ")");
        } catch (MismatchedInputException e) {
            // A value of the wrong type: "KEY must be EXPECTED, got FOUND" at the key's line, no Java type names.
            String key = key(e);
            int line = key.isEmpty() ? 0 : YamlLines.of(yaml, source).line(pointer(e));
            String at = line > 0 ? source + ":" + line + ": " : where(source, e.getLocation());
            String found = found(e);
            throw new ConfigException(at + (key.isEmpty() ? "the file" : key) + " must be "
                    + expected(e.getTargetType(), key.isEmpty()) + (found == null ? "" : ", got " + found));
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(source, e.getLocation()) + e.getOriginalMessage().lines().findFirst().orElse("invalid"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

    /** The keys a file of this type cannot do without, said after "empty file". */
    private static String requiredWhenEmpty(Class<?> type) {
        if (type == ClusterConfig.class) {
            return " (a 'hosts:' list is required)";
        }
        return "";
    }

    /** The key of a refused value as the user wrote it: "hosts[0].migration_tls", "allow[1]"; "" for the file. */
    private static String key(JsonMappingException e) {
        StringBuilder key = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                key.append(key.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                key.append('[').append(r.getIndex()).append(']');
            }
        }
        return key.toString();
    }

    /** The refused value's JSON pointer, for its line: "/hosts/0/migration_tls". */
    private static String pointer(JsonMappingException e) {
        StringBuilder pointer = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                pointer.append('/').append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                pointer.append('/').append(r.getIndex());
            }
        }
        return pointer.toString();
    }

    /** What the key takes, in the file's words. */
    private static String expected(Class<?> type, boolean wholeFile) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type)) {
            return "a map (key: value)";
        }
        return wholeFile ? "a map of keys (key: value lines)" : "a map of keys (key: value)";
    }

    /**
     * What the file has there: "'maybe'", "a list", "a map", or null when it cannot be told. Jackson
     * has closed the parser by now, so this is read from its message.
     */
    private static String found(MismatchedInputException e) {
        if (e instanceof InvalidFormatException f && f.getValue() != null) {
            return "'" + f.getValue() + "'";
        }
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("from Array value")) {
            return "a list";
        }
        if (message.contains("from Object value")) {
            return "a map";
        }
        java.util.regex.Matcher string = FROM_STRING.matcher(message);
        return string.find() ? "'" + string.group(1) + "'" : null;
    }

    private static final java.util.regex.Pattern FROM_STRING = java.util.regex.Pattern.compile(
            "from String value \\('([^'\\n]*)'\\)");

    private static int lineOfKey(String yaml, String key) {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\s*(-\\s+)?" + java.util.regex.Pattern.quote(key) + "\\s*:");
        String[] lines = yaml.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        return 0;
    }

    private static String where(String source, JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? source + ": " : source + ":" + location.getLineNr() + ": ";
    }
}
