package dev.ferry.engine.transfer;

import java.io.IOException;
import java.io.InputStream;

/**
 * One attempt at delivering a transfer's compressed bytes in a single request body, such as the
 * one {@code PUT} to a Linode image's {@code upload_to} URL. The body cannot be replayed: when
 * {@link #send} fails, the pipeline asks its {@link ByteSinkFactory} for a fresh attempt and starts
 * over from the first byte.
 */
public interface ByteSink {

    /**
     * Sends the whole body, whose length is not known in advance, and returns once the receiver
     * has answered. Throws when the receiver refuses the body or the connection breaks. The body
     * throws an {@link IOException} from {@code read} when the transfer is stopped; the sink then
     * abandons the request. A sink blocked elsewhere is interrupted, and should give up.
     *
     * <p>Messages of the exceptions thrown here reach the user: they must never hold the upload
     * URL (a pre-signed link is a credential) nor any other secret.
     */
    SinkReceipt send(InputStream body) throws IOException;
}
