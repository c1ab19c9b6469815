package io.livemig.cli.command;

import io.livemig.agent.core.migration.MigrationSpec.Compression;
import java.util.List;

/** migrate --compression: none, xbzrle or zstd, the agent's {@link Compression}. */
final class CompressionOption extends EnumOption<Compression> {

    CompressionOption() {
        super(List.of(Compression.NONE, Compression.XBZRLE, Compression.ZSTD));
    }
}
