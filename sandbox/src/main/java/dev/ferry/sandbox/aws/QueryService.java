package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.http.SigV4Verifier;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The AWS Query protocol shared by EC2, IAM and STS: a form-encoded POST to {@code /} naming an
 * {@code Action}, answered with XML; subclasses serve the actions and word the errors.
 */
abstract class QueryService implements ServiceHandler {

    private static final int MAX_FORM_BYTES = 1024 * 1024;
    private static final String PARAMS = "query.params";
    private static final String BODY_SHA256 = "query.body-sha256";

    protected final World world;

    QueryService(World world) {
        this.world = requireNonNull(world, "world is null");
    }

    /** Serves one action, returning the XML answer; throws {@link AwsException} for error answers. */
    protected abstract String serve(String action, QueryParams params, HttpCall call);

    /** The error document in this service's format. */
    protected abstract String errorXml(AwsException error, String requestId);

    /** Headers every answer of this service carries. */
    protected Map<String, String> headers(HttpCall call) {
        return Map.of("x-amzn-RequestId", call.requestId());
    }

    protected abstract AwsException missingCredentials();

    protected abstract AwsException unknownAccessKey();

    protected abstract AwsException throttled();

    protected abstract AwsException unavailable();

    protected abstract AwsException internalFailure();

    @Override
    public String action(HttpCall call) throws IOException {
        byte[] bytes = call.method().equals("POST") ? call.bodyBytes(MAX_FORM_BYTES) : new byte[0];
        call.attribute(BODY_SHA256, SigV4Verifier.sha256Hex(bytes));
        QueryParams params = QueryParams.parse(new String(bytes, StandardCharsets.UTF_8), call.queryParameters());
        call.attribute(PARAMS, params);
        String action = params.get("Action");
        return action == null || action.isEmpty() ? "(no action)" : action;
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        Optional<SigV4Credential> credential = SigV4Credential.of(call);
        if (credential.isEmpty()) {
            respondError(call, missingCredentials());
            return false;
        }
        if (!credential.get().accessKeyId().equals(world.accessKeyId())) {
            respondError(call, unknownAccessKey());
            return false;
        }
        if (!signsFor(credential.get().region())) {
            respondError(call, wrongRegion(credential.get().region()));
            return false;
        }
        SigV4Verifier.Outcome outcome = new SigV4Verifier(world.secretAccessKey())
                .verify(call, call.attribute(BODY_SHA256), true);
        if (outcome instanceof SigV4Verifier.Malformed malformed) {
            respondError(call, new AwsException(400, "IncompleteSignature",
                    "Request must contain a signature that conforms to AWS standards (" + malformed.why() + ")"));
            return false;
        }
        if (outcome instanceof SigV4Verifier.Mismatch) {
            respondError(call, signatureMismatch());
            return false;
        }
        return true;
    }

    /** Whether this service has an endpoint for the region a request is signed for. */
    protected boolean signsFor(String region) {
        return AwsRegions.exists(region);
    }

    /** The answer to a request whose credential scope names a region this service does not answer for. */
    protected abstract AwsException wrongRegion(String region);

    /** The answer to a request signed with another secret than the access key's. */
    protected abstract AwsException signatureMismatch();

    @Override
    public void handle(HttpCall call) throws IOException {
        QueryParams params = call.attribute(PARAMS);
        String action = params.get("Action");
        String xml;
        try {
            if (action == null || action.isEmpty()) {
                throw AwsException.missingParameter("Action");
            }
            xml = serve(action, params, call);
        } catch (AwsException e) {
            respondError(call, e);
            return;
        }
        call.respond(200, "text/xml;charset=UTF-8", xml, headers(call));
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        AwsException error = switch (status) {
            case 429 -> throttled();
            case 503 -> unavailable();
            default -> internalFailure();
        };
        respondError(call, error);
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        AwsException failure = internalFailure();
        respondError(call, new AwsException(failure.status(), failure.code(),
                failure.getMessage() + " (sandbox: " + cause + ")"));
    }

    protected void respondError(HttpCall call, AwsException error) throws IOException {
        call.respond(error.status(), "text/xml;charset=UTF-8", errorXml(error, call.requestId()), headers(call));
    }

    /** The error format of IAM and STS. */
    static String errorResponseXml(String namespace, AwsException error, String requestId) {
        return new XmlWriter().start("ErrorResponse", namespace)
                .start("Error")
                .leaf("Type", error.status() >= 500 ? "Receiver" : "Sender")
                .leaf("Code", error.code())
                .leaf("Message", error.getMessage())
                .end()
                .leaf("RequestId", requestId)
                .end().toString();
    }
}
