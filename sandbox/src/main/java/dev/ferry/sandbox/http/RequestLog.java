package dev.ferry.sandbox.http;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import static java.util.Objects.requireNonNull;

/**
 * Every request the sandbox served, for tests to assert on ("exactly one CreateImage").
 * Counters cover the sandbox's whole life; the detailed list keeps the most recent
 * {@value #MAX_KEPT} entries so a long benchmark does not grow without bound.
 */
public final class RequestLog {

    static final int MAX_KEPT = 100_000;

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> successes = new ConcurrentHashMap<>();

    /**
     * One request's place in the log. A request is entered as soon as its status is known, before the client
     * can have read the answer, so a test that looks right after a call finds it; its duration and byte counts
     * are filled in when it ends.
     */
    static final class Entry {
        private volatile LoggedRequest request;
        private boolean counted;
    }

    Entry begin() {
        return new Entry();
    }

    /** Enters the request (if not yet) with what is known now. */
    void update(Entry entry, LoggedRequest request) {
        requireNonNull(request, "request is null");
        synchronized (entries) {
            entry.request = request;
            if (entry.counted) {
                return;
            }
            entry.counted = true;
            entries.addLast(entry);
            if (entries.size() > MAX_KEPT) {
                entries.removeFirst();
            }
        }
        counts.computeIfAbsent(request.key(), k -> new LongAdder()).increment();
        if (request.succeeded()) {
            successes.computeIfAbsent(request.key(), k -> new LongAdder()).increment();
        }
    }

    void record(LoggedRequest request) {
        update(begin(), request);
    }

    /** All kept requests in the order their answers began (or they were cut), oldest first. */
    public List<LoggedRequest> all() {
        synchronized (entries) {
            return entries.stream().map(e -> e.request).toList();
        }
    }

    public List<LoggedRequest> matching(Predicate<LoggedRequest> filter) {
        return all().stream().filter(filter).toList();
    }

    /** Requests to one service ({@code ec2}, {@code linode}, ...). */
    public List<LoggedRequest> forService(String service) {
        return matching(r -> r.service().equals(service));
    }

    /**
     * How many requests had this key, whatever their outcome: {@code ec2:CreateImage},
     * {@code s3:PutObject}, {@code linode:POST /images/upload}, {@code linode-upload:PUT /linode-uploads/{id}}.
     */
    public long count(String key) {
        LongAdder adder = counts.get(key);
        return adder == null ? 0 : adder.sum();
    }

    /** How many requests with this key were answered with a 2xx status. */
    public long successCount(String key) {
        LongAdder adder = successes.get(key);
        return adder == null ? 0 : adder.sum();
    }

    /** Every key seen with its count, sorted by key. */
    public Map<String, Long> counts() {
        Map<String, Long> result = new TreeMap<>();
        counts.forEach((k, v) -> result.put(k, v.sum()));
        return result;
    }

    /** Forgets kept requests and counters (the world is not affected). */
    public void clear() {
        synchronized (entries) {
            entries.clear();
        }
        counts.clear();
        successes.clear();
    }
}
