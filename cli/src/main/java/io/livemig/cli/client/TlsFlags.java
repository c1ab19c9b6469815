package io.livemig.cli.client;

import java.nio.file.Path;

/**
 * What the command line said about the client's certificate: --ca, --cert, --key (each null
 * when not given) and --insecure. {@link ClientSecurity} weighs them against the environment.
 */
public record TlsFlags(Path ca, Path cert, Path key, boolean insecure) {

    /** No flag given: the environment or the client file decides. */
    public static final TlsFlags NONE = new TlsFlags(null, null, null, false);
}
