package io.livemig.agent.core.rebind;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/** Host path arithmetic on strings: the planner runs on one host and reasons about another's paths. */
final class HostPaths {

    private HostPaths() {
    }

    static boolean isAbsolute(String path) {
        return path != null && path.startsWith("/");
    }

    /** Resolves ".", ".." and repeated or trailing slashes of an absolute path, without touching a file system. */
    static String normalize(String path) {
        if (!isAbsolute(path)) {
            throw new IllegalArgumentException("not an absolute path: '" + path + "'");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** The path below {@code prefix} ("" for the prefix itself), compared component by component. */
    static Optional<String> relativeTo(String prefix, String path) {
        if (!isAbsolute(path)) {
            return Optional.empty();
        }
        String p = normalize(path);
        String base = normalize(prefix);
        if (p.equals(base)) {
            return Optional.of("");
        }
        if (base.equals("/")) {
            return Optional.of(p.substring(1));
        }
        return p.startsWith(base + "/") ? Optional.of(p.substring(base.length() + 1)) : Optional.empty();
    }

    static String join(String directory, String relative) {
        String base = normalize(directory);
        if (relative.isEmpty()) {
            return base;
        }
        return base.equals("/") ? "/" + relative : base + "/" + relative;
    }

    static String fileName(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** The storage (longest prefix first) that holds {@code path}, with the path relative to it. */
    static Optional<Placement> place(List<SharedStorage> storages, String path) {
        Placement best = null;
        for (SharedStorage storage : storages) {
            Optional<String> relative = relativeTo(storage.pathPrefix(), path);
            if (relative.isPresent() && (best == null || storage.pathPrefix().length() > best.storage().pathPrefix().length())) {
                best = new Placement(storage, relative.get());
            }
        }
        return Optional.ofNullable(best);
    }

    /** Where a path lies on shared storage. */
    record Placement(SharedStorage storage, String relativePath) {
    }
}
