package dev.ferry.provider.vsphere.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Microsoft's VHD ("Virtual Hard Disk Image Format Specification"): a 512-byte big-endian footer with
 * cookie {@code conectix} ends every VHD; a dynamic or differencing one also starts with a copy of it.
 */
final class Vhd {

    static final String COOKIE = "conectix";
    static final int FOOTER = 512;
    private static final int TYPE_FIXED = 2;
    private static final int TYPE_DYNAMIC = 3;
    private static final int TYPE_DIFFERENCING = 4;

    record Info(String variant, long capacityBytes, List<String> problems, List<String> warnings) {
        Info {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
        }
    }

    private Vhd() {
    }

    static Info inspect(ImageFile file, String where) throws IOException {
        boolean atStart = file.startsWith(0, COOKIE);
        boolean atEnd = file.size() >= FOOTER && file.startsWith(file.size() - FOOTER, COOKIE);
        ByteBuffer footer = (atEnd ? file.read(file.size() - FOOTER, FOOTER) : file.read(0, FOOTER)).order(ByteOrder.BIG_ENDIAN);
        if (footer.remaining() < FOOTER) {
            throw new ImageException(where + " starts with a VHD footer but is shorter than one (" + file.size() + " bytes): the file is truncated");
        }
        if (!checksumMatches(footer)) {
            throw new ImageException(where + " has a VHD footer whose checksum does not match: the file is corrupt");
        }
        long currentSize = footer.getLong(48);
        int diskType = footer.getInt(60);
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        String variant;
        switch (diskType) {
            case TYPE_FIXED -> {
                variant = "fixed";
                if (file.size() != currentSize + FOOTER) {
                    warnings.add(where + " is a fixed VHD of " + currentSize + " bytes, but the file holds " + (file.size() - FOOTER)
                            + " bytes of data before its footer");
                }
            }
            case TYPE_DYNAMIC -> {
                variant = "dynamic";
                if (!atEnd) {
                    problems.add(where + " is a dynamic VHD whose closing footer is missing: the file is truncated; export it again");
                }
            }
            case TYPE_DIFFERENCING -> {
                variant = "differencing";
                problems.add(where + " is a differencing VHD, which holds only the changes to a parent disk: merge it into a "
                        + "standalone image first (qemu-img convert -O vpc)");
            }
            default -> throw new ImageException(where + " is a VHD of unknown disk type " + diskType + ": the file is corrupt");
        }
        if (!atStart && diskType != TYPE_FIXED) {
            problems.add(where + " is a " + variant + " VHD without the footer copy that must start it: the file is corrupt");
        }
        return new Info(variant, currentSize, problems, warnings);
    }

    /** The footer's checksum is the one's complement of the sum of its bytes, the checksum field left out. */
    static boolean checksumMatches(ByteBuffer footer) {
        return footer.getInt(64) == checksum(footer);
    }

    static int checksum(ByteBuffer footer) {
        int sum = 0;
        for (int i = 0; i < FOOTER; i++) {
            if (i < 64 || i >= 68) {
                sum += footer.get(i) & 0xFF;
            }
        }
        return ~sum;
    }
}
