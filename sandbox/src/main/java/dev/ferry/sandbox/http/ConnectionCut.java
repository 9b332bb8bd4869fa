package dev.ferry.sandbox.http;

import java.io.IOException;

/**
 * Thrown to abandon an exchange on purpose: the JDK server closes the connection when a handler
 * fails with an I/O error, which is exactly what a cut connection looks like to the client.
 */
final class ConnectionCut extends IOException {
    ConnectionCut(String message) {
        super(message);
    }
}
