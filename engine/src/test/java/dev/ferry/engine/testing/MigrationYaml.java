package dev.ferry.engine.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A migration file for tests, written the way the examples are: header, providers, staging, then one
 * flow-style migration per {@link #migration}. Each section is given as the YAML it stands for, so a test
 * still reads like the file it plans, without repeating the parts every file has.
 *
 * <pre>{@code
 * MigrationYaml.named("staging").provider("aws", "{region: us-west-1}").provider("linode", "{}")
 *         .staging("{bucket: b, create: true}")
 *         .migration("web-01", "{ec2: {instance: i-0e1dc0292b0ae7293, via: export}}", MigrationYaml.LINODE_TARGET)
 *         .yaml();
 * }</pre>
 */
public final class MigrationYaml {

    /** The Linode target most journey A tests use: us-lax, the root password from ROOT_PASS. */
    public static final String LINODE_TARGET = "{linode: {region: us-lax, root_pass: \"${env:ROOT_PASS}\"}}";

    private final String name;
    private final Map<String, String> providers = new LinkedHashMap<>();
    private String staging;
    private final List<String> migrations = new ArrayList<>();

    private MigrationYaml(String name) {
        this.name = name;
    }

    /** A file whose metadata.name is {@code name}. */
    public static MigrationYaml named(String name) {
        return new MigrationYaml(name);
    }

    /** {@code providers.KIND: BLOCK}, in the order given. */
    public MigrationYaml provider(String kind, String block) {
        providers.put(kind, block);
        return this;
    }

    /** {@code staging: BLOCK}. */
    public MigrationYaml staging(String block) {
        this.staging = block;
        return this;
    }

    /** One migration with its {@code source} and {@code target} blocks. */
    public MigrationYaml migration(String migration, String source, String target) {
        migrations.add("  - name: " + migration + "\n    source: " + source + "\n    target: " + target + "\n");
        return this;
    }

    /** Migrations already written as YAML list items (two-space indent), appended as they are. */
    public MigrationYaml migrations(String items) {
        migrations.add(items);
        return this;
    }

    public String yaml() {
        StringBuilder yaml = new StringBuilder("apiVersion: ferry/v1\nkind: Migration\nmetadata: {name: ").append(name).append("}\n");
        yaml.append("providers:\n");
        providers.forEach((kind, block) -> yaml.append("  ").append(kind).append(": ").append(block).append('\n'));
        if (staging != null) {
            yaml.append("staging: ").append(staging).append('\n');
        }
        yaml.append("migrations:\n");
        migrations.forEach(yaml::append);
        return yaml.toString();
    }

    @Override
    public String toString() {
        return yaml();
    }
}
