package io.livemig.orchestrator.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.common.timeline.Phase;
import java.util.List;

/** A migration's timeline as a JSON array of phases in the history (Jackson, records by their components). */
final class JsonPhases {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    private static final TypeReference<List<Phase>> LIST = new TypeReference<>() {};

    private JsonPhases() {}

    static String write(List<Phase> phases) {
        try {
            return MAPPER.writeValueAsString(phases);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a timeline as JSON", e);
        }
    }

    /** @throws IllegalArgumentException when the text is not a JSON array of phases */
    static List<Phase> read(String json) {
        try {
            List<Phase> phases = MAPPER.readValue(json, LIST);
            if (phases == null || phases.contains(null)) {
                throw new IllegalArgumentException("not a JSON array of phases: " + json);
            }
            return List.copyOf(phases);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON array of phases: " + e.getOriginalMessage());
        }
    }
}
