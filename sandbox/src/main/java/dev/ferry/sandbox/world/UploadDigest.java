package dev.ferry.sandbox.world;

/**
 * What the sandbox measured of an image upload: sizes and SHA-256 (hex) of the gzip bytes received
 * and of the raw bytes they inflate to. The bytes themselves are not kept.
 */
public record UploadDigest(long gzipBytes, String gzipSha256, long rawBytes, String rawSha256) {
}
