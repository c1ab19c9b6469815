package io.livemig.orchestrator.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Lists as JSON arrays in the history (Jackson): exact round trips, and a malformed text refused. */
final class JsonLists {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    private JsonLists() {}

    /** @param what what the list holds, for the message of a bug ("strings") */
    static String write(List<?> values, String what) {
        try {
            return MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a list of " + what + " as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a JSON array of {@code what} */
    static <T> List<T> read(String json, TypeReference<List<T>> type, String what) {
        try {
            List<T> values = MAPPER.readValue(json, type);
            if (values == null || values.contains(null)) {
                throw new IllegalArgumentException("not a JSON array of " + what + ": " + json);
            }
            return List.copyOf(values);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON array of " + what + ": " + e.getOriginalMessage());
        }
    }
}
