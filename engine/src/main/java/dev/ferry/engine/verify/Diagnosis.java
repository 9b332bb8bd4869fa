package dev.ferry.engine.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The message of a verification that failed: which checks answered on the source and not on the target, what they
 * saw, and where to look — the firewall (a rule that was not carried over), the boot (nothing answers at all), the
 * service (one port answers and another does not) — and that nothing was removed.
 */
final class Diagnosis {

    private Diagnosis() {
    }

    static String message(List<Check> failing, int checked, Optional<String> sourceAddress, String targetAddress, String targetKind,
                          Map<String, Prober.Answer> target, Map<Integer, List<String>> sourceRules, Duration waited) {
        String noun = Results.targetNoun(targetKind);
        StringBuilder text = new StringBuilder();
        List<String> lines = new ArrayList<>();
        for (Check check : failing) {
            lines.add(check.name() + " (" + target.get(check.name()).detail() + ")");
        }
        text.append(failing.size() == 1 ? "1 check" : failing.size() + " checks")
                .append(sourceAddress.map(a -> " that answered on the source " + a).orElse(""))
                .append(failing.size() == 1 ? " does" : " do").append(" not answer on ").append(noun).append(' ').append(targetAddress)
                .append(" after ").append(words(waited)).append(": ").append(String.join(", ", lines)).append(".\n  Look at:");
        boolean nothingAnswers = failing.size() == checked;
        if (nothingAnswers) {
            text.append("\n  - the boot: nothing answers, so check that ").append(noun).append(" booted from the migrated disk (")
                    .append(console(targetKind)).append(") and that ").append(targetAddress).append(" is the address to probe");
        }
        text.append("\n  - the firewall: ").append(firewall(targetKind, ports(failing)));
        failing.stream().map(Check::port).distinct().filter(port -> !sourceRules.getOrDefault(port, List.of()).isEmpty())
                .forEach(port -> text.append("\n    on the source, TCP ").append(port).append(" came in by ")
                        .append(String.join("; ", sourceRules.get(port))));
        text.append("\n  - the service: is what listens on ").append(ports(failing)).append(" on the source enabled and running on ")
                .append(noun).append(" (systemctl status; its logs)?");
        for (Check check : failing) {
            String detail = target.get(check.name()).detail();
            if (detail.startsWith("answered ")) {
                text.append("\n  - ").append(check.name()).append(" reaches the service, which ").append(detail)
                        .append(": look at the application's logs and configuration");
            }
        }
        text.append("\n  Nothing was removed: ").append(noun).append(" and everything before it stay as they are. Fix the cause and run"
                + " 'ferry apply' again: only the checks run again.");
        return text.toString();
    }

    private static String ports(List<Check> failing) {
        List<String> ports = failing.stream().map(c -> "TCP " + c.port()).distinct().toList();
        return String.join(", ", ports);
    }

    private static String firewall(String kind, String ports) {
        return switch (kind) {
            case "linode" -> "does the Linode's Cloud Firewall accept " + ports + " inbound? Add a rule under 'firewall.rules' in the"
                    + " file (or to the source's security group, which ferry translates; the plan warns of rules it could not)";
            case "ec2" -> "do the security groups in 'target.ec2.security_groups' allow " + ports + " inbound, and the subnet's"
                    + " network ACL and route table let you reach it?";
            default -> "does the target's firewall let " + ports + " in?";
        };
    }

    private static String console(String kind) {
        return switch (kind) {
            case "linode" -> "the Linode's Lish console or 'linode-cli linodes view'";
            case "ec2" -> "'aws ec2 get-console-output'";
            default -> "the cloud's console";
        };
    }

    static String words(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 120) {
            return seconds + "s";
        }
        return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
    }
}
