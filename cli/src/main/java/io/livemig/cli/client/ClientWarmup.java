package io.livemig.cli.client;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.LoggerFactory;

/**
 * Readies, on a second thread while the command line is being built and parsed, what every call
 * to an orchestrator or an agent needs and what does not depend on the arguments: Logback's
 * configuration, the TLS library (BoringSSL, loaded from a native library) and the JDK's
 * certificate and key factories, Netty's choice of transport, and the services' protobuf
 * descriptors. Each is initialised once per JVM, so the command's own thread finds it ready or
 * waits for the part still in progress; none of it changes what the command does. A short client
 * command is mostly the JVM starting, and on more than one core this overlaps about a third of it
 * with the rest.
 *
 * <p>Nothing is started for --help and --version, which need none of it, nor for the daemons and
 * the experiment runner, which start once and run for long.
 */
public final class ClientWarmup {

    /** Arguments after which nothing is readied: they print and exit, or run for long. */
    private static final Set<String> NOT_FOR = Set.of("-h", "--help", "-V", "--version", "help", "agent",
            "orchestrator", "experiment", "completion", "version");

    private ClientWarmup() {
    }

    /** Whether a command run with {@code args} gets the warm-up (see the class comment). */
    static boolean wanted(String... args) {
        for (String arg : args) {
            if (NOT_FOR.contains(arg)) {
                return false;
            }
        }
        return true;
    }

    /** Starts the warm-up on a daemon thread when {@code args} want it; the JVM does not wait for it. */
    public static void start(String... args) {
        if (!wanted(args)) {
            return;
        }
        Thread thread = new Thread(ClientWarmup::now, "livemig-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /** The warm-up on the calling thread (the class-data-sharing training runs it, to archive what it loads). */
    public static void now() {
        List<Runnable> steps = List.of(
                LoggerFactory::getILoggerFactory,
                OpenSsl::isAvailable,
                () -> load("io.grpc.netty.shaded.io.grpc.netty.Utils"),
                () -> load("io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder"),
                () -> {
                    try {
                        CertificateFactory.getInstance("X.509");
                        KeyFactory.getInstance("EC");
                        KeyFactory.getInstance("RSA");
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                    } catch (java.security.GeneralSecurityException e) {
                        // The command's own thread meets the same and reports it.
                    }
                },
                OrchestratorServiceGrpc::getServiceDescriptor,
                AgentServiceGrpc::getServiceDescriptor);
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException | LinkageError e) {
                // Only a head start: whatever fails here fails again, and is reported, where it is used.
            }
        }
    }

    private static void load(String className) {
        try {
            Class.forName(className, true, ClientWarmup.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            // Not this Netty version's layout: the command loads what it needs itself.
        }
    }
}
