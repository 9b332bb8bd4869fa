package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.engine.spec.SectionKind.Refusal;
import dev.ferry.sandbox.Sandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RootPasswordTest {

    @Test
    void lengthIsSevenTo128Characters() {
        assertThat(RootPassword.refusal("Ab1$xy")).map(Refusal::problem)
                .hasValue("the root password is 6 characters long; Linode requires 7–128");
        assertThat(RootPassword.problem("Ab1$" + "x".repeat(125))).hasValueSatisfying(p -> assertThat(p).contains("is 129 characters long"));
        assertThat(RootPassword.problem("Ab1$xyZ9q")).isEmpty();
        assertThat(RootPassword.problem("Ab1$xy😀")).as("seven code points, eight UTF-16 units").isEmpty();
    }

    @Test
    void commonPasswordsRunsAndRepetitionsFail() {
        assertThat(RootPassword.problem("password1")).hasValueSatisfying(p -> assertThat(p).contains("strength check"));
        assertThat(RootPassword.problem("P@ssw0rd!")).isPresent();
        assertThat(RootPassword.problem("qwertyuiop")).isPresent();
        assertThat(RootPassword.problem("aaaaaaaaaaaaaaaaaa")).isPresent();
        assertThat(RootPassword.problem("abcdefghij")).isPresent();
    }

    @Test
    void strongPasswordsPass() {
        assertThat(RootPassword.problem("Correct-Horse-Battery-42!")).isEmpty();
        assertThat(RootPassword.problem("correcthorsebatterystaple")).isEmpty();
        assertThat(RootPassword.problem("Tr0ub4dor&3")).isEmpty();
    }

    @Test
    void theMessageSaysWhatToDoAndNeverHoldsThePassword() {
        assertThat(RootPassword.refusal("hunter2")).hasValueSatisfying(r -> {
            assertThat(r.problem() + r.hint()).doesNotContain("hunter2");
            assertThat(r.hint()).contains("at least 12 characters");
        });
        assertThat(RootPassword.problem("x9")).hasValueSatisfying(p -> assertThat(p).doesNotContain("x9"));
    }

    /**
     * Ferry's verdict is the sandbox Linode's on every password of a varied set: the sandbox answers a create
     * with a bad {@code root_pass} before it looks the type up, so an unknown type tells a password it took
     * (the error is about the type) from one it refused, and no Linode is made.
     */
    @Test
    void judgesEveryPasswordAsTheSandboxLinodeDoes() {
        List<String> passwords = new ArrayList<>(List.of("Ab1$xy", "Ab1$xyZ", "password1", "Password123!", "P@ssword?", "master_",
                "qwertyuiop", "pasdfghj", "1qaz2wsx", "0987654321", "abababababab", "zzzzzzzzzz", "correcthorsebatterystaple",
                "Tr0ub4dor&3", "Ab1$xy😀", "中文密码中文密码中文密码中文", "ÉÉÉéééààà", "seven77", "Se7en!!", "a".repeat(129),
                "Ab1$" + "q".repeat(124), "hunter2", "linode2024", "Shadow#1"));
        Random random = new Random(20261203);
        String[] classes = {"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", "!@#$%^&*.?_- ~é中"};
        for (int i = 0; i < 300; i++) {
            StringBuilder password = new StringBuilder();
            int mask = 1 + random.nextInt(15);
            int length = 4 + random.nextInt(14);
            while (password.length() < length) {
                int pick = random.nextInt(4);
                if ((mask & (1 << pick)) != 0) {
                    password.append(classes[pick].charAt(random.nextInt(classes[pick].length())));
                }
            }
            passwords.add(password.toString());
        }
        try (Sandbox sandbox = LinodeSandbox.start()) {
            LinodeClient client = LinodeSandbox.client(sandbox);
            List<String> disagreements = new ArrayList<>();
            int refused = 0;
            for (String password : passwords) {
                ObjectNode body = JsonNodeFactory.instance.objectNode().put("type", "g6-no-such-type").put("region", "us-lax")
                        .put("image", "linode/debian12").put("root_pass", password);
                LinodeApiException answer = catchThrowableOfType(LinodeApiException.class,
                        () -> client.post("/linode/instances", body, LinodeClient.Replay.ONCE));
                assertThat(answer).as("the sandbox creates nothing of an unknown type").isNotNull();
                boolean sandboxRefuses = answer.concerns("root_pass");
                refused += sandboxRefuses ? 1 : 0;
                assertThat(sandboxRefuses || answer.concerns("type")).as(answer.getMessage()).isTrue();
                if (sandboxRefuses != RootPassword.refusal(password).isPresent()) {
                    disagreements.add(password + (sandboxRefuses ? " (the sandbox refuses it)" : " (the sandbox takes it)"));
                }
            }
            assertThat(disagreements).isEmpty();
            assertThat(refused).as("the set holds passwords of both verdicts").isBetween(50, passwords.size() - 50);
            assertThat(sandbox.world().linode().instances()).isEmpty();
        }
    }
}
