package io.livemig.cli.command;

import io.livemig.cli.client.ClientSecurity;
import io.livemig.cli.client.TlsFlags;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * --ca, --cert, --key and --insecure, given before or after the subcommand's name. Client
 * commands connect with them (see {@link ClientSecurity}, which also reads $LIVEMIG_INSECURE);
 * {@code agent} and {@code orchestrator} take only --insecure, to serve plaintext, and describe it
 * in their own words ({@link #describeForServers}).
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
            description = "Plaintext gRPC, no authentication, to reach servers that serve plaintext. Default: $"
                    + ClientSecurity.ENV_INSECURE + "=1, then insecure: true in the client file.")
    boolean insecure;

    /**
     * --insecure as {@code agent} and {@code orchestrator} read it: only the flag or their file's
     * {@code insecure: true}, never an environment variable (a server must not go plaintext
     * because of one).
     */
    static final String SERVER_INSECURE = "Serve plaintext gRPC without client authentication, and talk plaintext "
            + "to the other livemig servers, whatever the file's tls says (as insecure: true in the file does). "
            + "Only this flag or the file turn it on.";

    /** The servers' own description of the --insecure they inherit from the root (see {@link #SERVER_INSECURE}). */
    static void describeForServers(CommandLine root) {
        for (String server : List.of("agent", "orchestrator")) {
            CommandLine added = root.getSubcommands().get(server);
            if (added == null) {
                continue; // a run that does not need it (see Subcommands)
            }
            CommandSpec spec = added.getCommandSpec();
            OptionSpec inherited = spec.findOption("--insecure");
            spec.remove(inherited);
            spec.addOption(inherited.toBuilder().description(SERVER_INSECURE).build());
        }
    }

    TlsFlags flags() {
        return new TlsFlags(ca, cert, key, insecure);
    }
}
