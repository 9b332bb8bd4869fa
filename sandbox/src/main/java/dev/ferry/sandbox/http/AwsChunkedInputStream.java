package dev.ferry.sandbox.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes an {@code aws-chunked} body, the framing the AWS SDK uses for streaming S3 uploads:
 * {@code hex-size[;chunk-signature=...]\r\n data \r\n ... 0[;...]\r\n trailer:value\r\n \r\n}.
 * Given the request's {@link SigV4Verifier.ChunkSignatures}, every chunk's signature (and the trailer's) is
 * verified as the chunk ends; the trailers (such as {@code x-amz-checksum-crc32}) are available from
 * {@link #trailers()} once the stream has ended.
 */
public final class AwsChunkedInputStream extends InputStream {

    private static final int MAX_LINE = 8192;

    private final InputStream in;
    private final SigV4Verifier.ChunkSignatures signatures;
    private final MessageDigest chunkDigest = SigV4Verifier.ChunkSignatures.digest();
    private final Map<String, String> trailers = new LinkedHashMap<>();
    private long chunkRemaining;
    private String chunkSignature;
    private boolean finished;
    private long decoded;

    /** Decodes without verifying chunk signatures (an unsigned streaming body). */
    public AwsChunkedInputStream(InputStream in) {
        this(in, null);
    }

    /** Decodes and verifies each chunk's signature when {@code signatures} is not null. */
    public AwsChunkedInputStream(InputStream in, SigV4Verifier.ChunkSignatures signatures) {
        this.in = new BufferedInputStream(in, 64 * 1024);
        this.signatures = signatures;
    }

    /** A chunk or the trailer is not signed as the request's signature says it must be. */
    public static final class ChunkSignatureException extends IOException {
        ChunkSignatureException(String message) {
            super(message);
        }
    }

    /** Malformed framing. */
    public static final class MalformedChunkException extends IOException {
        MalformedChunkException(String message) {
            super(message);
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (chunkRemaining == 0) {
            nextChunk();
            if (finished) {
                return -1;
            }
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) {
            throw new MalformedChunkException("body ended inside a chunk (" + chunkRemaining + " bytes missing)");
        }
        chunkRemaining -= n;
        decoded += n;
        chunkDigest.update(b, off, n);
        if (chunkRemaining == 0) {
            verifyChunk();
            expectCrlf();
        }
        return n;
    }

    private void nextChunk() throws IOException {
        String header = readLine();
        if (header == null) {
            throw new MalformedChunkException("body ended before the final zero-length chunk");
        }
        int semicolon = header.indexOf(';');
        String size = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
        long length;
        try {
            length = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new MalformedChunkException("bad chunk header '" + abbreviate(header) + "'");
        }
        if (length < 0) {
            throw new MalformedChunkException("negative chunk size");
        }
        chunkSignature = null;
        if (semicolon >= 0) {
            for (String extension : header.substring(semicolon + 1).split(";")) {
                if (extension.trim().startsWith("chunk-signature=")) {
                    chunkSignature = extension.trim().substring("chunk-signature=".length());
                }
            }
        }
        if (length == 0) {
            verifyChunk();
            readTrailers();
            String trailerSignature = trailers.get("x-amz-trailer-signature");
            if (signatures != null && trailerSignature != null && !signatures.trailer(trailerSignature, trailers)) {
                throw new ChunkSignatureException("the trailer signature does not match");
            }
            finished = true;
            return;
        }
        chunkRemaining = length;
    }

    private void verifyChunk() throws ChunkSignatureException {
        byte[] sha = chunkDigest.digest();
        if (signatures != null && !signatures.chunk(chunkSignature, sha)) {
            throw new ChunkSignatureException(chunkSignature == null ? "a chunk carries no chunk-signature"
                    : "a chunk's signature does not match");
        }
    }

    private void readTrailers() throws IOException {
        while (true) {
            String line = readLine();
            if (line == null || line.isEmpty()) {
                return;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedChunkException("bad trailer '" + abbreviate(line) + "'");
            }
            trailers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
    }

    private void expectCrlf() throws IOException {
        int cr = in.read();
        int lf = in.read();
        if (cr != '\r' || lf != '\n') {
            throw new MalformedChunkException("chunk data not followed by CRLF");
        }
    }

    /** A CRLF-terminated line without the terminator, or null at end of stream. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.US_ASCII);
            }
            if (c == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.US_ASCII);
            }
            line.write(c);
            if (line.size() > MAX_LINE) {
                throw new MalformedChunkException("chunk header line too long");
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** Trailing headers (names lower-case), complete once {@link #read} has returned -1. */
    public Map<String, String> trailers() {
        return Collections.unmodifiableMap(trailers);
    }

    /** Decoded payload bytes so far. */
    public long decodedLength() {
        return decoded;
    }

    public boolean finished() {
        return finished;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
