package dev.ferry.provider.linode;

import dev.ferry.engine.machine.FirewallIntent;
import dev.ferry.engine.spec.FirewallSpec;

/** Which list of a Linode Cloud Firewall a rule goes in, with the words labels and messages use for it. */
enum FirewallDirection {
    INBOUND("in", "inbound"), OUTBOUND("out", "outbound");

    final String prefix;
    final String word;

    FirewallDirection(String prefix, String word) {
        this.prefix = prefix;
        this.word = word;
    }

    static FirewallDirection of(FirewallIntent.Direction direction) {
        return switch (direction) {
            case INBOUND -> INBOUND;
            case OUTBOUND -> OUTBOUND;
        };
    }

    static FirewallDirection of(FirewallSpec.Direction direction) {
        return switch (direction) {
            case INBOUND -> INBOUND;
            case OUTBOUND -> OUTBOUND;
        };
    }
}
