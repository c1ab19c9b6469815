package io.livemig.agent.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.libvirt.TypedBooleanParameter;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUlongParameter;
import org.libvirt.jna.virTypedParameter;

/** Reading typed parameters that libvirt owns, as the job-completed event hands them over. */
class TypedParamsTest {

    @Test
    void copiesANativeArrayWithoutFreeingIt() {
        TypedParameter[] params = {
            new TypedUlongParameter("memory_postcopy_requests", 281),
            new TypedIntParameter("operation", 5),
            new TypedBooleanParameter("success", true),
            new TypedStringParameter("errmsg", "none"),
        };
        // The layout libvirt uses: one contiguous array of virTypedParameter.
        virTypedParameter[] natives = (virTypedParameter[]) new virTypedParameter().toArray(params.length);
        for (int i = 0; i < params.length; i++) {
            virTypedParameter one = TypedParameter.toNative(params[i]);
            natives[i].field = one.field;
            natives[i].type = one.type;
            natives[i].value = one.value;
            natives[i].write();
        }

        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("memory_postcopy_requests", 281L);
        expected.put("operation", 5);
        expected.put("success", true);
        expected.put("errmsg", "none");
        assertEquals(expected, TypedParams.copyOf(natives[0].getPointer(), params.length));
        // Still readable: nothing was freed.
        assertEquals(expected, TypedParams.copyOf(natives[0].getPointer(), params.length));
    }

    @Test
    void emptyOrMissingArraysGiveAnEmptyMap() {
        assertTrue(TypedParams.copyOf(null, 3).isEmpty());
        assertTrue(TypedParams.toMap(null).isEmpty());
    }
}
