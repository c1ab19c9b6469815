package io.livemig.common.tls;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.livemig.common.config.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.function.Function;

/**
 * gRPC credentials from {@link TransportSecurity}: servers require a client certificate from the
 * CA; clients present their own and check the server's certificate against the address they dial
 * (lab certificates carry the hosts' IP addresses as SANs).
 */
public final class GrpcTls {

    private GrpcTls() {
    }

    public static ServerCredentials serverCredentials(TransportSecurity security) throws ConfigException {
        if (!(security instanceof TlsSettings tls)) {
            return InsecureServerCredentials.create();
        }
        try {
            return TlsServerCredentials.newBuilder()
                    .keyManager(KeyManagers.of(tls.cert(), tls.key()))
                    .trustManager(ClientTrust.of(tls.ca()))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw unusable(tls, e);
        }
    }

    public static ChannelCredentials channelCredentials(TransportSecurity security) throws ConfigException {
        if (!(security instanceof TlsSettings tls)) {
            return InsecureChannelCredentials.create();
        }
        try {
            return TlsChannelCredentials.newBuilder()
                    .keyManager(KeyManagers.of(tls.cert(), tls.key()))
                    .trustManager(tls.ca().toFile())
                    .build();
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw unusable(tls, e);
        }
    }

    /** Opens channels to "host:port" addresses with these credentials. */
    public static Function<String, ManagedChannel> opener(TransportSecurity security) throws ConfigException {
        ChannelCredentials credentials = channelCredentials(security);
        return address -> Grpc.newChannelBuilder(address, credentials).build();
    }

    /** A Netty server builder on host:port with these credentials (TLS: client certificates required). */
    public static NettyServerBuilder serverBuilder(String host, int port, TransportSecurity security)
            throws ConfigException {
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port), serverCredentials(security));
    }

    private static ConfigException unusable(TlsSettings tls, Exception e) {
        return new ConfigException("cannot use TLS files (ca " + tls.ca() + ", cert " + tls.cert() + ", key "
                + tls.key() + "): " + e.getMessage());
    }
}
