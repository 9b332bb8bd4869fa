package dev.ferry.provider.aws.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CredentialsMessageTest {

    @Test
    void whyALinkGaveNothingEndsWithoutItsFullStop_asTheMessageGoesOnAfterIt() {
        assertThat(CredentialsChain.firstSentence("Failed to load credentials from IMDS.\nmore detail"))
                .isEqualTo("Failed to load credentials from IMDS");
    }
}
