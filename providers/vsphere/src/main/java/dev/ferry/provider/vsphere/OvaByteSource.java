package dev.ferry.provider.vsphere;

import static java.util.Objects.requireNonNull;

import dev.ferry.engine.FerryException;
import dev.ferry.engine.transfer.RangedByteSource;
import dev.ferry.provider.vsphere.vcenter.Trust;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;

/**
 * An OVA that exists nowhere: the tar archive of an OVF package's files (the descriptor first, then the disks),
 * whose headers ferry writes and whose file bodies are ranged GETs to the files' download URLs. Reading any
 * range of the archive reads only that range of the files, so the upload can send parts in parallel and resume
 * any of them, with no local copy. Sizes of 8 GiB and more use the GNU base-256 size field.
 */
final class OvaByteSource implements RangedByteSource {

    static final int BLOCK = 512;
    /** Every entry's modification time: the archive's bytes depend only on the files. */
    private static final long MTIME = 1735689600L;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(10);

    /** One file of the package, and where its bytes are. */
    record Entry(String name, long size, URI uri) {
        Entry {
            requireNonNull(name, "name is null");
            requireNonNull(uri, "uri is null");
            if (name.getBytes(StandardCharsets.UTF_8).length > 99) {
                throw new FerryException("the OVF package's file name '" + name + "' is longer than an OVA (tar) entry allows (99 bytes)");
            }
        }
    }

    private record Segment(long start, long length, byte[] bytes, Entry entry) {
        long end() {
            return start + length;
        }
    }

    private final List<Segment> segments = new ArrayList<>();
    private final long size;
    private final Trust trust;
    private final String description;

    OvaByteSource(List<Entry> entries, Trust trust, String description) {
        this.trust = requireNonNull(trust, "trust is null");
        this.description = requireNonNull(description, "description is null");
        long position = 0;
        for (Entry entry : entries) {
            segments.add(new Segment(position, BLOCK, header(entry.name(), entry.size()), null));
            position += BLOCK;
            segments.add(new Segment(position, entry.size(), null, entry));
            position += entry.size();
            int pad = (int) ((BLOCK - entry.size() % BLOCK) % BLOCK);
            if (pad > 0) {
                segments.add(new Segment(position, pad, new byte[pad], null));
                position += pad;
            }
        }
        segments.add(new Segment(position, 2 * BLOCK, new byte[2 * BLOCK], null));
        this.size = position + 2 * BLOCK;
    }

    /** The archive's size for files of these sizes. */
    static long archiveSize(List<Long> sizes) {
        long total = 2 * BLOCK;
        for (long file : sizes) {
            total += BLOCK + (file + BLOCK - 1) / BLOCK * BLOCK;
        }
        return total;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + "+" + length + ") lies outside " + description + " (" + size + " bytes)");
        }
        List<InputStream> parts = new ArrayList<>();
        long end = offset + length;
        try {
            for (Segment segment : segments) {
                if (segment.end() <= offset || segment.start() >= end) {
                    continue;
                }
                long from = Math.max(offset, segment.start()) - segment.start();
                long to = Math.min(end, segment.end()) - segment.start();
                if (segment.bytes() != null) {
                    parts.add(new ByteArrayInputStream(segment.bytes(), (int) from, (int) (to - from)));
                } else {
                    parts.add(download(segment.entry(), from, to - from));
                }
            }
        } catch (IOException | RuntimeException e) {
            for (InputStream part : parts) {
                part.close();
            }
            throw e;
        }
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    /**
     * Bytes {@code [from, from + length)} of one file, with a ranged GET to its download URL. Through
     * {@link HttpsURLConnection}, whose body is read from the TLS socket straight into the caller's buffer: the
     * {@code java.net.http} client allocated about three bytes of buffers per byte downloaded and spent a third of
     * ferry's CPU in its asynchronous TLS machinery on the stream into S3.
     */
    private InputStream download(Entry entry, long from, long length) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) entry.uri().toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(trust.context().getSocketFactory());
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
        connection.setRequestProperty("Range", "bytes=" + from + "-" + (from + length - 1));
        int status;
        try {
            status = connection.getResponseCode();
        } catch (SSLHandshakeException e) {
            throw new FerryException(trust.untrusted("ESXi host", entry.uri(), e) + " (downloading " + entry.name() + " of " + description + ")", e);
        }
        String expected = "bytes " + from + "-" + (from + length - 1) + "/";
        String range = Optional.ofNullable(connection.getHeaderField("Content-Range")).orElse("");
        boolean whole = status == 200 && from == 0 && length == entry.size();
        if (!(status == 206 && range.startsWith(expected)) && !whole) {
            InputStream error = connection.getErrorStream();
            if (error != null) {
                error.close();
            }
            connection.disconnect();
            if (status == 404 || status == 403 || status == 401) {
                throw new IOException("the download URL of " + entry.name() + " answered HTTP " + status
                        + ": the download session may have ended; run ferry apply again to open a new one");
            }
            throw new IOException("the download of " + entry.name() + " answered HTTP " + status + " " + range
                    + " instead of bytes " + from + "-" + (from + length - 1));
        }
        return connection.getInputStream();
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return description + " (" + size + " bytes as an OVA)";
    }

    /** A ustar header for a regular file. */
    static byte[] header(String name, long size) {
        byte[] header = new byte[BLOCK];
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, 0, bytes.length);
        octal(header, 100, 8, 0644);
        octal(header, 108, 8, 0);
        octal(header, 116, 8, 0);
        if (size < 077777777777L) {
            octal(header, 124, 12, size);
        } else {
            header[124] = (byte) 0x80;
            long rest = size;
            for (int i = 135; i > 124; i--) {
                header[i] = (byte) (rest & 0xFF);
                rest >>>= 8;
            }
        }
        octal(header, 136, 12, MTIME);
        header[156] = '0';
        byte[] magic = "ustar\00000".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, header, 257, magic.length);
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        String checksum = String.format("%06o", sum);
        byte[] digits = checksum.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(digits, 0, header, 148, 6);
        header[154] = 0;
        header[155] = ' ';
        return header;
    }

    /** {@code value} in octal, zero-padded to {@code length - 1} digits and a NUL. */
    private static void octal(byte[] header, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        byte[] bytes = padded.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, length - 1);
        header[offset + length - 1] = 0;
    }
}
