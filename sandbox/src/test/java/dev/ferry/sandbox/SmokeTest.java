package dev.ferry.sandbox;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesResponse;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SmokeTest {
    @Test
    void describesInstances() {
        try (Sandbox sandbox = Sandbox.start(SandboxOptions.builder().timeScale(0.01)
                .cacheDirectory(Path.of("target/sandbox-cache")).build());
             AwsClients clients = new AwsClients(sandbox);
             Ec2Client ec2 = clients.ec2()) {
            DescribeInstancesResponse response = ec2.describeInstances();
            System.out.println(response);
            assertThat(response.reservations()).isNotEmpty();
            System.out.println(sandbox.requests().all());
        }
    }
}
