package dev.ferry.provider.linode;

import java.util.List;
import java.util.Optional;

/**
 * A rule of the firewall to make before its label is chosen: {@code explicitLabel} is the one the file
 * gives, {@code labelBase} what a label is derived from otherwise.
 */
record UnlabelledRule(FirewallDirection direction, Optional<String> explicitLabel, String labelBase,
                      Optional<String> description, String action, String protocol, Optional<String> ports,
                      List<String> ipv4, List<String> ipv6) {
}
