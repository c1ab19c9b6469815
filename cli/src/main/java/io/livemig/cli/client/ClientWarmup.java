package io.livemig.cli.client;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import io.livemig.cli.command.Subcommands;
import io.livemig.common.config.ConfigException;
import io.livemig.proto.agent.v1.AgentServiceGrpc;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.LoggerFactory;

/**
 * Readies, on a second thread while the command line is being built and parsed, the annotations
 * of the subcommand (see {@link Subcommands#readAnnotations}) and what every call to an
 * orchestrator or an agent needs and does not depend on the arguments: Logback's
 * configuration, the YAML reader of the client file, the TLS library (BoringSSL, loaded from a
 * native library) and the JDK's certificate and key factories, Netty's choice of transport, and
 * the services' protobuf descriptors. Each is initialised once per JVM, so the command's own thread finds it ready or
 * waits for the part still in progress; none of it changes what the command does. A short client
 * command is mostly the JVM starting, and on more than one core this overlaps part of that
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

    /**
     * Set once a warm-up thread started; counted down when it has made Logback ready (or failed
     * to). Until then, slf4j would hand any other thread a stand-in factory and record its calls.
     */
    private static volatile CountDownLatch loggingReady;

    /** At most this long, the command's thread waits for the warm-up's Logback: far more than it takes. */
    private static final long LOGGING_WAIT_S = 10;

    /** Starts the warm-up on a daemon thread when {@code args} want it; the JVM does not wait for it. */
    public static void start(String... args) {
        if (!wanted(args)) {
            return;
        }
        CountDownLatch ready = new CountDownLatch(1);
        loggingReady = ready;
        inBackground(() -> {
            // Logback first: Netty's classes log through it, and nothing else may use slf4j
            // while it starts (see awaitLogging).
            try {
                step(LoggerFactory::getILoggerFactory);
            } finally {
                ready.countDown();
            }
            // While the command's thread builds the root command: the subcommand's annotations;
            // then what it needs next, reading a client file.
            step(() -> Subcommands.readAnnotations(args));
            now();
        });
    }

    /**
     * Waits until a warm-up thread, if one was started, has made Logback ready. The command's
     * thread calls this before it first uses slf4j (setting the log levels): while another thread
     * starts Logback, slf4j answers with a stand-in factory, on which the levels would be lost,
     * and replays what was logged meanwhile with a warning on stderr.
     */
    public static void awaitLogging() {
        CountDownLatch ready = loggingReady;
        if (ready == null) {
            return;
        }
        try {
            ready.await(LOGGING_WAIT_S, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code work} on a daemon thread, its result and failure ignored: for a first use that
     * makes later ones faster (class loading, a mapper's set-up) while the command waits anyway.
     */
    public static void inBackground(Runnable work) {
        Thread thread = new Thread(() -> step(work), "livemig-warmup");
        thread.setDaemon(true);
        thread.start();
    }

    /** The warm-up on the calling thread (the class-data-sharing training runs it, to archive what it loads). */
    public static void now() {
        List<Runnable> steps = List.of(
                LoggerFactory::getILoggerFactory,
                () -> {
                    try {
                        ClientTarget.readSampleClientFile();
                    } catch (ConfigException e) {
                        // A sample that does not read is this build's bug; a real file is read anyway.
                    }
                },
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
                    } catch (GeneralSecurityException e) {
                        // The command's own thread meets the same and reports it.
                    }
                },
                OrchestratorServiceGrpc::getServiceDescriptor,
                AgentServiceGrpc::getServiceDescriptor);
        steps.forEach(ClientWarmup::step);
    }

    private static void step(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | LinkageError e) {
            // Only a head start: whatever fails here fails again, and is reported, where it is used.
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
