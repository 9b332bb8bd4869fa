package dev.ferry.sandbox.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultSpecTest {

    @Test
    void readsTheDocumentedExampleWithListsContinuingOverCommas() {
        FaultSpec spec = FaultSpec.parse("rate=0.1,statuses=500,503,429,cut=0.05,latency=20ms,services=linode,s3,seed=7");
        FaultRule rule = spec.rules().get(0);
        assertThat(rule.errorRate()).isEqualTo(0.1);
        assertThat(rule.statuses()).containsExactly(500, 503, 429);
        assertThat(rule.cutRate()).isEqualTo(0.05);
        assertThat(rule.latency()).isEqualTo(Duration.ofMillis(20));
        assertThat(rule.services()).isEqualTo(Set.of("linode", "s3"));
        assertThat(rule.seed()).hasValue(7);
        assertThat(FaultSpec.parse(spec.toString())).isEqualTo(spec);
    }

    @Test
    void cutsHelperSshSessionsAfterSomeStdinOnlyWhenARuleNamesThem() {
        FaultSpec spec = FaultSpec.parse("services=linode-ssh,actions=W,cut=1,cut-after=1MiB,count=1");
        assertThat(spec.rules().get(0).cutAfterBytes()).isEqualTo(1024 * 1024);
        assertThat(FaultSpec.parse(spec.toString())).isEqualTo(spec);
        Faults faults = new Faults(spec);
        assertThat(faults.sshCut("R")).isEmpty();
        assertThat(faults.sshCut("W")).hasValue(1024 * 1024);
        assertThat(faults.sshCut("W")).as("count=1").isEmpty();
        assertThat(new Faults(FaultSpec.parse("cut=1")).sshCut("W")).as("a rule for every service").isEmpty();
        assertThatThrownBy(() -> FaultSpec.parse("services=linode-ssh,cut=1,cut-after=1MiB/s"))
                .hasMessageContaining("cut-after=1MiB/s is not a byte count");
    }

    @Test
    void readsSeveralRulesAndEveryKey() {
        FaultSpec spec = FaultSpec.parse("services=linode-upload,cut=1,cut-direction=request,count=1 ; "
                + "services=ec2,actions=CreateImage,DescribeImages,rate=0.5,statuses=throttle,retry-after=3s ; "
                + "slow=0.2,slow-rate=64KiB/s,latency=1s");
        assertThat(spec.rules()).hasSize(3);
        assertThat(spec.rules().get(0).cutDirection()).isEqualTo(FaultRule.CutDirection.REQUEST);
        assertThat(spec.rules().get(0).maxFaults()).isEqualTo(1);
        assertThat(spec.rules().get(1).actions()).containsExactlyInAnyOrder("CreateImage", "DescribeImages");
        assertThat(spec.rules().get(1).statuses()).containsExactly(429);
        assertThat(spec.rules().get(1).retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(spec.rules().get(2).slowBytesPerSecond()).isEqualTo(64 * 1024);
        assertThat(spec.rules().get(2).latency()).isEqualTo(Duration.ofSeconds(1));
        assertThat(spec.rules().get(2).services()).isEmpty();
        assertThat(FaultSpec.parse(spec.toString())).isEqualTo(spec);
        assertThat(FaultSpec.parse("none").isEmpty()).isTrue();
        assertThat(FaultSpec.parse("").isEmpty()).isTrue();
    }

    @Test
    void explainsWhatIsWrongWithABadSpec() {
        assertThatThrownBy(() -> FaultSpec.parse("colour=red"))
                .hasMessageContaining("unknown key 'colour'").hasMessageContaining("rate");
        assertThatThrownBy(() -> FaultSpec.parse("rate=2")).hasMessageContaining("between 0 and 1");
        assertThatThrownBy(() -> FaultSpec.parse("rate=often")).hasMessageContaining("rate=often");
        assertThatThrownBy(() -> FaultSpec.parse("statuses=404")).hasMessageContaining("404")
                .hasMessageContaining("500, 503 or 429");
        assertThatThrownBy(() -> FaultSpec.parse("latency=fast")).hasMessageContaining("duration");
        assertThatThrownBy(() -> FaultSpec.parse("services=gcp")).hasMessageContaining("unknown service 'gcp'");
        assertThatThrownBy(() -> FaultSpec.parse("cut-direction=sideways")).hasMessageContaining("request, response");
        assertThatThrownBy(() -> FaultSpec.parse("0.5")).hasMessageContaining("not key=value");
        assertThatThrownBy(() -> FaultSpec.parse("rate=0.1;seed=x")).hasMessageContaining("rule 2");
        assertThatThrownBy(() -> FaultSpec.parse("slow-rate=quick")).hasMessageContaining("byte rate");
    }

    @Test
    void aSeedMakesTheSameDecisionsForTheSameRequests() {
        FaultSpec spec = FaultSpec.parse("rate=0.3,cut=0.3,seed=42");
        List<String> first = decisions(new Faults(spec));
        List<String> second = decisions(new Faults(spec));
        assertThat(first).isEqualTo(second);
        assertThat(first).contains("none").anyMatch(d -> d.startsWith("error")).anyMatch(d -> d.startsWith("cut"));
    }

    private static List<String> decisions(Faults faults) {
        return java.util.stream.IntStream.range(0, 50).mapToObj(i -> {
            FaultDecision d = faults.decide(Service.LINODE, "GET /regions", i % 2 == 0);
            return d.label() == null ? "none" : d.label();
        }).toList();
    }

    @Test
    void stopsAfterCountFaultsAndOnlyTouchesMatchingRequests() {
        Faults faults = new Faults(FaultSpec.parse("services=ec2,actions=CreateImage,rate=1,count=2"));
        assertThat(faults.decide(Service.EC2, "DescribeImages", false).isNone()).isTrue();
        assertThat(faults.decide(Service.S3, "CreateImage", false).isNone()).isTrue();
        assertThat(faults.decide(Service.EC2, "CreateImage", false).errorStatus()).isNotZero();
        assertThat(faults.decide(Service.EC2, "CreateImage", false).errorStatus()).isNotZero();
        assertThat(faults.decide(Service.EC2, "CreateImage", false).isNone()).isTrue();
        assertThat(faults.injectedCount()).isEqualTo(2);
    }
}
