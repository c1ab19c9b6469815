package io.livemig.orchestrator.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;

/** Lists of strings as JSON arrays in the history (Jackson): exact round trips of any string. */
final class JsonStrings {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private JsonStrings() {}

    static String write(List<String> values) {
        try {
            return MAPPER.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a list of strings as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a JSON array of strings */
    static List<String> read(String json) {
        try {
            List<String> values = MAPPER.readValue(json, LIST);
            if (values == null || values.contains(null)) {
                throw new IllegalArgumentException("not a JSON array of strings: " + json);
            }
            return List.copyOf(values);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON array of strings: " + e.getOriginalMessage());
        }
    }
}
