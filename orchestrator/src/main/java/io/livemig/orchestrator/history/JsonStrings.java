package io.livemig.orchestrator.history;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;

/** Lists of strings as JSON arrays in the history: exact round trips of any string. */
final class JsonStrings {

    private static final TypeReference<List<String>> LIST = new TypeReference<>() {};

    private JsonStrings() {}

    static String write(List<String> values) {
        return JsonLists.write(values, "strings");
    }

    /** @throws IllegalArgumentException when the text is not a JSON array of strings */
    static List<String> read(String json) {
        return JsonLists.read(json, LIST, "strings");
    }
}
