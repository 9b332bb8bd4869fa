package dev.ferry.sandbox.linode;

/**
 * Size limits of a Linode image upload: the gzip body as sent and the raw disk it inflates to
 * (Linode's are 5 GB and 6 GB; tests lower them to exercise the refusal cheaply).
 */
public record LinodeLimits(long maxCompressedBytes, long maxRawBytes) {

    public static final long GIB = 1024L * 1024 * 1024;

    public LinodeLimits {
        if (maxCompressedBytes <= 0 || maxRawBytes <= 0) {
            throw new IllegalArgumentException("upload limits must be positive");
        }
    }

    public static LinodeLimits defaults() {
        return new LinodeLimits(5 * GIB, 6 * GIB);
    }
}
