package dev.ferry.sandbox.aws;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** EC2 resource ids: the shape each kind must have, and looking several up at once with EC2's not-found wording. */
final class Ec2Ids {

    private Ec2Ids() {
    }

    static void checkIds(String prefix, String code, Collection<String> ids) {
        Pattern pattern = Pattern.compile(Pattern.quote(prefix) + "-([0-9a-f]{8}|[0-9a-f]{17})");
        for (String id : ids) {
            if (!pattern.matcher(id).matches()) {
                throw AwsException.badRequest(code, "Invalid id: \"" + id + "\"");
            }
        }
    }

    static <T> List<T> byIds(Map<String, T> all, List<String> ids, String code, String noun) {
        List<String> missing = ids.stream().filter(i -> !all.containsKey(i)).distinct().toList();
        if (!missing.isEmpty()) {
            String list = String.join(", ", missing);
            throw AwsException.badRequest(code, missing.size() == 1
                    ? "The " + noun + " '" + list + "' does not exist"
                    : "The " + noun + "s '" + list + "' do not exist");
        }
        return ids.stream().distinct().map(all::get).toList();
    }
}
