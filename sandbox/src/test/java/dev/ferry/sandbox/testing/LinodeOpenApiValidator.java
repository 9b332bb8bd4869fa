package dev.ferry.sandbox.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.whitelist.ValidationErrorsWhitelist;
import com.atlassian.oai.validator.whitelist.rule.WhitelistRules;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.LinodeExchange;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Checks every Linode API request and response against the official OpenAPI description (4.189.0) with
 * swagger-request-validator. Attach it to a sandbox; violations are collected and reported by
 * {@link #assertNoViolations()}, which also runs after each test when the validator is registered as a
 * JUnit extension:
 *
 * <pre>
 * &#64;RegisterExtension
 * final LinodeOpenApiValidator openApi = LinodeOpenApiValidator.attachTo(sandbox);
 * </pre>
 *
 * The description is parsed once per JVM (it is 3.6 MB).
 */
public final class LinodeOpenApiValidator implements Consumer<LinodeExchange>, AfterEachCallback {

    private static final String SPEC = "/linode/openapi-4.189.0.yaml.gz";
    private static volatile OpenApiInteractionValidator shared;

    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger validated = new AtomicInteger();
    private final OpenApiInteractionValidator validator;

    private LinodeOpenApiValidator(OpenApiInteractionValidator validator) {
        this.validator = validator;
    }

    /** A validator listening to every Linode exchange of {@code sandbox}. */
    public static LinodeOpenApiValidator attachTo(Sandbox sandbox) {
        LinodeOpenApiValidator validator = new LinodeOpenApiValidator(shared());
        sandbox.onLinodeExchange(validator);
        return validator;
    }

    /** The validator for the Linode description, built on first use. */
    public static OpenApiInteractionValidator shared() {
        OpenApiInteractionValidator result = shared;
        if (result == null) {
            synchronized (LinodeOpenApiValidator.class) {
                result = shared;
                if (result == null) {
                    result = OpenApiInteractionValidator.createForInlineApiSpecification(readSpec())
                            .withResolveRefs(true)
                            .withResolveCombinators(true)
                            .withLevelResolver(LevelResolver.create()
                                    // The description allows only the OAuth/PAT schemes it names; the
                                    // sandbox's bearer token is checked by the sandbox itself.
                                    .withLevel("validation.request.security.missing",
                                            ValidationReport.Level.IGNORE)
                                    .build())
                            // The API writes times as 2018-01-01T00:01:01 (no zone), as the description's own
                            // examples do, though it declares format date-time: accept exactly that shape.
                            .withWhitelist(ValidationErrorsWhitelist.create()
                                    .withRule("Linode time stamps", WhitelistRules.allOf(
                                            WhitelistRules.messageHasKey("validation.response.body.schema.format"
                                                    + ".date-time"),
                                            WhitelistRules.messageContainsRegexp(
                                                    "String \"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\" is invalid")))
                                    // A Linode made without an image has "image": null, which the description's
                                    // plain string type does not allow.
                                    .withRule("Linode without image", WhitelistRules.allOf(
                                            WhitelistRules.messageHasKey("validation.response.body.schema.type"),
                                            WhitelistRules.messageContainsSubstring(
                                                    "[Path '/image'] Instance type (null)")))
                                    // The pattern of a config's root_device is prose, not a regular expression.
                                    .withRule("root_device pattern", WhitelistRules.allOf(
                                            WhitelistRules.anyOf(
                                                    WhitelistRules.messageHasKey("validation.request.body.schema.pattern"),
                                                    WhitelistRules.messageHasKey(
                                                            "validation.response.body.schema.pattern")),
                                            WhitelistRules.messageContainsSubstring(
                                                    "regex \"a-z, A-Z, 0-9, /, _, -\"")))
                                    // X-Filter is oneOf [any object, object of +and/+or...]: a +and filter is
                                    // also an object, so it matches both and fails "exactly one".
                                    .withRule("X-Filter combinators", WhitelistRules.allOf(
                                            WhitelistRules.messageHasKey("validation.request.parameter.schema.oneOf"),
                                            WhitelistRules.headerContainsRegexp("X-Filter", ".*\\+(and|or).*"),
                                            WhitelistRules.messageContainsSubstring("matched 2 out of 2"))))
                            .build();
                    shared = result;
                }
            }
        }
        return result;
    }

    /**
     * The description as JSON: the YAML is larger than SnakeYAML's default 3 MB limit, which the parser
     * inside the validator would apply, so it is converted here with the limit raised.
     */
    private static String readSpec() {
        try (InputStream in = LinodeOpenApiValidator.class.getResourceAsStream(SPEC)) {
            if (in == null) {
                throw new IllegalStateException("the Linode OpenAPI description " + SPEC + " is not on the classpath");
            }
            try (InputStream gzip = new GZIPInputStream(in)) {
                LoaderOptions options = new LoaderOptions();
                options.setCodePointLimit(64 * 1024 * 1024);
                ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().loaderOptions(options).build());
                JsonNode tree = yaml.readTree(gzip);
                SpecRepairs.mergeOverlays(tree, tree);
                return new ObjectMapper().writeValueAsString(tree);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(LinodeExchange exchange) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(exchange.method()),
                describedPath(exchange.path()));
        exchange.requestHeaders().forEach(request::withHeader);
        if (exchange.requestBody().length > 0) {
            request.withBody(exchange.requestBody());
        }
        if (exchange.query() != null) {
            for (String pair : exchange.query().split("&")) {
                int eq = pair.indexOf('=');
                String name = HttpCall.decode(eq < 0 ? pair : pair.substring(0, eq));
                request.withQueryParam(name, eq < 0 ? "" : HttpCall.decode(pair.substring(eq + 1)));
            }
        }
        SimpleResponse.Builder response = SimpleResponse.Builder.status(exchange.status());
        exchange.responseHeaders().forEach(response::withHeader);
        if (exchange.responseBody().length > 0) {
            response.withBody(exchange.responseBody());
        }
        ValidationReport report = validator.validate(request.build(), response.build());
        validated.incrementAndGet();
        List<String> found = new ArrayList<>();
        for (ValidationReport.Message message : report.getMessages()) {
            // A request the description calls invalid must be refused: only when it was accepted is that a
            // violation (by the client that sent it, or by a sandbox too lenient). Responses must always conform.
            boolean requestSide = message.getKey().startsWith("validation.request.");
            boolean refused = exchange.status() >= 400 && exchange.status() < 500;
            if (message.getLevel() == ValidationReport.Level.ERROR && !(requestSide && refused)) {
                found.add(exchange.method() + " " + exchange.path() + " -> " + exchange.status() + ": ["
                        + message.getKey() + "] " + message.getMessage().replace('\n', ' '));
            }
        }
        violations.addAll(found);
    }

    /**
     * Image ids contain a slash ({@code private/123}) and go into the path as they are, which no path template
     * of the description can match; for validation the slash is escaped so {@code {imageId}} matches it.
     */
    static String describedPath(String path) {
        return path.replaceFirst("^(/v4(?:beta)?/images/)(private|linode)/([^/]+)$", "$1$2%2F$3");
    }

    /** How many exchanges were checked. */
    public int validatedCount() {
        return validated.get();
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Fails with every violation found so far (then forgets them). */
    public void assertNoViolations() {
        List<String> found = violations();
        violations.clear();
        if (!found.isEmpty()) {
            throw new AssertionError("Linode API exchanges violate the OpenAPI description:\n  "
                    + String.join("\n  ", found));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoViolations();
    }

    @Override
    public String toString() {
        return "LinodeOpenApiValidator[validated=" + validated.get() + ", violations=" + violations.size() + "]";
    }
}
