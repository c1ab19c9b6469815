package io.livemig.common.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuSetTest {

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0             | 0",
        "0-3           | 0-3",
        "0-3,^2,8      | 0-1,3,8",
        "0-3,^2,^3     | 0-1",
        "^2,0-3        | 0-3",
        "8,0,4-5,1     | 0-1,4-5,8",
        "' 0 - 1 , 5 ' | 0-1,5",
        "2,2,2         | 2",
        "0-1,1-2       | 0-2",
    })
    void parsesLibvirtSyntaxAndFormatsCanonically(String text, String canonical) {
        assertEquals(canonical, CpuSet.parse(text).format());
        assertEquals(CpuSet.parse(text), CpuSet.parse(canonical));
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", " ", "a", "1-", "-1", "3-1", "^1-2", "1,,2", "0-3,^", "^2", "99999", "0-20000", "1.5", "0x1"})
    void rejectsWhatLibvirtRejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuSet.parse(text));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void setOperations() {
        CpuSet a = CpuSet.parse("0-3");
        CpuSet b = CpuSet.parse("2-5");
        assertEquals("0-5", a.union(b).format());
        assertEquals("0-1", a.minus(b).format());
        assertTrue(CpuSet.parse("0-7").containsAll(b));
        assertFalse(a.containsAll(b));
        assertEquals(List.of(2, 3, 4, 5), b.cpus());
        assertEquals("", CpuSet.of().format());
        assertEquals("1,3", CpuSet.of(List.of(3, 1, 3)).format());
    }
}
