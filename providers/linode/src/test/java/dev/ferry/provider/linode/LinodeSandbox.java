package dev.ferry.provider.linode;

import dev.ferry.sandbox.Sandbox;
import dev.ferry.sandbox.SandboxOptions;
import dev.ferry.sandbox.TestSandboxes;
import dev.ferry.sandbox.linode.LinodeLimits;
import java.time.Duration;

/** A sandbox for the Linode provider's tests, and clients and sessions pointed at it. */
final class LinodeSandbox {

    /** Fast polls and pauses: the sandbox runs at a fiftieth of real time. */
    static final LinodeSession.Timing TIMING = new LinodeSession.Timing(Duration.ofMillis(20), Duration.ofMillis(20),
            Duration.ofMinutes(1), 3, Duration.ofMillis(1));
    static final double TIME_SCALE = 0.02;

    private LinodeSandbox() {
    }

    static Sandbox start() {
        return Sandbox.start(options().build());
    }

    static SandboxOptions.Builder options() {
        return TestSandboxes.options(TIME_SCALE);
    }

    static Sandbox start(LinodeLimits limits) {
        return Sandbox.start(options().linodeLimits(limits).build());
    }

    static LinodeClient client(Sandbox sandbox, RetryPolicy.Sleeper sleeper) {
        return client(sandbox, sleeper, LinodeClient.PAGE_SIZE);
    }

    static LinodeClient client(Sandbox sandbox, RetryPolicy.Sleeper sleeper, int pageSize) {
        return new LinodeClient(sandbox.linodeApiUrl(), new ApiToken(sandbox.linodeToken(), "the sandbox"),
                LinodeClient.newHttpClient(), RetryPolicy.DEFAULT, sleeper, pageSize, Duration.ofSeconds(30));
    }

    static LinodeClient client(Sandbox sandbox) {
        return client(sandbox, new RecordingSleeper());
    }
}
