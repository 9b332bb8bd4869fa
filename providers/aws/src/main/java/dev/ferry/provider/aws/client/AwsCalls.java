package dev.ferry.provider.aws.client;

import dev.ferry.engine.FerryException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Runs SDK calls and turns their failures into one sentence a user can act on: which service refused
 * which call, AWS's own message and code, and for refused credentials where they came from and what to
 * do. Messages never carry a secret: AWS error messages name keys by id only, and ferry adds none.
 */
public final class AwsCalls {

    private static final Set<String> CREDENTIAL_CODES = Set.of("AuthFailure", "InvalidClientTokenId", "UnrecognizedClientException",
            "SignatureDoesNotMatch", "InvalidAccessKeyId", "ExpiredToken", "ExpiredTokenException", "RequestExpired",
            "InvalidToken", "MissingAuthenticationToken", "MissingAuthenticationTokenException");
    private static final Set<String> DENIED_CODES = Set.of("AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
            "Forbidden", "OptInRequired");

    private final CredentialsChain credentials;
    private final String region;
    private final Optional<String> endpoint;
    private final Duration pause;

    /**
     * How many times a call whose answer was lost is sent again. The SDK retries errors and broken
     * connections itself, but not an answer cut short in its body (it fails to parse it); for a call
     * that can safely be repeated, ferry sends it again.
     */
    static final int ATTEMPTS_AFTER_LOST_ANSWER = 5;

    /** {@code endpoint} names the endpoint override and where it was set, for a call that cannot reach it. */
    public AwsCalls(CredentialsChain credentials, String region, Optional<String> endpoint, Duration pause) {
        this.credentials = credentials;
        this.region = region;
        this.endpoint = endpoint;
        this.pause = pause;
    }

    /**
     * Runs {@code call}, which may safely be repeated (a describe, a put, a delete, a create with a
     * ClientToken); {@code what} names it for messages ("EC2 DescribeImages").
     */
    public <T> T call(String what, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return once(what, call);
            } catch (FerryException e) {
                if (!answerLost(e) || attempt >= ATTEMPTS_AFTER_LOST_ANSWER) {
                    throw e;
                }
                sleep(attempt);
            }
        }
    }

    /** Runs {@code call} exactly once: it must not be repeated blindly (a create without an idempotency token). */
    public <T> T once(String what, Supplier<T> call) {
        try {
            return FailFastRetries.naming(what, call);
        } catch (AwsServiceException e) {
            throw translate(what, e);
        } catch (SdkClientException e) {
            if (FailFastRetries.unreachable(e)) {
                throw new FerryException(what + " failed: " + unreachable(e), e);
            }
            throw new FerryException(what + " failed: " + clientProblem(e), e);
        } catch (SdkException e) {
            throw new FerryException(what + " failed: " + e.getMessage(), e);
        } catch (java.io.UncheckedIOException e) {
            // An answer cut short while the SDK read it lazily (a policy document, say).
            throw new FerryException(what + " failed: the answer was cut short (" + e.getCause().getMessage()
                    + "); check the network and the endpoint", e);
        }
    }

    private void sleep(int attempt) {
        try {
            Thread.sleep(pause.toMillis() * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FerryException("interrupted while waiting to send a call again");
        }
    }

    public void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    /** The error code of an AWS service exception, if it is one. */
    static Optional<String> code(Throwable e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
            return Optional.ofNullable(service.awsErrorDetails().errorCode());
        }
        return Optional.empty();
    }

    /**
     * Whether AWS refused the credentials themselves (a wrong key, a bad signature, an expired session):
     * then every problem the call reveals is a credentials problem, whatever else it might look like.
     */
    public static boolean credentialsRefused(Throwable e) {
        return code(e).map(CREDENTIAL_CODES::contains).orElse(false);
    }

    public static boolean hasCode(Throwable e, String... codes) {
        Optional<String> code = code(e);
        if (code.isEmpty()) {
            return false;
        }
        for (String candidate : codes) {
            if (candidate.equals(code.get())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a failed call may still have been carried out: the request left, but no answer from AWS
     * was understood (a cut connection, a truncated body). A create that failed so must look for what
     * it may have made before giving up, or the next run makes a twin.
     */
    public static boolean answerLost(Throwable e) {
        Throwable cause = e instanceof FerryException ? e.getCause() : e;
        if (FailFastRetries.unreachable(cause)) {
            return false; // the request never left
        }
        return cause instanceof SdkClientException || cause instanceof java.io.UncheckedIOException;
    }

    /**
     * Whether {@code e} says the thing asked for does not exist: one of {@code codes}, or a 404 whose
     * body (and so its code) was lost on the way.
     */
    public static boolean missing(Throwable e, String... codes) {
        return hasCode(e, codes) || (status(e) == 404 && code(e).isEmpty());
    }

    public static int status(Throwable e) {
        return e instanceof AwsServiceException service ? service.statusCode() : 0;
    }

    FerryException translate(String what, AwsServiceException e) {
        String code = code(e).orElse("HTTP " + e.statusCode());
        String message = e.awsErrorDetails() == null || e.awsErrorDetails().errorMessage() == null
                ? "(no message)" : e.awsErrorDetails().errorMessage().strip();
        if (CREDENTIAL_CODES.contains(code) && message.contains("scoped to a valid region")) {
            // The signature names the region; AWS refuses it before it looks at the keys.
            return new FerryException(what + " was refused: '" + region + "' is not a region AWS answers for (" + code + ": "
                    + message + "). Set providers.aws.region (or AWS_REGION) to an AWS region, such as us-west-1", e);
        }
        if (CREDENTIAL_CODES.contains(code)) {
            return new FerryException(what + " was refused: AWS did not accept the credentials from " + credentials.describeSource()
                    + " (" + code + ": " + message + "). Check that the access key is active and the secret matches it, or refresh"
                    + " the session ('aws sso login' for an SSO profile)", e);
        }
        if (DENIED_CODES.contains(code)) {
            return new FerryException(what + " was denied (" + code + ": " + message + "). The identity ferry uses ("
                    + credentials.describeSource() + ") needs that permission in " + region, e);
        }
        return new FerryException(what + " failed: " + message + " (" + code + ")", e);
    }

    /** A call that could not reach its endpoint at all: which endpoint, why, and what to check. */
    private String unreachable(SdkClientException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = root instanceof java.net.UnknownHostException
                ? "unknown host " + root.getMessage()
                : root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().lines().findFirst().orElse("");
        return endpoint.map(named -> "cannot reach the AWS endpoint " + named + ": " + why
                        + "; check that the endpoint is running and its URL is right, or unset it to use AWS itself")
                .orElseGet(() -> "cannot reach AWS in " + region + ": " + why + " (" + e.getMessage().lines().findFirst().orElse("")
                        + "); check the network, proxy settings and the region");
    }

    private static String clientProblem(SdkClientException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof FerryException ferry) {
            return ferry.getMessage();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
        if (cause != e && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
        }
        return message + "; check the network, the endpoint and the region";
    }
}
