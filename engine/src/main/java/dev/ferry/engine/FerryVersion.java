package dev.ferry.engine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of ferry, as the build stamped it. */
public final class FerryVersion {

    private static final String VERSION = load();

    private FerryVersion() {
    }

    public static String get() {
        return VERSION;
    }

    private static String load() {
        Properties properties = new Properties();
        try (InputStream in = FerryVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return properties.getProperty("version", "unknown");
    }
}
