package io.livemig.agent.core;

/** libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
public final class LibvirtVersions {

    private LibvirtVersions() {
    }

    /** 11003000 becomes "11.3.0"; negative values become "unknown". */
    public static String dotted(long encoded) {
        if (encoded < 0) {
            return "unknown";
        }
        return (encoded / 1_000_000) + "." + (encoded / 1_000 % 1_000) + "." + (encoded % 1_000);
    }
}
