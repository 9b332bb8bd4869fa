package dev.ferry.sandbox.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * Decides which service a request is for, then runs it through authentication, faults and the
 * service's handler, and logs it.
 *
 * <p>AWS requests are recognised by the service in their SigV4 credential scope; Linode API requests
 * by their {@code /v4} prefix; image uploads by {@code /linode-uploads/}; the vCenter REST API by
 * {@code /api} without SigV4 credentials (a signed {@code /api/...} is S3, for a bucket named {@code api}).
 */
public final class Router {

    public static final String LINODE_PREFIX = "/v4";
    public static final String UPLOAD_PREFIX = "/linode-uploads/";
    public static final String VCENTER_PREFIX = "/api";

    private final Map<Service, ServiceHandler> handlers;
    private final ServiceHandler unsigned;
    private final Faults faults;
    private final RequestLog log;
    private final List<Consumer<LinodeExchange>> linodeListeners = new CopyOnWriteArrayList<>();

    /**
     * @param handlers one handler per service
     * @param unsigned answers requests that name no service (no credentials at all)
     */
    public Router(Map<Service, ServiceHandler> handlers, ServiceHandler unsigned, Faults faults, RequestLog log) {
        this.handlers = new EnumMap<>(requireNonNull(handlers, "handlers is null"));
        this.unsigned = requireNonNull(unsigned, "unsigned is null");
        this.faults = requireNonNull(faults, "faults is null");
        this.log = requireNonNull(log, "log is null");
    }

    public void onLinodeExchange(Consumer<LinodeExchange> listener) {
        linodeListeners.add(requireNonNull(listener, "listener is null"));
    }

    void route(HttpCall call) throws IOException {
        Service service = identify(call);
        RequestLog.Entry entry = log.begin();
        call.onStatus(() -> log.update(entry, logged(call, service)));
        try {
            if (service == null) {
                call.action(call.method() + " " + call.rawPath());
                if (unsigned.authenticate(call)) {
                    unsigned.handle(call);
                }
                return;
            }
            call.service(service);
            ServiceHandler handler = handlers.get(service);
            if (service == Service.LINODE && !linodeListeners.isEmpty()) {
                call.capture(() -> notifyLinodeListeners(call));
            }
            call.action(handler.action(call));
            if (!handler.authenticate(call)) {
                return;
            }
            FaultDecision fault = faults.decide(service, call.action(), call.hasBody() && !call.bodyConsumed());
            call.fault(fault);
            if (!fault.latency().isZero()) {
                sleep(fault.latency().toMillis());
            }
            if (fault.errorStatus() != 0) {
                handler.injectedError(call, fault.errorStatus(), fault.retryAfter());
                return;
            }
            if (fault.cut() == FaultDecision.Cut.REQUEST && (call.bodyConsumed() || !call.hasBody())) {
                call.cut("connection dropped before the request was served");
            }
            try {
                handler.handle(call);
            } catch (ConnectionCut | HttpCall.BodyTooLargeException e) {
                throw e;
            } catch (RuntimeException e) {
                if (call.responded()) {
                    throw e;
                }
                handler.internalError(call, e);
            }
            if (fault.cut() == FaultDecision.Cut.REQUEST && call.hasBody()) {
                // The handler answered without reading what the fault was meant to cut: cut anyway.
                drain(call.body());
            }
        } finally {
            log.update(entry, logged(call, service));
        }
    }

    private static LoggedRequest logged(HttpCall call, Service service) {
        return new LoggedRequest(call.arrived(), service == null ? "unknown" : service.id(), call.action(),
                call.method(), call.rawPath(), call.responded() ? call.status() : 0, call.elapsed(), call.bytesIn(),
                call.bytesOut(), call.fault().label(), call.requestId());
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        while (in.read(buffer) >= 0) {
            // reading until the cut fires
        }
    }

    private void notifyLinodeListeners(HttpCall call) {
        LinodeExchange exchange = new LinodeExchange(call.method(), call.rawPath(), call.rawQuery(),
                call.requestHeaders(), call.capturedRequest(), call.status(), call.responseHeaders(),
                call.capturedResponse());
        for (Consumer<LinodeExchange> listener : linodeListeners) {
            try {
                listener.accept(exchange);
            } catch (RuntimeException | AssertionError e) {
                // A listener's failure must not turn into a failed request; listeners report on their own.
                System.getLogger(Router.class.getName()).log(System.Logger.Level.WARNING,
                        "Linode exchange listener failed for " + exchange, e);
            }
        }
    }

    static Service identify(HttpCall call) {
        String path = call.rawPath();
        if (path.equals(LINODE_PREFIX) || path.startsWith(LINODE_PREFIX + "/")) {
            return Service.LINODE;
        }
        if (path.startsWith(UPLOAD_PREFIX)) {
            return Service.LINODE_UPLOAD;
        }
        if ((path.equals(VCENTER_PREFIX) || path.startsWith(VCENTER_PREFIX + "/"))
                && SigV4Credential.of(call).isEmpty()) {
            return Service.VCENTER;
        }
        return SigV4Credential.of(call).flatMap(c -> Service.fromSigningName(c.service())).orElse(null);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
