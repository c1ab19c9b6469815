package io.livemig.orchestrator.history;

import com.fasterxml.jackson.core.type.TypeReference;
import io.livemig.common.timeline.Phase;
import java.util.List;

/** A migration's timeline as a JSON array of phases in the history (records by their components). */
final class JsonPhases {

    private static final TypeReference<List<Phase>> LIST = new TypeReference<>() {};

    private JsonPhases() {}

    static String write(List<Phase> phases) {
        return JsonLists.write(phases, "phases");
    }

    /** @throws IllegalArgumentException when the text is not a JSON array of phases */
    static List<Phase> read(String json) {
        return JsonLists.read(json, LIST, "phases");
    }
}
