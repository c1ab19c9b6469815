package io.livemig.common.predict;

import java.util.Objects;

/**
 * Compression of the migration stream, as far as the model can use it: a ratio of memory bytes
 * to bytes on the wire, applied to data pages only when it is known. Compression set without a
 * known ratio is predicted as none (ratio 1) and flagged as estimated; the CPU it costs, which
 * can make the stream slower than the link, is not modelled.
 *
 * @param enabled whether the stream is compressed
 * @param ratio   memory bytes per wire byte, &gt;= 1; 1 when not compressed or not known
 * @param source  how the ratio is known
 */
public record Compression(boolean enabled, double ratio, Source source) {

    public Compression {
        Objects.requireNonNull(source, "source");
        if (!(ratio >= 1)) {
            throw new IllegalArgumentException("a compression ratio must be >= 1, got " + ratio);
        }
        if (!enabled && ratio != 1) {
            throw new IllegalArgumentException("no compression has ratio 1, got " + ratio);
        }
    }

    /** Not compressed. */
    public static Compression none() {
        return new Compression(false, 1, Source.MEASURED);
    }

    /** Compressed, with a ratio measured now or learned from earlier migrations of the VM. */
    public static Compression known(double ratio, Source source) {
        if (source == Source.ESTIMATED) {
            throw new IllegalArgumentException("an estimated ratio is not known: use unknownRatio()");
        }
        return new Compression(true, ratio, source);
    }

    /** Compressed, with no idea how well: predicted as if not, and flagged. */
    public static Compression unknownRatio() {
        return new Compression(true, 1, Source.ESTIMATED);
    }

    /** Whether the stream is compressed but the model could not count it. */
    public boolean isEstimated() {
        return enabled && source == Source.ESTIMATED;
    }
}
