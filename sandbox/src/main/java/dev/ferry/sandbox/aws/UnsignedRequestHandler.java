package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.ServiceHandler;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Answers requests that carry no AWS credentials at all, in the words of the protocol they look like:
 * a Query-protocol form gets EC2's AuthFailure, a JSON target a missing-token error, anything else S3's
 * AccessDenied.
 */
public final class UnsignedRequestHandler implements ServiceHandler {

    @Override
    public String action(HttpCall call) {
        return call.method() + " " + call.rawPath();
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        String contentType = call.header("Content-Type") == null ? ""
                : call.header("Content-Type").toLowerCase(Locale.ROOT);
        if (call.header("X-Amz-Target") != null) {
            call.respond(400, "application/x-amz-json-1.1",
                    "{\"__type\":\"MissingAuthenticationTokenException\",\"message\":\"Missing Authentication Token\"}",
                    Map.of("x-amzn-RequestId", call.requestId()));
        } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
            call.respond(401, "text/xml;charset=UTF-8", Ec2Xml.error(new AwsException(401, "AuthFailure",
                    "AWS was not able to validate the provided access credentials"), call.requestId()), Map.of());
        } else {
            String xml = new XmlWriter().start("Error").leaf("Code", "AccessDenied").leaf("Message", "Access Denied")
                    .leaf("RequestId", call.requestId()).end().toString();
            call.respond(403, "application/xml", xml, Map.of());
        }
        return false;
    }

    @Override
    public void handle(HttpCall call) {
        throw new IllegalStateException("unsigned requests are never served");
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) {
        throw new IllegalStateException("unsigned requests are never served");
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        call.respond(500, "text/plain", "sandbox failure: " + cause, Map.of());
    }
}
