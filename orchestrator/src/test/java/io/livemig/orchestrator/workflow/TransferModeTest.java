package io.livemig.orchestrator.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TransferModeTest {

    @ParameterizedTest
    @EnumSource(TransferMode.class)
    void aLabelParsesBackToItsMode(TransferMode mode) {
        assertEquals(mode, TransferMode.parse(mode.label()));
    }

    @Test
    void labelsAreTheLowerCaseNamesPeopleType() {
        assertEquals("auto", TransferMode.AUTO.label());
        assertEquals("postcopy", TransferMode.POSTCOPY.label());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "AUTO", "pre-copy", "fast"})
    void anyOtherTextIsRefusedListingTheValidOnes(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransferMode.parse(text));
        assertEquals("unknown migration mode '" + text + "'; valid modes: auto, precopy, stopcopy, postcopy",
                e.getMessage());
    }
}
