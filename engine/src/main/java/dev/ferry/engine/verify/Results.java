package dev.ferry.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the checks found on the source (at plan time) and on the target, and the words for both. */
final class Results {

    private Results() {
    }

    /** The source's answers by check name, as {@code source_results} records them. */
    static Map<String, Prober.Answer> sourceAnswers(JsonNode sourceResults) {
        Map<String, Prober.Answer> answers = new LinkedHashMap<>();
        if (sourceResults != null) {
            sourceResults.forEach(node -> answers.put(node.path("check").asText(),
                    new Prober.Answer(node.path("answered").asBoolean(), node.path("detail").asText())));
        }
        return answers;
    }

    static ArrayNode sourceJson(List<Check> checks, Map<String, Prober.Answer> answers) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Check check : checks) {
            Prober.Answer answer = answers.get(check.name());
            if (answer != null) {
                array.addObject().put("check", check.name()).put("answered", answer.answered()).put("detail", answer.detail());
            }
        }
        return array;
    }

    /**
     * A check the target must pass: one that answered on the source, or any check when the source could not be
     * probed (no address known), since then there is nothing to compare with.
     */
    static boolean required(Check check, Optional<String> sourceAddress, Map<String, Prober.Answer> source) {
        return sourceAddress.isEmpty() || Optional.ofNullable(source.get(check.name())).map(Prober.Answer::answered).orElse(true);
    }

    /** One line per check for the outputs ({@code show}, the apply summary, JSON). */
    static ArrayNode targetJson(List<Check> checks, Optional<String> sourceAddress, Map<String, Prober.Answer> source,
                                Map<String, Prober.Answer> target) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Check check : checks) {
            ObjectNode line = array.addObject().put("check", check.name());
            Prober.Answer before = source.get(check.name());
            line.put("source", sourceAddress.isEmpty() ? "not probed" : before != null && before.answered() ? "answered" : "did not answer");
            Prober.Answer after = target.get(check.name());
            line.put("target", after.answered() ? "answers" : "does not answer");
            line.put("required", required(check, sourceAddress, source));
            line.put("detail", after.detail());
        }
        return array;
    }

    /** "443 answered on the source and answers on the Linode"; what plans and summaries say of one check. */
    static String sentence(JsonNode line, String target) {
        String check = line.path("check").asText();
        String source = line.path("source").asText();
        boolean answers = line.path("target").asText().equals("answers");
        return switch (source) {
            case "answered" -> check + " answered on the source and " + (answers ? "answers" : "does not answer") + " on " + target;
            case "did not answer" -> check + " did not answer on the source" + (answers ? " but answers on " + target : " (not required)");
            default -> check + (answers ? " answers" : " does not answer") + " on " + target;
        };
    }

    /** The target in words: the Linode, the EC2 instance. */
    static String targetNoun(String kind) {
        return switch (kind) {
            case "linode" -> "the Linode";
            case "ec2" -> "the EC2 instance";
            default -> "the target";
        };
    }
}
