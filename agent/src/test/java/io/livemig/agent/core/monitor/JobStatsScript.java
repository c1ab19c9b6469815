package io.livemig.agent.core.monitor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recorded sequence of job statistics from {@code src/test/resources/jobstats/}: CSV with a
 * header of libvirt's typed-parameter names (plus {@code segment} and the raw {@code job_type}),
 * '#' comment lines, empty cells for fields libvirt did not report. Rows of segment "precopy"
 * are timed from the start of the job; rows of segment "postcopy" are what libvirt reported
 * after the switch to post-copy, timed from the switch. A row whose job type is not active
 * (3 completed, 4 failed, 5 cancelled) ends the job.
 */
record JobStatsScript(String name, List<Row> precopy, List<Row> postcopy) {

    /** One recorded virDomainGetJobStats answer. */
    record Row(int rawJobType, long atMs, Map<String, Object> fields) {
        Row {
            fields = Map.copyOf(fields);
        }

        boolean ends() {
            return rawJobType != 1 && rawJobType != 2;
        }

        long iteration() {
            Object it = fields.get("memory_iteration");
            return it == null ? -1 : (Long) it;
        }
    }

    JobStatsScript {
        precopy = List.copyOf(precopy);
        postcopy = List.copyOf(postcopy);
    }

    static JobStatsScript load(String name) {
        String resource = "/jobstats/" + name;
        try (InputStream in = JobStatsScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String[] header = null;
            List<Row> precopy = new ArrayList<>();
            List<Row> postcopy = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (header == null) {
                    header = line.split(",");
                    continue;
                }
                // The last column (errmsg) may hold commas.
                String[] cells = line.split(",", header.length);
                String segment = null;
                int jobType = 0;
                Map<String, Object> fields = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    String cell = i < cells.length ? cells[i].trim() : "";
                    switch (header[i]) {
                        case "segment" -> segment = cell;
                        case "job_type" -> jobType = Integer.parseInt(cell);
                        case "errmsg" -> {
                            if (!cell.isEmpty()) {
                                fields.put("errmsg", cell);
                            }
                        }
                        case "success" -> {
                            if (!cell.isEmpty()) {
                                fields.put("success", "1".equals(cell));
                            }
                        }
                        default -> {
                            if (!cell.isEmpty()) {
                                fields.put(header[i], Long.parseLong(cell));
                            }
                        }
                    }
                }
                Row row = new Row(jobType, (Long) fields.get("time_elapsed"), fields);
                if ("precopy".equals(segment)) {
                    precopy.add(row);
                } else if ("postcopy".equals(segment)) {
                    postcopy.add(row);
                } else {
                    throw new IllegalArgumentException(resource + ": unknown segment " + segment);
                }
            }
            return new JobStatsScript(name, precopy, postcopy);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
