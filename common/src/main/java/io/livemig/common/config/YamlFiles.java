package io.livemig.common.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    static <T> T parse(String yaml, String source, Class<T> type) throws ConfigException {
        try {
            T value = MAPPER.readValue(yaml, type);
            if (value == null) {
                throw new ConfigException(source + ": empty file");
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
        } catch (JsonProcessingException e) {
            throw new ConfigException(where(source, e.getLocation()) + e.getOriginalMessage().lines().findFirst().orElse("invalid"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + e.getMessage());
        }
    }

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
