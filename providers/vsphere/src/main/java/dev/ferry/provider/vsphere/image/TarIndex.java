package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The members of a POSIX tar archive (ustar, with the pax and GNU extensions writers use for long
 * names and members over 8 GiB), found by reading only the 512-byte headers and skipping the data.
 */
final class TarIndex {

    static final int BLOCK = 512;
    private static final int MAX_MEMBERS = 10_000;

    /** One regular file in the archive: its name, where its data starts and how long it is. */
    record Member(String name, long offset, long size) {
    }

    private TarIndex() {
    }

    /** Whether the block at 0 carries the ustar magic ({@code ustar\0} POSIX, {@code ustar  } GNU). */
    static boolean looksLikeTar(ImageFile file) throws IOException {
        return file.startsWith(257, "ustar");
    }

    static List<Member> read(ImageFile file, String where) throws IOException {
        List<Member> members = new ArrayList<>();
        long offset = 0;
        String pendingName = null;
        Long pendingSize = null;
        while (true) {
            byte[] header = file.bytes(offset, BLOCK);
            if (header.length == 0) {
                if (members.isEmpty()) {
                    throw new ImageException(where + " is a tar archive that ends inside its first header: the file is truncated");
                }
                return members; // no end-of-archive blocks; tolerated, as GNU tar does
            }
            if (allZero(header)) {
                return members;
            }
            if (!checksumMatches(header)) {
                throw new ImageException(where + " is a tar archive with a damaged header at byte " + offset + ": the file is corrupt");
            }
            char type = (char) header[156];
            long size = pendingSize != null && (type == '0' || type == '\0' || type == '7') ? pendingSize : size(header, where, offset);
            long data = offset + BLOCK;
            if (size < 0 || data > file.size() - size) {
                String name = pendingName != null ? pendingName : name(header);
                throw new ImageException(where + " is truncated: its member '" + name + "' needs " + size + " bytes from byte " + data
                        + ", but the file ends at byte " + file.size() + " (an interrupted download or copy?)");
            }
            switch (type) {
                case 'x' -> {
                    Pax pax = Pax.parse(file.bytes(data, (int) Math.min(size, 1 << 20)));
                    pendingName = pax.path().orElse(pendingName);
                    pendingSize = pax.size().orElse(pendingSize);
                }
                case 'L' -> pendingName = cString(file.bytes(data, (int) Math.min(size, 1 << 16)), 0, (int) Math.min(size, 1 << 16));
                case '0', '\0', '7' -> {
                    members.add(new Member(pendingName != null ? pendingName : name(header), data, size));
                    pendingName = null;
                    pendingSize = null;
                }
                default -> {
                    // directories, links, global pax headers: nothing an OVA needs
                    pendingName = null;
                    pendingSize = null;
                }
            }
            if (members.size() > MAX_MEMBERS) {
                throw new ImageException(where + " is a tar archive of more than " + MAX_MEMBERS + " members: not an OVA");
            }
            offset = data + (size + BLOCK - 1) / BLOCK * BLOCK;
        }
    }

    static Optional<Member> first(ImageFile file, String where) throws IOException {
        List<Member> members = read(file, where);
        return members.isEmpty() ? Optional.empty() : Optional.of(members.get(0));
    }

    private static String name(byte[] header) {
        String name = cString(header, 0, 100);
        String prefix = cString(header, 345, 155);
        String full = prefix.isEmpty() ? name : prefix + "/" + name;
        return full.startsWith("./") ? full.substring(2) : full;
    }

    /** Octal digits, or (GNU) base-256 when the first byte's high bit is set. */
    private static long size(byte[] header, String where, long offset) {
        if ((header[124] & 0x80) != 0) {
            long value = 0;
            for (int i = 125; i < 136; i++) {
                if (value > (Long.MAX_VALUE >> 8)) {
                    throw new ImageException(where + " has a tar member of impossible size at byte " + offset + ": the file is corrupt");
                }
                value = (value << 8) | (header[i] & 0xFF);
            }
            return value;
        }
        return octal(header, 124, 12, where, offset);
    }

    private static long octal(byte[] header, int from, int length, String where, long offset) {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < from + length; i++) {
            byte b = header[i];
            if (b == 0 || (b == ' ' && digits)) {
                break;
            }
            if (b == ' ') {
                continue;
            }
            if (b < '0' || b > '7') {
                throw new ImageException(where + " has a tar header with a malformed number at byte " + (offset + i) + ": the file is corrupt");
            }
            value = value * 8 + (b - '0');
            digits = true;
        }
        return value;
    }

    /** The header checksum: the sum of its bytes with the checksum field read as eight spaces. */
    static boolean checksumMatches(byte[] header) {
        long stored;
        try {
            stored = octal(header, 148, 8, "", 0);
        } catch (ImageException e) {
            return false;
        }
        return stored == checksum(header);
    }

    static long checksum(byte[] header) {
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (header[i] & 0xFF);
        }
        return sum;
    }

    private static boolean allZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static String cString(byte[] bytes, int from, int length) {
        int end = from;
        while (end < from + length && end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    /** A pax extended header: records "LEN key=value\n"; ferry needs path and size. */
    private record Pax(Optional<String> path, Optional<Long> size) {
        static Pax parse(byte[] body) {
            String text = new String(body, StandardCharsets.UTF_8);
            Optional<String> path = Optional.empty();
            Optional<Long> size = Optional.empty();
            for (String record : text.split("\n")) {
                int space = record.indexOf(' ');
                int equals = record.indexOf('=');
                if (space < 0 || equals < space) {
                    continue;
                }
                String key = record.substring(space + 1, equals);
                String value = record.substring(equals + 1);
                if (key.equals("path")) {
                    path = Optional.of(value.startsWith("./") ? value.substring(2) : value);
                } else if (key.equals("size")) {
                    try {
                        size = Optional.of(Long.parseLong(value.trim()));
                    } catch (NumberFormatException e) {
                        // left to the ustar size field
                    }
                }
            }
            return new Pax(path, size);
        }
    }
}
