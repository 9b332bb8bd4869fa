package dev.ferry.sandbox.aws;

import dev.ferry.sandbox.http.HttpCall;
import dev.ferry.sandbox.http.ServiceHandler;
import dev.ferry.sandbox.http.SigV4Credential;
import dev.ferry.sandbox.world.World;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * A regional service (EC2, EBS): each request is served by the region its credential scope names. The world's
 * own region holds everything seeded; any other AWS region is a region of the same account with nothing in it
 * yet, so a DescribeInstances signed for eu-west-3 does not see the us-west-1 instances. A scope that names no
 * AWS region goes to the home region's handler, which refuses it in the service's words.
 */
public final class RegionalHandler implements ServiceHandler {

    private static final String HANDLER = "regional.handler";

    private final World home;
    private final ServiceHandler homeHandler;
    private final Function<World, ServiceHandler> factory;
    private final Map<String, ServiceHandler> others = new ConcurrentHashMap<>();

    public RegionalHandler(World home, Function<World, ServiceHandler> factory) {
        this.home = requireNonNull(home, "home is null");
        this.factory = requireNonNull(factory, "factory is null");
        this.homeHandler = factory.apply(home);
    }

    private ServiceHandler handlerFor(HttpCall call) {
        ServiceHandler chosen = call.attribute(HANDLER);
        if (chosen != null) {
            return chosen;
        }
        String region = SigV4Credential.of(call).map(SigV4Credential::region).orElse(home.region());
        chosen = region.equals(home.region()) || !AwsRegions.exists(region) ? homeHandler
                : others.computeIfAbsent(region, r -> factory.apply(home.otherRegion(r)));
        call.attribute(HANDLER, chosen);
        return chosen;
    }

    @Override
    public String action(HttpCall call) throws IOException {
        return handlerFor(call).action(call);
    }

    @Override
    public boolean authenticate(HttpCall call) throws IOException {
        return handlerFor(call).authenticate(call);
    }

    @Override
    public void handle(HttpCall call) throws IOException {
        handlerFor(call).handle(call);
    }

    @Override
    public void injectedError(HttpCall call, int status, Duration retryAfter) throws IOException {
        handlerFor(call).injectedError(call, status, retryAfter);
    }

    @Override
    public void internalError(HttpCall call, Exception cause) throws IOException {
        handlerFor(call).internalError(call, cause);
    }
}
