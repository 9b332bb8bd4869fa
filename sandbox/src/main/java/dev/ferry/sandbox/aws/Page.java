package dev.ferry.sandbox.aws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One page of a paginated EC2 answer. Tokens are opaque to clients; they carry the offset and the
 * action so a token from one call is refused by another.
 */
record Page<T>(List<T> items, String nextToken) {

    /**
     * @param maxResults the client's MaxResults, or null for everything (or {@code defaultSize} if set)
     * @param min        smallest MaxResults the real API accepts
     * @param max        largest MaxResults the real API accepts
     */
    static <T> Page<T> of(List<T> all, Integer maxResults, String nextToken, int min, int max, Integer defaultSize,
                          String action) {
        Integer size = maxResults;
        if (size != null && (size < min || size > max)) {
            throw AwsException.badRequest("InvalidParameterValue", "Value ( " + size
                    + " ) for parameter maxResults is invalid. Expecting a value between " + min + " and " + max + ".");
        }
        if (size == null) {
            size = defaultSize;
        }
        int offset = 0;
        if (nextToken != null && !nextToken.isEmpty()) {
            offset = decode(nextToken, action);
        }
        if (size == null) {
            return new Page<>(all.subList(Math.min(offset, all.size()), all.size()), null);
        }
        int end = Math.min(all.size(), offset + size);
        List<T> items = all.subList(Math.min(offset, all.size()), end);
        String next = end < all.size() ? encode(end, action) : null;
        return new Page<>(List.copyOf(items), next);
    }

    private static String encode(int offset, String action) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((action + ":" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decode(String token, String action) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int colon = text.lastIndexOf(':');
            if (colon < 0 || !text.substring(0, colon).equals(action)) {
                throw new IllegalArgumentException();
            }
            return Integer.parseInt(text.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw AwsException.badRequest("InvalidParameterValue", "Unable to parse pagination token");
        }
    }
}
