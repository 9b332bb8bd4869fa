package dev.ferry.provider.aws.client;

import static java.util.Objects.requireNonNull;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Predicate;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RecordSuccessResponse;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * The SDK's retry strategy with two changes of ferry's: an endpoint that cannot be reached (connection
 * refused, unknown host, no route) is tried once more at most, so that a wrong AWS_ENDPOINT_URL fails in
 * a moment rather than after ten backed-off attempts per call; and a slow retry (throttling, a server
 * error, or any wait of a second or more) is told to {@code notices} with the call it repeats, so that
 * minutes of retries are never silent.
 */
final class FailFastRetries implements RetryStrategy {

    /** How many times a call to an endpoint that cannot be reached is sent again. */
    static final int RETRIES_WHEN_UNREACHABLE = 1;

    private static final Duration SLOW = Duration.ofSeconds(1);
    private static final ThreadLocal<String> CURRENT_CALL = new ThreadLocal<>();

    private final RetryStrategy delegate;
    private final Consumer<String> notices;

    FailFastRetries(RetryStrategy delegate, Consumer<String> notices) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.notices = requireNonNull(notices, "notices is null");
    }

    /**
     * Runs {@code call} with {@code what} ("EC2 DescribeImages") named as the call in progress on this
     * thread, for the notice of a slow retry (a sync client retries on the caller's thread).
     */
    static <T> T naming(String what, java.util.function.Supplier<T> call) {
        String outer = CURRENT_CALL.get();
        CURRENT_CALL.set(what);
        try {
            return call.get();
        } finally {
            if (outer == null) {
                CURRENT_CALL.remove();
            } else {
                CURRENT_CALL.set(outer);
            }
        }
    }

    /** Whether {@code failure} says the endpoint could not be reached at all: the request never left. */
    static boolean unreachable(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ConnectException || cause instanceof UnknownHostException || cause instanceof NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /** The ferry token: the SDK's own, and how many times the endpoint could not be reached so far. */
    private record Token(RetryToken inner, int unreachable, int attempt) implements RetryToken {
    }

    @Override
    public AcquireInitialTokenResponse acquireInitialToken(AcquireInitialTokenRequest request) {
        AcquireInitialTokenResponse response = delegate.acquireInitialToken(request);
        return AcquireInitialTokenResponse.create(new Token(response.token(), 0, 1), response.delay());
    }

    @Override
    public RefreshRetryTokenResponse refreshRetryToken(RefreshRetryTokenRequest request) {
        Token token = (Token) request.token();
        Throwable failure = request.failure();
        int unreachable = token.unreachable() + (unreachable(failure) ? 1 : 0);
        if (unreachable > RETRIES_WHEN_UNREACHABLE) {
            throw new TokenAcquisitionFailedException("the endpoint could not be reached " + unreachable + " times; not retrying",
                    token, failure);
        }
        RefreshRetryTokenResponse response;
        try {
            response = delegate.refreshRetryToken(request.toBuilder().token(token.inner()).build());
        } catch (TokenAcquisitionFailedException e) {
            throw new TokenAcquisitionFailedException(e.getMessage(), new Token(e.token(), unreachable, token.attempt()), e.getCause());
        }
        int next = token.attempt() + 1;
        if (slow(failure, response.delay())) {
            String call = CURRENT_CALL.get();
            notices.accept("Retrying " + (call == null ? "an AWS call" : call) + " (" + reason(failure) + "): attempt " + next
                    + " of " + maxAttempts() + " in " + seconds(response.delay()));
        }
        return RefreshRetryTokenResponse.create(new Token(response.token(), unreachable, next), response.delay());
    }

    private static boolean slow(Throwable failure, Duration delay) {
        if (delay.compareTo(SLOW) >= 0) {
            return true;
        }
        return failure instanceof AwsServiceException service && (service.isThrottlingException() || service.statusCode() >= 500);
    }

    private static String reason(Throwable failure) {
        if (failure instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            String kind = service.isThrottlingException() ? "throttled" : "HTTP " + service.statusCode();
            return code == null ? kind : kind + ", " + code;
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        return message.lines().findFirst().orElse("").strip();
    }

    private static String seconds(Duration delay) {
        return String.format(Locale.ROOT, "%.1fs", delay.toMillis() / 1000.0);
    }

    @Override
    public RecordSuccessResponse recordSuccess(RecordSuccessRequest request) {
        Token token = (Token) request.token();
        RecordSuccessResponse response = delegate.recordSuccess(RecordSuccessRequest.create(token.inner()));
        return RecordSuccessResponse.create(new Token(response.token(), token.unreachable(), token.attempt()));
    }

    @Override
    public int maxAttempts() {
        return delegate.maxAttempts();
    }

    @Override
    public boolean useClientDefaults() {
        return false;
    }

    @Override
    public Builder toBuilder() {
        return new Builder(delegate.toBuilder(), notices);
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** The SDK strategy's builder, whose result keeps ferry's changes. */
    static final class Builder implements RetryStrategy.Builder<Builder, FailFastRetries> {
        private final RetryStrategy.Builder<?, ?> inner;
        private final Consumer<String> notices;

        Builder(RetryStrategy.Builder<?, ?> inner, Consumer<String> notices) {
            this.inner = inner;
            this.notices = notices;
        }

        @Override
        public Builder retryOnException(Predicate<Throwable> shouldRetry) {
            inner.retryOnException(shouldRetry);
            return this;
        }

        @Override
        public Builder maxAttempts(int maxAttempts) {
            inner.maxAttempts(maxAttempts);
            return this;
        }

        @Override
        public Builder backoffStrategy(BackoffStrategy backoffStrategy) {
            inner.backoffStrategy(backoffStrategy);
            return this;
        }

        @Override
        public Builder throttlingBackoffStrategy(BackoffStrategy backoffStrategy) {
            inner.throttlingBackoffStrategy(backoffStrategy);
            return this;
        }

        @Override
        public Builder treatAsThrottling(Predicate<Throwable> treatAsThrottling) {
            inner.treatAsThrottling(treatAsThrottling);
            return this;
        }

        @Override
        public FailFastRetries build() {
            return new FailFastRetries(inner.build(), notices);
        }
    }
}
