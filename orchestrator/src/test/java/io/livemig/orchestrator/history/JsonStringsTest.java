package io.livemig.orchestrator.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonStringsTest {

    @Test
    void writesJsonArrays() {
        assertEquals("[]", JsonStrings.write(List.of()));
        assertEquals("[\"\"]", JsonStrings.write(List.of("")));
        assertEquals("[\"a,b\",\"say \\\"hi\\\"\",\"x\\\\y\",\"1\\n2\\t3\\r\",\"\\u0001\"]",
                JsonStrings.write(List.of("a,b", "say \"hi\"", "x\\y", "1\n2\t3\r", "\u0001")));
    }

    @Test
    void roundTripsAnyString() {
        List<List<String>> cases = List.of(
                List.of(),
                List.of(""),
                List.of("", ""),
                List.of("a", "b"),
                List.of("comma, inside", "\"quoted\"", "back\\slash", "\\\"", "new\nline", "[", "]",
                        "\u0000nul", "tab\tcr\r", "\u007f", "ünïcødé ✓ 🚀", "\ud800 lone surrogate",
                        "\\u0041 not an escape", " leading and trailing "));
        for (List<String> c : cases) {
            assertEquals(c, JsonStrings.read(JsonStrings.write(c)));
        }
    }

    @Test
    void readsStandardJsonEscapesAndBlanks() {
        assertEquals(List.of("A/\b\f", "é"), JsonStrings.read(" [ \"\\u0041\\/\\b\\f\" ,\n\"é\" ] "));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[", "]", "[\"a\"", "[\"a\",]", "[a]", "[\"a\"] x", "{}",
            "[\"\\q\"]", "[\"\\u12\"]", "[\"\\uzzzz\"]", "[\"a\" \"b\"]"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> JsonStrings.read(text));
    }
}
