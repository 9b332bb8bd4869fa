package dev.ferry.engine.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * A {@link RangedByteSource} over plain HTTP ranged GETs, blocking I/O on one connection per
 * range, like the AWS SDK's default client reading an S3 object.
 */
final class HttpRangedSource implements RangedByteSource {

    private final URI uri;
    private final long size;

    private HttpRangedSource(URI uri, long size) {
        this.uri = uri;
        this.size = size;
    }

    /** Asks the server for the size with a HEAD. */
    static HttpRangedSource open(URI uri) throws IOException {
        HttpURLConnection head = (HttpURLConnection) uri.toURL().openConnection();
        head.setRequestMethod("HEAD");
        try {
            if (head.getResponseCode() != 200) {
                throw new IOException("HEAD " + uri + " answered " + head.getResponseCode());
            }
            return new HttpRangedSource(uri, head.getContentLengthLong());
        } finally {
            head.disconnect();
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
        connection.setRequestProperty("Range", "bytes=" + offset + "-" + (offset + length - 1));
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(60_000);
        int status = connection.getResponseCode();
        String contentRange = connection.getHeaderField("Content-Range");
        if (status != 206 || contentRange == null || !contentRange.startsWith("bytes " + offset + "-")) {
            connection.disconnect();
            throw new IOException("GET " + uri.getPath() + " for bytes " + offset + "+" + length + " answered " + status
                    + " with Content-Range " + contentRange);
        }
        return new FilterInputStream(connection.getInputStream()) {
            @Override
            public void close() {
                // Drops the connection rather than draining the rest of the range: close may come
                // from another thread to cut a read that is stuck.
                connection.disconnect();
            }
        };
    }

    @Override
    public String description() {
        return uri.toString();
    }
}
