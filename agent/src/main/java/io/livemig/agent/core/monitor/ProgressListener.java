package io.livemig.agent.core.monitor;

/**
 * Told about progress after every sample, on the monitor's thread: keep it quick (e.g. hand the
 * value to a stream). Requests to the monitor made from here are carried out before the next wait.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = progress -> { };

    void onProgress(JobProgress progress);
}
