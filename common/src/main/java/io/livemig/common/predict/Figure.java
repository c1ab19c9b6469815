package io.livemig.common.predict;

import java.util.Objects;

/**
 * A figure about a VM with where it comes from, so that a prediction can say which of its inputs
 * were only estimated.
 *
 * @param value  the figure, &gt;= 0 (bytes or bytes per second, as the field that holds it says)
 * @param source how it is known
 */
public record Figure(long value, Source source) {

    public Figure {
        Objects.requireNonNull(source, "source");
        if (value < 0) {
            throw new IllegalArgumentException("a figure must be >= 0, got " + value);
        }
    }

    public static Figure measured(long value) {
        return new Figure(value, Source.MEASURED);
    }

    public static Figure learned(long value) {
        return new Figure(value, Source.LEARNED);
    }

    public static Figure estimated(long value) {
        return new Figure(value, Source.ESTIMATED);
    }

    public boolean isEstimated() {
        return source == Source.ESTIMATED;
    }
}
