package io.livemig.cli.command;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.jar.Manifest;
import picocli.CommandLine.IVersionProvider;

/**
 * The version is the jar manifest's Implementation-Version, written by the build, with the git
 * commit it was built from (Livemig-Commit) when the build had one.
 */
final class ManifestVersionProvider implements IVersionProvider {

    static String version() {
        String version = ManifestVersionProvider.class.getPackage().getImplementationVersion();
        return version != null ? version : "unknown (not run from the packaged jar)";
    }

    /** The commit of the build, or null: not built from a git checkout, or not run from the jar. */
    static String commit() {
        URL self = ManifestVersionProvider.class.getResource(ManifestVersionProvider.class.getSimpleName() + ".class");
        if (self == null || !"jar".equals(self.getProtocol())) {
            return null;
        }
        String jar = self.toString();
        try (InputStream in = new URL(jar.substring(0, jar.indexOf("!/") + 2) + "META-INF/MANIFEST.MF").openStream()) {
            return commitOf(new Manifest(in));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Livemig-Commit, unless blank or left unexpanded ("${...}") by a build without git. */
    static String commitOf(Manifest manifest) {
        String commit = manifest.getMainAttributes().getValue("Livemig-Commit");
        return commit == null || commit.isBlank() || commit.contains("${") ? null : commit.strip();
    }

    /** "livemig 0.1.0 (commit 1a2b3c4d5e6f)", or without the commit when there is none. */
    static String line() {
        String commit = commit();
        return "livemig " + version() + (commit == null ? "" : " (commit " + commit + ")");
    }

    @Override
    public String[] getVersion() {
        String java = "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")";
        return new String[] {line(), java};
    }
}
