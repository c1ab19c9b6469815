package io.livemig.common.tls;

/**
 * How a livemig server serves and a livemig client connects: mutual TLS with certificates from one
 * CA ({@link TlsSettings}), or plaintext without any authentication ({@link Insecure}), which has
 * to be asked for explicitly.
 */
public sealed interface TransportSecurity permits TlsSettings, TransportSecurity.Insecure {

    /** Plaintext gRPC: no encryption, no client authentication. */
    record Insecure() implements TransportSecurity {}

    Insecure INSECURE = new Insecure();
}
