package dev.ferry.sandbox.aws;

import static java.util.Objects.requireNonNull;

/** An AWS error answer: HTTP status, error code and message, rendered in the service's own format. */
class AwsException extends RuntimeException {

    private final int status;
    private final String code;

    AwsException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = requireNonNull(code, "code is null");
    }

    static AwsException badRequest(String code, String message) {
        return new AwsException(400, code, message);
    }

    static AwsException missingParameter(String name) {
        return new AwsException(400, "MissingParameter",
                "The request must contain the parameter " + name);
    }

    static AwsException invalidValue(String parameter, String value, String why) {
        return new AwsException(400, "InvalidParameterValue",
                "Value (" + value + ") for parameter " + parameter + " is invalid. " + why);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
