package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every XML parser in the code base is closed to DTDs and external entities: a source that makes
 * one must switch the JDK's secure processing on and refuse DOCTYPE declarations. Domain XML and
 * capabilities come from libvirt daemons and peers, so they are untrusted input.
 */
class XmlParsersTest {

    private static final List<Path> SOURCES = List.of(Path.of("src/main/java"), Path.of("../orchestrator/src/main/java"),
            Path.of("../cli/src/main/java"));

    @Test
    void everyXmlParserIsHardened() throws IOException {
        List<String> parsers = new ArrayList<>();
        List<String> unsafe = new ArrayList<>();
        for (Path root : SOURCES) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                    String text = read(f);
                    boolean parses = Stream.of("DocumentBuilderFactory.new", "SAXParserFactory.new", "XMLInputFactory.new",
                            "XMLReaderFactory", "SchemaFactory.new").anyMatch(text::contains);
                    boolean transforms = text.contains("TransformerFactory.new");
                    if (parses) {
                        parsers.add(f.getFileName().toString());
                        if (!text.contains("disallow-doctype-decl") || !text.contains("FEATURE_SECURE_PROCESSING")
                                || !text.contains("setXIncludeAware(false)")) {
                            unsafe.add(f + ": parser without DOCTYPE refusal, secure processing and XInclude off");
                        }
                    }
                    if (transforms && !text.contains("ACCESS_EXTERNAL_STYLESHEET")) {
                        unsafe.add(f + ": transformer that may load external stylesheets");
                    }
                });
            }
        }
        assertFalse(parsers.isEmpty(), "no XML parser found from " + Path.of("").toAbsolutePath());
        assertEquals(List.of(), unsafe);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
