package dev.ferry.sandbox.aws;

import static java.util.Objects.requireNonNull;

import dev.ferry.sandbox.world.World;

/**
 * IAM and STS: Query APIs that answer errors in an {@code ErrorResponse} document of their namespace and share
 * their authentication and throttling vocabulary; only the internal failure's code differs between them.
 */
abstract class IdentityQueryService extends QueryService {

    private final String namespace;

    IdentityQueryService(World world, String namespace) {
        super(world);
        this.namespace = requireNonNull(namespace, "namespace is null");
    }

    @Override
    protected final String errorXml(AwsException error, String requestId) {
        return errorResponseXml(namespace, error, requestId);
    }

    @Override
    protected final AwsException missingCredentials() {
        return new AwsException(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }

    @Override
    protected final AwsException unknownAccessKey() {
        return new AwsException(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }

    @Override
    protected final AwsException signatureMismatch() {
        return new AwsException(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                + "signature you provided. Check your AWS Secret Access Key and signing method. Consult the service "
                + "documentation for details.");
    }

    @Override
    protected final AwsException wrongRegion(String region) {
        return new AwsException(403, "SignatureDoesNotMatch",
                "Credential should be scoped to a valid region, not '" + region + "'.");
    }

    @Override
    protected final AwsException throttled() {
        return new AwsException(400, "Throttling", "Rate exceeded");
    }

    @Override
    protected final AwsException unavailable() {
        return new AwsException(503, "ServiceUnavailable", "Service is unable to handle request.");
    }
}
