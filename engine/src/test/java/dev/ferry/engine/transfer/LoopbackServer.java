package dev.ferry.engine.transfer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A loopback HTTP server standing in for both ends of a real transfer: {@code GET /image} serves
 * an image with byte ranges, as S3 does, and {@code PUT /upload} takes a gzip body, chunked or
 * not, as Linode's {@code upload_to} does; it inflates what it receives to check it, and keeps a
 * record ({@code GET /last-upload} describes the last one, once checked). Faults can be switched on: range responses cut mid-body, uploads refused part-way.
 */
final class LoopbackServer implements AutoCloseable {

    /** The image served: positional reads, so parallel ranges need no locking. */
    interface Content {
        long size();

        int read(long position, ByteBuffer into) throws IOException;

        static Content of(byte[] bytes) {
            return new Content() {
                @Override
                public long size() {
                    return bytes.length;
                }

                @Override
                public int read(long position, ByteBuffer into) {
                    int n = (int) Math.min(into.remaining(), bytes.length - position);
                    into.put(bytes, (int) position, n);
                    return n;
                }
            };
        }

        /** A file, memory-mapped: one copy from the page cache to the socket buffer instead of three. */
        static Content of(FileChannel file) throws IOException {
            long size = file.size();
            int segmentSize = 1 << 30;
            int segments = (int) ((size + segmentSize - 1) / segmentSize);
            MappedByteBuffer[] mapped = new MappedByteBuffer[segments];
            for (int i = 0; i < segments; i++) {
                long start = (long) i * segmentSize;
                mapped[i] = file.map(FileChannel.MapMode.READ_ONLY, start, Math.min(segmentSize, size - start));
            }
            return new Content() {
                @Override
                public long size() {
                    return size;
                }

                @Override
                public int read(long position, ByteBuffer into) {
                    MappedByteBuffer segment = mapped[(int) (position / segmentSize)];
                    int offset = (int) (position % segmentSize);
                    int n = Math.min(into.remaining(), segment.capacity() - offset);
                    into.put(segment.slice(offset, n));
                    return n;
                }
            };
        }
    }

    /** What one upload delivered. {@code rawSha256} is null unless raw digests were asked for. */
    record Upload(int status, boolean chunked, String contentType, long gzipBytes, String gzipSha256, long rawBytes,
            String rawSha256, String error) {

        String describe() {
            return "status=" + status + " chunked=" + chunked + " gzip_bytes=" + gzipBytes + " gzip_sha256="
                    + gzipSha256 + " raw_bytes=" + rawBytes + " raw_sha256=" + rawSha256
                    + (error == null ? "" : " error=" + error.replace(' ', '_'));
        }
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    private final Content image;
    private final boolean digestRaw;
    private final boolean verifyWhileReceiving;
    private int verifying;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger rangesToCut = new AtomicInteger();
    private volatile long cutAfterBytes;
    private final AtomicInteger uploadsToRefuse = new AtomicInteger();
    private volatile long refuseAfterBytes;
    final AtomicInteger rangeRequests = new AtomicInteger();
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();

    /**
     * @param digestRaw also compute the SHA-256 of the inflated bytes
     * @param verifyWhileReceiving inflate as the body arrives, before answering; otherwise keep the
     *     body in memory, answer, then inflate (as object storage would), so that a benchmark's
     *     timing does not include the receiver's work
     */
    LoopbackServer(Content image, boolean digestRaw, boolean verifyWhileReceiving) throws IOException {
        this.image = image;
        this.digestRaw = digestRaw;
        this.verifyWhileReceiving = verifyWhileReceiving;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "loopback-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/image", this::serveImage);
        server.createContext("/upload", this::receiveUpload);
        server.createContext("/last-upload", this::describeLastUpload);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI imageUri() {
        return URI.create("http://127.0.0.1:" + port() + "/image");
    }

    URI uploadUri() {
        return URI.create("http://127.0.0.1:" + port() + "/upload");
    }

    /** The next {@code count} range responses stop after {@code afterBytes} and drop the connection. */
    void cutRanges(int count, long afterBytes) {
        cutAfterBytes = afterBytes;
        rangesToCut.set(count);
    }

    /** The next {@code count} uploads read {@code afterBytes} then answer 500. */
    void refuseUploads(int count, long afterBytes) {
        refuseAfterBytes = afterBytes;
        uploadsToRefuse.set(count);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void serveImage(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                answer(exchange, 405, "GET or HEAD");
                return;
            }
            long size = image.size();
            long start = 0;
            long end = size - 1;
            int status = 200;
            String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null) {
                Matcher matcher = RANGE.matcher(range);
                if (!matcher.matches()) {
                    answer(exchange, 416, "unsupported range " + range);
                    return;
                }
                start = Long.parseLong(matcher.group(1));
                end = Math.min(Long.parseLong(matcher.group(2)), size - 1);
                if (start > end) {
                    answer(exchange, 416, "range outside the object");
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            long length = end - start + 1;
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            rangeRequests.incrementAndGet();
            long sendUpTo = rangesToCut.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? Math.min(length, cutAfterBytes) : length;
            exchange.sendResponseHeaders(status, length);
            OutputStream out = exchange.getResponseBody();
            ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
            long sent = 0;
            while (sent < sendUpTo) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), sendUpTo - sent));
                int n = image.read(start + sent, buffer);
                if (n <= 0) {
                    break;
                }
                out.write(buffer.array(), 0, n);
                sent += n;
            }
            out.flush();
            // A short body: closing the exchange now drops the connection, as a cut would.
        } catch (IOException e) {
            // The client went away (an aborted transfer) or the cut above: nothing to answer.
        }
    }

    private void receiveUpload(HttpExchange exchange) throws IOException {
        boolean counted = false;
        try {
            if (!exchange.getRequestMethod().equals("PUT")) {
                answer(exchange, 405, "PUT");
                return;
            }
            boolean chunked = "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"));
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            CountingDigestStream gzip = new CountingDigestStream(exchange.getRequestBody());
            if (uploadsToRefuse.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                gzip.readNBytes(new byte[(int) refuseAfterBytes], 0, (int) refuseAfterBytes);
                uploads.add(new Upload(500, chunked, contentType, gzip.count, null, 0, null, "refused on purpose"));
                answer(exchange, 500, "refused on purpose");
                return;
            }
            verificationStarted();
            counted = true;
            if (verifyWhileReceiving) {
                Upload upload = inflate(gzip, chunked, contentType);
                uploads.add(upload);
                answer(exchange, upload.status(), upload.error() == null ? "stored " + upload.gzipBytes() + " bytes"
                        : upload.error());
            } else {
                // Like object storage: take the bytes, answer, and check them afterwards.
                List<byte[]> stored = new ArrayList<>();
                byte[] piece;
                while ((piece = gzip.readNBytes(1024 * 1024)).length > 0) {
                    stored.add(piece);
                }
                answer(exchange, 200, "stored " + gzip.count + " bytes");
                exchange.close();
                CountingDigestStream replay = new CountingDigestStream(new SequenceInputStream(
                        Collections.enumeration(stored.stream().map(b -> (InputStream) new ByteArrayInputStream(b))
                                .toList())));
                uploads.add(inflate(replay, chunked, contentType));
            }
        } catch (IOException e) {
            uploads.add(new Upload(0, false, null, 0, null, 0, null, "connection lost: " + e.getMessage()));
        } finally {
            exchange.close();
            if (counted) {
                verificationEnded();
            }
        }
    }

    private Upload inflate(CountingDigestStream gzip, boolean chunked, String contentType) {
        MessageDigest rawDigest = digestRaw ? sha256() : null;
        long raw = 0;
        String error = null;
        try (InputStream inflated = new GZIPInputStream(gzip, 64 * 1024)) {
            byte[] buffer = new byte[1024 * 1024];
            int n;
            while ((n = inflated.read(buffer)) > 0) {
                raw += n;
                if (rawDigest != null) {
                    rawDigest.update(buffer, 0, n);
                }
            }
            // Anything after the gzip member is counted, so a mismatch with the sender shows.
            gzip.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            error = "not a valid gzip: " + e.getMessage();
        }
        return new Upload(error == null ? 200 : 400, chunked, contentType, gzip.count, gzip.hexDigest(), raw,
                rawDigest == null ? null : HexFormat.of().formatHex(rawDigest.digest()), error);
    }

    private synchronized void verificationStarted() {
        verifying++;
    }

    private synchronized void verificationEnded() {
        verifying--;
        notifyAll();
    }

    /** The uploads received so far, once every one of them has been checked. */
    List<Upload> uploads() throws InterruptedException {
        awaitVerifications();
        return List.copyOf(uploads);
    }

    private synchronized void awaitVerifications() throws InterruptedException {
        while (verifying > 0) {
            wait();
        }
    }

    private void describeLastUpload(HttpExchange exchange) throws IOException {
        try (exchange) {
            awaitVerifications();
            answer(exchange, 200, uploads.isEmpty() ? "none" : uploads.get(uploads.size() - 1).describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Counts and digests every byte read through it, skipped ones included. */
    private static final class CountingDigestStream extends DigestInputStream {
        long count;

        CountingDigestStream(InputStream in) {
            super(in, sha256());
        }

        String hexDigest() {
            return HexFormat.of().formatHex(getMessageDigest().digest());
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            return Math.max(0, read(new byte[(int) Math.min(n, 8192)], 0, (int) Math.min(n, 8192)));
        }
    }
}
