package io.livemig.common.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.livemig.common.input.Inputs;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each key and list item of a YAML file is, by JSON pointer ("/hosts/1/agent"), so that
 * a value refused after Jackson has read the file is reported at its line.
 */
public final class YamlLines {

    private static final YAMLFactory YAML = new YAMLFactory();

    private final String source;
    private final Map<String, Integer> lines;

    private YamlLines(String source, Map<String, Integer> lines) {
        this.source = source;
        this.lines = lines;
    }

    /** The lines of a file Jackson has read already; a file it cannot tokenise has none. */
    static YamlLines of(String yaml, String source) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                lines.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(),
                        parser.currentTokenLocation().getLineNr());
            }
        } catch (IOException e) {
            // the file was read before; without positions, messages name the file only
        }
        return new YamlLines(source, lines);
    }

    /** For values that did not come from a file. */
    public static YamlLines none(String source) {
        return new YamlLines(source, Map.of());
    }

    /** The line of the pointer, else of its nearest enclosing key or item that is in the file; 0 if none. */
    public int line(String pointer) {
        for (String p = pointer; !p.isEmpty(); p = p.substring(0, p.lastIndexOf('/'))) {
            Integer line = lines.get(p);
            if (line != null && line > 0) {
                return line;
            }
        }
        return 0;
    }

    /** "file:line: " for the pointer, or "file: " when it has no line. */
    public String at(String pointer) {
        int line = line(pointer);
        return line > 0 ? source + ":" + line + ": " : source + ": ";
    }

    /** Refuses the value at {@code pointer} with "file:line: " and {@code problem}, if there is one. */
    public void refuse(String pointer, Optional<String> problem) throws ConfigException {
        if (problem.isPresent()) {
            throw new ConfigException(at(pointer) + problem.get());
        }
    }

    /** A daemon's {@code listen} and optional {@code metrics_listen} addresses, checked alike in every file. */
    public void refuseBadListen(String listen, String metricsListen) throws ConfigException {
        refuse("/listen", Inputs.listenAddress("listen", listen));
        refuse("/metrics_listen", Inputs.optionalListenAddress("metrics_listen", metricsListen, listen));
    }

    /**
     * A server's {@code allow} list: each entry an identity (a certificate's CN, e.g. operator),
     * each once; a refusal is at the entry's line.
     */
    public void refuseBadAllow(List<String> allow) throws ConfigException {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < allow.size(); i++) {
            int index = i;
            String entry = allow.get(i);
            String pointer = "/allow/" + i;
            if (entry == null) {
                throw new ConfigException(at(pointer) + "allow[" + i + "] is empty: give an identity, the CN of a "
                        + "certificate such as operator");
            }
            refuse(pointer, Inputs.identity(entry).map(problem -> "allow[" + index + "]: " + problem
                    + "; allow lists certificate CNs such as operator"));
            Integer first = seen.putIfAbsent(entry, i);
            if (first != null) {
                throw new ConfigException(at(pointer) + "allow[" + i + "]: identity '" + entry
                        + "' is listed twice (first as allow[" + first + "])");
            }
        }
    }

    public String source() {
        return source;
    }
}
