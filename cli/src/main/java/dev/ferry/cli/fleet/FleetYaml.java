package dev.ferry.cli.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.util.List;

/** The YAML both manifests are written in: block style, multi-line text as literal blocks, no line folding. */
final class FleetYaml {

    static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build())
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private FleetYaml() {
    }

    /** {@code comments} as {@code #} lines, then each document after a {@code ---} line. */
    static String documents(List<String> comments, List<?> documents) {
        StringBuilder text = new StringBuilder();
        for (String comment : comments) {
            text.append(comment.isEmpty() ? "#" : "# " + comment).append('\n');
        }
        for (Object document : documents) {
            String written = write(document);
            text.append("---\n").append(written).append(written.endsWith("\n") ? "" : "\n");
        }
        return text.toString();
    }

    static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + document.getClass().getSimpleName() + " as YAML", e);
        }
    }
}
