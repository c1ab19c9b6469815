package io.livemig.agent.libvirt;

import com.sun.jna.Pointer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.libvirt.TypedBooleanParameter;
import org.libvirt.TypedDoubleParameter;
import org.libvirt.TypedIntParameter;
import org.libvirt.TypedLongParameter;
import org.libvirt.TypedParameter;
import org.libvirt.TypedStringParameter;
import org.libvirt.TypedUintParameter;
import org.libvirt.TypedUlongParameter;
import org.libvirt.jna.virTypedParameter;

/** libvirt typed parameters as the plain map the core's parsers take. */
final class TypedParams {

    private TypedParams() {
    }

    static Map<String, Object> toMap(TypedParameter[] params) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (params == null) {
            return map;
        }
        for (TypedParameter p : params) {
            if (p == null || p.field == null) {
                continue;
            }
            Object value = valueOf(p);
            if (value != null) {
                map.put(p.field, value);
            }
        }
        return map;
    }

    /**
     * Copies an array of typed parameters that libvirt owns (an event's): libvirt-java's
     * {@code TypedParameter.fromPointer} would free it, which only the owner may do.
     */
    static Map<String, Object> copyOf(Pointer params, int count) {
        if (params == null || count <= 0) {
            return new LinkedHashMap<>();
        }
        virTypedParameter first = new virTypedParameter(params);
        first.read();
        virTypedParameter[] natives = (virTypedParameter[]) first.toArray(count);
        TypedParameter[] copies = new TypedParameter[count];
        for (int i = 0; i < count; i++) {
            copies[i] = TypedParameter.create(natives[i]);
        }
        return toMap(copies);
    }

    private static Object valueOf(TypedParameter p) {
        if (p instanceof TypedUlongParameter u) {
            return u.value;
        } else if (p instanceof TypedLongParameter l) {
            return l.value;
        } else if (p instanceof TypedUintParameter u) {
            return Integer.toUnsignedLong(u.value);
        } else if (p instanceof TypedIntParameter i) {
            return i.value;
        } else if (p instanceof TypedBooleanParameter b) {
            return b.value;
        } else if (p instanceof TypedDoubleParameter d) {
            return d.value;
        } else if (p instanceof TypedStringParameter s) {
            return s.value;
        }
        return null;
    }
}
