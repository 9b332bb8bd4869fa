package dev.ferry.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of ferry and the commit it was built from, as the build stamped them. */
public final class FerryVersion {

    private static final Properties STAMP = load();

    private FerryVersion() {
    }

    public static String get() {
        return STAMP.getProperty("version", "unknown");
    }

    /** The short git commit of the build, or {@code unknown} when the build had no git to ask. */
    public static String commit() {
        String commit = STAMP.getProperty("commit", "").trim();
        return commit.matches("[0-9a-f]{4,40}") ? commit : "unknown";
    }

    /** What {@code ferry --version} prints first: {@code ferry 0.1.0 (commit abc1234)}. */
    public static String describe() {
        String commit = commit();
        return "ferry " + get() + (commit.equals("unknown") ? " (commit unknown)" : " (commit " + commit + ")");
    }

    /** version.properties (filtered by Maven) and commit.properties (written from git by the build). */
    private static Properties load() {
        Properties properties = new Properties();
        for (String resource : new String[] {"version.properties", "commit.properties"}) {
            try (InputStream in = FerryVersion.class.getResourceAsStream(resource)) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                // a stamp that cannot be read is "unknown", like one that is missing
            }
        }
        return properties;
    }
}
