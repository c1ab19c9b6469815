package io.livemig.common.grpc;

import io.grpc.Status;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A call that ran out of time, in words rather than in gRPC's own description of its internals. */
public final class Deadlines {

    /** gRPC's description: "CallOptions deadline exceeded after 9.998207937s. Name resolution delay ...". */
    private static final Pattern AFTER = Pattern.compile("deadline exceeded after (\\d+(?:\\.\\d+)?)s");

    private Deadlines() {
    }

    /**
     * For a DEADLINE_EXCEEDED status: "did not answer within 10 s" (the time gRPC waited, rounded),
     * or "did not answer in time" when its description does not say; null for any other status.
     */
    public static String noAnswer(Status status) {
        if (status.getCode() != Status.Code.DEADLINE_EXCEEDED) {
            return null;
        }
        Matcher m = AFTER.matcher(String.valueOf(status.getDescription()));
        if (!m.find()) {
            return "did not answer in time";
        }
        return String.format(Locale.ROOT, "did not answer within %d s", Math.round(Double.parseDouble(m.group(1))));
    }
}
