package io.livemig.cli;

import picocli.CommandLine.IVersionProvider;

/** The version is the jar manifest's Implementation-Version, written by the build. */
final class ManifestVersionProvider implements IVersionProvider {

    static String version() {
        String version = ManifestVersionProvider.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown (not run from the packaged jar)";
    }

    @Override
    public String[] getVersion() {
        return new String[] {"livemig " + version()};
    }
}
