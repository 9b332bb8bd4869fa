package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Stopping a transfer: every case would hang forever if the stop were not carried to each thread. */
@Timeout(60)
class CancellationTest {

    @AfterEach
    void noTransferThreadOutlivesItsRun() {
        assertThat(TestData.liveTransferThreads()).isEmpty();
    }

    @Test
    void abortWhileReadsAreStalledEndsTheRunWithAbortedAndNoThreadsLeft() throws Exception {
        StalledSource source = new StalledSource(64L * 1024 * 1024);
        StreamingTransfer transfer = new StreamingTransfer(source, new TestSinks(), StreamingTransferTest.options(),
                TransferListener.NONE);
        CompletableFuture<TransferResult> run = runInBackground(transfer);
        source.reading.await();

        transfer.abort();

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, run::get);
        assertThat(failure.getCause()).isInstanceOf(TransferException.class);
        TransferException aborted = (TransferException) failure.getCause();
        assertThat(aborted.reason()).isEqualTo(TransferException.Reason.ABORTED);
        assertThat(aborted.getMessage()).startsWith("The transfer of stalled://image was aborted during upload attempt 1");
        assertThat(source.closed.getCount()).as("the stalled streams were closed").isZero();
    }

    @Test
    void interruptingTheCallingThreadStopsTheTransfer() throws Exception {
        StalledSource source = new StalledSource(64L * 1024 * 1024);
        StreamingTransfer transfer = new StreamingTransfer(source, new TestSinks(), StreamingTransferTest.options(),
                TransferListener.NONE);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                transfer.run();
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        caller.start();
        source.reading.await();

        caller.interrupt();
        caller.join();

        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void abortWhileTheSinkIsStuckEndsTheUpload() throws Exception {
        byte[] input = TestData.mixed(4 * 1024 * 1024, 31);
        CountDownLatch sending = new CountDownLatch(1);
        ByteSinkFactory stuck = new ByteSinkFactory() {
            @Override
            public ByteSink attempt(int number) {
                return body -> {
                    sending.countDown();
                    try {
                        new CountDownLatch(1).await(); // a receiver that never answers
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException("gave up waiting for the receiver");
                    }
                    return new SinkReceipt(200, "never");
                };
            }

            @Override
            public long rawLimit() {
                return Long.MAX_VALUE;
            }

            @Override
            public long compressedLimit() {
                return Long.MAX_VALUE;
            }
        };
        StreamingTransfer transfer = new StreamingTransfer(new TestSource(input), stuck,
                StreamingTransferTest.options(), TransferListener.NONE);
        CompletableFuture<TransferResult> run = runInBackground(transfer);
        sending.await();

        transfer.abort();

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, run::get);
        assertThat(((TransferException) failure.getCause()).reason()).isEqualTo(TransferException.Reason.ABORTED);
    }

    @Test
    void abortDuringTheBackoffBeforeANewUploadAttemptStopsAtOnce() throws Exception {
        byte[] input = TestData.mixed(512 * 1024, 32);
        CountDownLatch retrying = new CountDownLatch(1);
        TransferListener listener = new TransferListener() {
            @Override
            public void retrying(TransferRetry retry) {
                retrying.countDown();
            }
        };
        TransferOptions hourLongBackoff = StreamingTransferTest.options().withRetries(5, 3, Duration.ofHours(1));
        StreamingTransfer transfer = new StreamingTransfer(new TestSource(input),
                TestSinks.failingFirst(1, new TestSinks.Behaviour.Break(10)), hourLongBackoff, listener);
        CompletableFuture<TransferResult> run = runInBackground(transfer);
        retrying.await();

        transfer.abort();

        ExecutionException failure = catchThrowableOfType(ExecutionException.class, run::get);
        assertThat(((TransferException) failure.getCause()).reason()).isEqualTo(TransferException.Reason.ABORTED);
    }

    @Test
    void abortBeforeRunStopsBeforeAnyRead() {
        TestSource source = new TestSource(new byte[1000]);
        StreamingTransfer transfer = new StreamingTransfer(source, new TestSinks(), StreamingTransferTest.options(),
                TransferListener.NONE);
        transfer.abort();

        TransferException failure = catchThrowableOfType(TransferException.class, transfer::run);

        assertThat(failure.reason()).isEqualTo(TransferException.Reason.ABORTED);
        assertThat(source.opens.get()).isZero();
    }

    private static CompletableFuture<TransferResult> runInBackground(StreamingTransfer transfer) {
        CompletableFuture<TransferResult> future = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                future.complete(transfer.run());
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "test-caller");
        thread.start();
        return future;
    }

    /** A source whose streams never deliver a byte until closed, like a connection gone silent. */
    static final class StalledSource implements RangedByteSource {
        final CountDownLatch reading = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        private final long size;

        StalledSource(long size) {
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public InputStream openRange(long offset, long length) {
            CountDownLatch thisClosed = new CountDownLatch(1);
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    return read(new byte[1], 0, 1);
                }

                @Override
                public int read(byte[] buffer, int off, int len) throws IOException {
                    reading.countDown();
                    try {
                        thisClosed.await(); // does not answer interrupts: only close frees it
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        awaitUninterruptibly(thisClosed);
                    }
                    throw new IOException("stream closed");
                }

                @Override
                public void close() {
                    thisClosed.countDown();
                    closed.countDown();
                }
            };
        }

        @Override
        public String description() {
            return "stalled://image";
        }

        private static void awaitUninterruptibly(CountDownLatch latch) {
            while (true) {
                try {
                    latch.await();
                    return;
                } catch (InterruptedException ignored) {
                    // keep waiting: this stream only gives way to close()
                }
            }
        }
    }
}
