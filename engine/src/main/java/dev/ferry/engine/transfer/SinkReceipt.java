package dev.ferry.engine.transfer;

/** What the receiver answered to a complete body: its HTTP status and a short description. */
public record SinkReceipt(int status, String detail) {
}
