package dev.ferry.provider.linode;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.LinodeExchange;
import dev.ferry.sandbox.testing.LinodeOpenApiValidator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Every Linode exchange of a sandbox checked with the sandbox's OpenAPI validator
 * ({@link LinodeOpenApiValidator#shared()}), with two allowances for flaws of the description itself:
 * <ul>
 *   <li>an image id in a path is written as the API's documentation and linode-cli write it,
 *       {@code /images/private/12345}, which the one-segment {@code /images/{imageId}} does not match; it is
 *       checked as {@code /images/private%2F12345};</li>
 *   <li>the {@code X-Filter} header's schema is {@code oneOf} a "simple filter" (any object) and the operators
 *       object, so a filter made only of operators ({@code {"+or": [...]}}) matches both and can never pass;
 *       that one complaint is not counted for such a filter;</li>
 *   <li>the body of {@code PUT /networking/firewalls/{id}/rules} narrows {@code inbound} and {@code outbound} with
 *       a bare {@code required} list that the validator reads as "an object", though both are arrays of rules
 *       (the sandbox's repair of such overlays covers only those with {@code additionalProperties: false}); that
 *       type complaint about those two arrays is not counted.</li>
 * </ul>
 */
final class OpenApiCheck implements Consumer<LinodeExchange>, AfterEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RULES_PATH = Pattern.compile("/v4/networking/firewalls/\\d+/rules");
    private static final Pattern RULE_LIST_AS_OBJECT = Pattern.compile(
            "\\[Path '/(inbound|outbound)'\\] Instance type \\(array\\) does not match any allowed primitive type \\(allowed: \\[\"object\"\\]\\)");
    private static final Pattern IMAGE_PATH = Pattern.compile("(/images/)(private|linode)/([^/]+)");

    private final OpenApiInteractionValidator validator = LinodeOpenApiValidator.shared();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger checked = new AtomicInteger();

    static OpenApiCheck attachTo(Sandbox sandbox) {
        OpenApiCheck check = new OpenApiCheck();
        sandbox.onLinodeExchange(check);
        return check;
    }

    @Override
    public void accept(LinodeExchange exchange) {
        String path = IMAGE_PATH.matcher(exchange.path()).replaceFirst("$1$2%2F$3");
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(exchange.method()), path);
        exchange.requestHeaders().forEach(request::withHeader);
        if (exchange.requestBody().length > 0) {
            request.withBody(exchange.requestBody());
        }
        if (exchange.query() != null) {
            for (String pair : exchange.query().split("&")) {
                int eq = pair.indexOf('=');
                request.withQueryParam(HttpCall.decode(eq < 0 ? pair : pair.substring(0, eq)),
                        eq < 0 ? "" : HttpCall.decode(pair.substring(eq + 1)));
            }
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
        exchange.responseHeaders().forEach(response::withHeader);
        if (exchange.responseBody().length > 0) {
            response.withBody(exchange.responseBody());
        }
        ValidationReport report = validator.validate(request.build(), response.build());
        checked.incrementAndGet();
        for (ValidationReport.Message message : report.getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR && !operatorsOnlyFilter(exchange, message)
                    && !ruleListsReadAsObjects(exchange, message)) {
                violations.add(exchange.method() + " " + exchange.path() + " -> " + exchange.status() + ": [" + message.getKey() + "] "
                        + message.getMessage().replace('\n', ' '));
            }
        }
    }

    private static boolean operatorsOnlyFilter(LinodeExchange exchange, ValidationReport.Message message) {
        List<String> filter = exchange.requestHeaders().get("x-filter");
        if (!message.getKey().equals("validation.request.parameter.schema.oneOf") || filter == null || filter.isEmpty()) {
            return false;
        }
        try {
            JsonNode parsed = JSON.readTree(filter.get(0));
            List<String> keys = new ArrayList<>();
            parsed.fieldNames().forEachRemaining(keys::add);
            return parsed.isObject() && !keys.isEmpty() && keys.stream().allMatch(key -> key.startsWith("+"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean ruleListsReadAsObjects(LinodeExchange exchange, ValidationReport.Message message) {
        return exchange.method().equals("PUT") && RULES_PATH.matcher(exchange.path()).matches()
                && message.getKey().equals("validation.request.body.schema.type")
                && RULE_LIST_AS_OBJECT.matcher(message.getMessage()).find();
    }

    int checkedCount() {
        return checked.get();
    }

    void assertNoViolations() {
        List<String> found = new ArrayList<>(violations);
        violations.clear();
        if (!found.isEmpty()) {
            throw new AssertionError("Linode API exchanges violate the OpenAPI description:\n  " + String.join("\n  ", found));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoViolations();
    }
}
