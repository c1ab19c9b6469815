package io.livemig.orchestrator.model;

/** Compression of the memory pages sent; DEFAULT leaves the choice to the agent's policy. */
public enum PageCompression {
    DEFAULT,
    NONE,
    XBZRLE,
    ZSTD
}
