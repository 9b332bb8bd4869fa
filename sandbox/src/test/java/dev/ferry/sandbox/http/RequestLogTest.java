package dev.ferry.sandbox.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RequestLogTest {

    private static LoggedRequest request(String service, String action, int status) {
        return new LoggedRequest(Instant.now(), service, action, "POST", "/", status, Duration.ofMillis(3), 10, 20,
                status >= 500 ? "error:" + status : null, "id");
    }

    @Test
    void countsByServiceAndActionAndBySuccess() {
        RequestLog log = new RequestLog();
        log.record(request("ec2", "CreateImage", 200));
        log.record(request("ec2", "CreateImage", 503));
        log.record(request("linode", "POST /images/upload", 200));
        assertThat(log.count("ec2:CreateImage")).isEqualTo(2);
        assertThat(log.successCount("ec2:CreateImage")).isEqualTo(1);
        assertThat(log.count("linode:POST /images/upload")).isEqualTo(1);
        assertThat(log.count("s3:PutObject")).isZero();
        assertThat(log.counts()).containsEntry("ec2:CreateImage", 2L);
        assertThat(log.forService("linode")).hasSize(1);
        assertThat(log.matching(r -> r.fault() != null)).hasSize(1);
        assertThat(log.all().get(0).toString()).contains("ec2:CreateImage").contains("200");
        log.clear();
        assertThat(log.all()).isEmpty();
        assertThat(log.count("ec2:CreateImage")).isZero();
    }
}
