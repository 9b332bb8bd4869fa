package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.World;

/** STS: who the sandbox's credentials belong to. */
public final class StsHandler extends QueryService {

    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    public StsHandler(World world) {
        super(world);
    }

    @Override
    protected String errorXml(AwsException error, String requestId) {
        return errorResponseXml(NAMESPACE, error, requestId);
    }

    @Override
    protected AwsException missingCredentials() {
        return new AwsException(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }

    @Override
    protected AwsException unknownAccessKey() {
        return new AwsException(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }

    @Override
    protected AwsException throttled() {
        return new AwsException(400, "Throttling", "Rate exceeded");
    }

    @Override
    protected AwsException unavailable() {
        return new AwsException(503, "ServiceUnavailable", "Service is unable to handle request.");
    }

    @Override
    protected AwsException internalFailure() {
        return new AwsException(500, "InternalFailure", "An internal error occurred.");
    }

    @Override
    protected String serve(String action, QueryParams params, HttpCall call) {
        if (!action.equals("GetCallerIdentity")) {
            throw new AwsException(400, "InvalidAction",
                    "Could not find operation " + action + " for version 2011-06-15");
        }
        return new XmlWriter().start("GetCallerIdentityResponse", NAMESPACE)
                .start("GetCallerIdentityResult")
                .leaf("Arn", "arn:aws:iam::" + world.account() + ":user/ferry-sandbox")
                .leaf("UserId", "AIDASANDBOXFERRY00001")
                .leaf("Account", world.account())
                .end()
                .start("ResponseMetadata").leaf("RequestId", call.requestId()).end()
                .end().toString();
    }
}
