package dev.ferry.provider.linode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records the pauses the client asks for and waits only a millisecond, so retries are checked without waiting them out. */
final class RecordingSleeper implements RetryPolicy.Sleeper {

    private final List<Duration> pauses = new CopyOnWriteArrayList<>();

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        pauses.add(duration);
        Thread.sleep(1);
    }

    List<Duration> pauses() {
        return List.copyOf(pauses);
    }
}
