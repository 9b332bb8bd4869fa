package dev.ferry.sandbox.world;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads a world file, and words what is wrong with one by file, line and column, with what to change. */
final class WorldFileReader {

    private WorldFileReader() {
    }

    /**
     * Reads a world file (YAML, or JSON which is YAML too).
     *
     * @throws IllegalArgumentException naming the file, line and column, and what to change
     */
    static SandboxWorld load(Path file) {
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory())
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try {
            SandboxWorld world = mapper.readValue(Files.readString(file), SandboxWorld.class);
            if (world == null) {
                throw new IllegalArgumentException(file + ": the world file is empty");
            }
            return world;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + keyLocation(file, e.getPropertyName(), e.getLocation())
                    + ": unknown key '" + e.getPropertyName() + "'"
                    + suggestion(e.getPropertyName(), e.getKnownPropertyIds()), e);
        } catch (JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException || e.getCause() instanceof NullPointerException
                    ? e.getCause() : e;
            String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
            throw new IllegalArgumentException(file + where(e.getLocation()) + ": " + message, e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + where(e.getLocation()) + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read world file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where the unknown key itself is: the parser reports the position after its value, so the key is looked
     * up on that line and the lines before it.
     */
    private static String keyLocation(Path file, String key, JsonLocation reported) {
        try {
            List<String> lines = Files.readAllLines(file);
            int last = reported == null || reported.getLineNr() < 1 ? lines.size()
                    : Math.min(lines.size(), reported.getLineNr());
            Pattern asKey = Pattern.compile("^(\\s*(?:-\\s*)?)[\"']?" + Pattern.quote(key) + "[\"']?\\s*:");
            for (int i = last - 1; i >= 0; i--) {
                Matcher m = asKey.matcher(lines.get(i));
                if (m.find()) {
                    return ":" + (i + 1) + ":" + (m.group(1).length() + 1);
                }
            }
        } catch (IOException e) {
            // fall back to the parser's position
        }
        return where(reported);
    }

    private static String where(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return ":" + location.getLineNr() + ":" + location.getColumnNr();
    }

    private static String suggestion(String unknown, Collection<Object> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> names = new ArrayList<>();
        for (Object k : known) {
            String name = String.valueOf(k);
            names.add(name);
            int d = distance(unknown, name);
            if (d < bestDistance) {
                bestDistance = d;
                best = name;
            }
        }
        if (best != null && bestDistance <= Math.max(2, unknown.length() / 3)) {
            return " (did you mean '" + best + "'?)";
        }
        names.sort(String::compareTo);
        return " (known keys: " + String.join(", ", names) + ")";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
