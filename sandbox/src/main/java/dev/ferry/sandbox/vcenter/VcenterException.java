package dev.ferry.sandbox.vcenter;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * A vAPI standard error as the {@code /api} endpoints answer it: an HTTP status and the body
 * {@code {"error_type", "messages": [{"args", "default_message", "id"}]}}.
 */
final class VcenterException extends RuntimeException {

    private final int status;
    private final String errorType;
    private final String messageId;
    private final List<String> args;

    VcenterException(int status, String errorType, String messageId, String defaultMessage, List<String> args) {
        super(defaultMessage);
        this.status = status;
        this.errorType = requireNonNull(errorType, "errorType is null");
        this.messageId = requireNonNull(messageId, "messageId is null");
        this.args = List.copyOf(args);
    }

    static VcenterException unauthenticated() {
        return new VcenterException(401, "UNAUTHENTICATED", "com.vmware.vapi.endpoint.method.authentication.required",
                "Authentication required.", List.of());
    }

    static VcenterException notFound() {
        return new VcenterException(404, "NOT_FOUND", "com.vmware.vapi.rest.httpNotFound", "Not found.", List.of());
    }

    static VcenterException vmNotFound(String vm) {
        return new VcenterException(404, "NOT_FOUND", "com.vmware.api.vcenter.vm.not_found",
                "Virtual machine with identifier '" + vm + "' does not exist.", List.of(vm));
    }

    static VcenterException invalidArgument(String messageId, String message, String... args) {
        return new VcenterException(400, "INVALID_ARGUMENT", messageId, message, List.of(args));
    }

    int status() {
        return status;
    }

    String errorType() {
        return errorType;
    }

    String messageId() {
        return messageId;
    }

    List<String> args() {
        return args;
    }
}
