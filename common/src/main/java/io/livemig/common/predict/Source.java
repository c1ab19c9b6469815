package io.livemig.common.predict;

/** Where a figure given to the predictor comes from. */
public enum Source {
    /** Asked of the hypervisor for this VM, now. */
    MEASURED,
    /** Learned from earlier migrations of this VM (e.g. the bytes of a first pass). */
    LEARNED,
    /** Not known: a stand-in, usually the worst case (e.g. every page non-zero). */
    ESTIMATED
}
