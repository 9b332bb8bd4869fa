package dev.ferry.sandbox.aws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.Json;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.http.SigV4Verifier;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/**
 * The EBS direct APIs (REST-JSON, signing name {@code ebs}) for reading snapshots: ListSnapshotBlocks
 * ({@code GET /snapshots/{SnapshotId}/blocks}) and GetSnapshotBlock
 * ({@code GET /snapshots/{SnapshotId}/blocks/{BlockIndex}?blockToken=}), with the API reference's errors:
 * {@code ValidationException}, {@code ResourceNotFoundException}, {@code AccessDeniedException} (each with
 * its {@code Reason}), {@code RequestThrottledException} for throttling and {@code InternalServerException}.
 * The blocks and their tokens are {@link EbsBlocks}'s.
 */
public final class EbsHandler implements ServiceHandler {

    private static final Pattern LIST = Pattern.compile("/snapshots/([^/]+)/blocks/?");
    private static final Pattern GET = Pattern.compile("/snapshots/([^/]+)/blocks/([^/]+)");
    private static final Pattern CHANGED = Pattern.compile("/snapshots/([^/]+)/changedblocks/?");

    private final World world;
    private final EbsBlocks blocks;

    public EbsHandler(World world) {
        this.world = requireNonNull(world, "world is null");
        this.blocks = new EbsBlocks(world);
    }

    @Override
    public String action(HttpCall call) {
        String path = call.rawPath();
        if (call.method().equals("GET") && LIST.matcher(path).matches()) {
            return "ListSnapshotBlocks";
        }
        if (call.method().equals("GET") && GET.matcher(path).matches()) {
            return "GetSnapshotBlock";
        }
        if (call.method().equals("GET") && CHANGED.matcher(path).matches()) {
            return "ListChangedBlocks";
        }
        return call.method() + " " + path;
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        Optional<SigV4Credential> credential = SigV4Credential.of(call);
        if (credential.isEmpty()) {
            error(call, new AwsException(403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
                    null);
            return false;
        }
        if (!credential.get().accessKeyId().equals(world.accessKeyId())) {
            authError(call, new AwsException(403, "UnrecognizedClientException",
                    "The security token included in the request is invalid."));
            return false;
        }
        if (!AwsRegions.exists(credential.get().region())) {
            authError(call, new AwsException(403, "InvalidSignatureException",
                    "Credential should be scoped to a valid region."));
            return false;
        }
        // Every EBS direct API the sandbox serves is a GET: the payload is the empty body's.
        SigV4Verifier.Outcome outcome = new SigV4Verifier(world.secretAccessKey())
                .verify(call, SigV4Verifier.EMPTY_SHA256, true);
        if (outcome instanceof SigV4Verifier.Malformed malformed) {
            authError(call, new AwsException(403, "IncompleteSignatureException",
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' (" + malformed.why()
                            + ")"));
            return false;
        }
        if (outcome instanceof SigV4Verifier.Mismatch) {
            authError(call, new AwsException(403, "InvalidSignatureException", SIGNATURE_MISMATCH));
            return false;
        }
        return true;
    }

    static final String SIGNATURE_MISMATCH = "The request signature we calculated does not match the signature you "
            + "provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for "
            + "details.";

    /** Authentication errors come from the front door, in its words: {@code {"message": ...}}. */
    private static void authError(HttpCall call, AwsException e) throws IOException {
        ObjectNode body = Json.object();
        body.put("message", e.getMessage());
        call.respond(e.status(), "application/json", Json.bytes(body), Map.of("x-amzn-RequestId", call.requestId(),
                "x-amzn-ErrorType", e.code()));
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        try {
            switch (call.action()) {
                case "ListSnapshotBlocks" -> {
                    Matcher m = LIST.matcher(call.rawPath());
                    m.matches();
                    ObjectNode body = blocks.list(HttpCall.decode(m.group(1)), call.queryParameter("maxResults"),
                            call.queryParameter("pageToken"), call.queryParameter("startingBlockIndex"));
                    call.respond(200, "application/json", Json.bytes(body), Map.of("x-amzn-RequestId",
                            call.requestId()));
                }
                case "GetSnapshotBlock" -> {
                    Matcher m = GET.matcher(call.rawPath());
                    m.matches();
                    EbsBlocks.Block block = blocks.get(HttpCall.decode(m.group(1)), HttpCall.decode(m.group(2)),
                            call.queryParameter("blockToken"));
                    Map<String, String> headers = new LinkedHashMap<>();
                    headers.put("x-amzn-RequestId", call.requestId());
                    headers.put("x-amz-Data-Length", Integer.toString(block.data().length));
                    headers.put("x-amz-Checksum", block.checksum());
                    headers.put("x-amz-Checksum-Algorithm", "SHA256");
                    call.respond(200, "application/octet-stream", block.data(), headers);
                }
                case "ListChangedBlocks" -> throw EbsBlocks.validation("INVALID_PARAMETER_VALUE",
                        "The sandbox's EBS direct APIs serve ListSnapshotBlocks and GetSnapshotBlock only.");
                default -> error(call, new AwsException(404, "UnknownOperationException",
                        "No EBS direct API operation is " + call.action()), null);
            }
        } catch (EbsBlocks.EbsError e) {
            error(call, e.exception(), e.reason());
        } catch (AwsException e) {
            error(call, e, null);
        }
    }

    private static void error(HttpCall call, AwsException e, String reason) throws IOException {
        ObjectNode body = Json.object();
        body.put("Message", e.getMessage());
        if (reason != null) {
            body.put("Reason", reason);
        }
        call.respond(e.status(), "application/json", Json.bytes(body), Map.of("x-amzn-RequestId", call.requestId(),
                "x-amzn-ErrorType", e.code()));
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        switch (status) {
            case 429 -> error(call, new AwsException(400, "RequestThrottledException",
                    "The number of API requests has exceeded the maximum allowed API request throttling limit."),
                    "ACCOUNT_THROTTLED");
            case 503 -> error(call, new AwsException(503, "InternalServerException", "Service unavailable."), null);
            default -> error(call, new AwsException(500, "InternalServerException", "An internal error has occurred."),
                    null);
        }
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        error(call, new AwsException(500, "InternalServerException",
                "An internal error has occurred (sandbox: " + cause + ")"), null);
    }

}
