package io.livemig.cli.command;

import io.livemig.cli.client.ClientSecurity;
import io.livemig.cli.client.TlsFlags;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * --ca, --cert, --key and --insecure, given before or after the subcommand's name. Client
 * commands connect with them (see {@link ClientSecurity}); {@code agent} and {@code orchestrator}
 * take only --insecure, to serve plaintext.
 */
final class TlsOptions {

    @Option(names = "--ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "CA certificate that signed the servers' certificates. Default: $"
                    + ClientSecurity.ENV_CA + ", then the tls section of the client file.")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "This client's certificate (its CN is the identity servers check). Default: $"
                    + ClientSecurity.ENV_CERT + ", then the client file.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "This client's private key (PKCS#8 PEM). Default: $" + ClientSecurity.ENV_KEY
                    + ", then the client file.")
    Path key;

    @Option(names = "--insecure", scope = ScopeType.INHERIT,
            description = "Plaintext gRPC, no authentication: clients reach servers started with --insecure "
                    + "(or $" + ClientSecurity.ENV_INSECURE + "=1); agent and orchestrator serve so.")
    boolean insecure;

    TlsFlags flags() {
        return new TlsFlags(ca, cert, key, insecure);
    }
}
