package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.world.World;

/** STS: who the sandbox's credentials belong to. */
public final class StsHandler extends IdentityQueryService {

    static final String NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    public StsHandler(World world) {
        super(world, NAMESPACE);
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
