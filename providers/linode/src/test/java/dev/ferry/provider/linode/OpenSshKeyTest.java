package dev.ferry.provider.linode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys written by an independent encoder (Apache MINA SSHD, for RSA and ECDSA) pass; each way a pasted key goes wrong is named. */
class OpenSshKeyTest {

    private static String line(PublicKey key) {
        return encode(key) + " ops@example.com";
    }

    /** MINA writes RSA and ECDSA keys; it needs an extra library for the JDK's Ed25519, whose key is the X.509 form's last 32 bytes. */
    private static String encode(PublicKey key) {
        if (key.getAlgorithm().equals("EdDSA")) {
            byte[] x509 = key.getEncoded();
            return "ssh-ed25519 " + blob("ssh-ed25519", Arrays.copyOfRange(x509, x509.length - 32, x509.length));
        }
        return PublicKeyEntry.toString(key);
    }

    private static PublicKey generate(String algorithm, Object parameter) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (parameter instanceof Integer bits) {
            generator.initialize(bits);
        } else if (parameter instanceof String curve) {
            generator.initialize(new ECGenParameterSpec(curve));
        }
        return generator.generateKeyPair().getPublic();
    }

    /** An SSH wire blob of the given fields (strings as US-ASCII, byte arrays as they are). */
    private static String blob(Object... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object field : fields) {
            byte[] bytes = field instanceof String text ? text.getBytes(StandardCharsets.US_ASCII) : (byte[]) field;
            out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.writeBytes(bytes);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static byte[] point(int length) {
        byte[] point = new byte[length];
        point[0] = 4;
        return point;
    }

    @ParameterizedTest
    @CsvSource({"Ed25519,", "RSA,2048", "RSA,1024", "EC,secp256r1", "EC,secp384r1", "EC,secp521r1"})
    void keysAsSshKeygenWritesThemAreWellFormed(String algorithm, String parameter) throws GeneralSecurityException {
        Object spec = parameter == null ? null : parameter.startsWith("secp") ? parameter : Integer.valueOf(parameter);
        String line = line(generate(algorithm, spec));

        assertThat(OpenSshKey.problem(line)).as(line).isEmpty();
        assertThat(OpenSshKey.problem("  " + line.replace(" ", "\t") + "\n")).as("tabs and surrounding blanks").isEmpty();
    }

    @Test
    void theKeyOfTheExamplesAndSecurityKeyTypesAreWellFormed() {
        assertThat(OpenSshKey.problem("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDfA2JpVvzrxj7zU7hxaKSsRu8Ud1Ri3d0r4LEvTeDS2")).isEmpty();
        assertThat(OpenSshKey.problem("sk-ssh-ed25519@openssh.com " + blob("sk-ssh-ed25519@openssh.com", new byte[32], "ssh:"))).isEmpty();
        assertThat(OpenSshKey.problem("sk-ecdsa-sha2-nistp256@openssh.com "
                + blob("sk-ecdsa-sha2-nistp256@openssh.com", "nistp256", point(65), "ssh:") + " yubikey")).isEmpty();
    }

    @Test
    void aKeyCutShortWhenPastedIsNamedAsCut() throws GeneralSecurityException {
        String whole = encode(generate("Ed25519", null));
        String cut = whole.substring(0, whole.length() - 4);

        assertThat(OpenSshKey.problem(cut)).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("the key data ends inside the Ed25519 key; it was probably cut when copied"));
        assertThat(OpenSshKey.problem("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFerrySandboxKeyForTestsOnly0000000000000"))
                .hasValueSatisfying(p -> assertThat(p).contains("not valid base64"));
        assertThat(OpenSshKey.problem("ssh-rsa AAAAB3NzaC1yc2EAAAADAQAB")).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("the key data ends inside the RSA modulus; it was probably cut when copied"));
    }

    @Test
    void aLineWhoseTypeDisagreesWithItsKeyDataIsRefused() throws GeneralSecurityException {
        String ed25519 = encode(generate("Ed25519", null)).split(" ")[1];
        String p384 = encode(generate("EC", "secp384r1")).split(" ")[1];

        assertThat(OpenSshKey.problem("ssh-rsa " + ed25519)).hasValueSatisfying(p -> assertThat(p)
                .isEqualTo("the line says ssh-rsa, but its key data says ssh-ed25519"));
        assertThat(OpenSshKey.problem("ecdsa-sha2-nistp256 " + p384)).hasValueSatisfying(p -> assertThat(p)
                .contains("its key data says ecdsa-sha2-nistp384"));
        assertThat(OpenSshKey.problem("ecdsa-sha2-nistp256 " + blob("ecdsa-sha2-nistp256", "nistp384", point(65))))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("its key data names the curve nistp384, not nistp256"));
    }

    @Test
    void fieldsOfTheWrongSizeOrValueAreRefused() {
        assertThat(OpenSshKey.problem("ecdsa-sha2-nistp521 " + blob("ecdsa-sha2-nistp521", "nistp521", point(97))))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("its nistp521 point is 97 bytes; an uncompressed nistp521 point is 133 bytes"));
        assertThat(OpenSshKey.problem("ecdsa-sha2-nistp256 " + blob("ecdsa-sha2-nistp256", "nistp256", new byte[65])))
                .hasValueSatisfying(p -> assertThat(p).contains("not in uncompressed form"));
        byte[] small = BigInteger.ONE.shiftLeft(767).toByteArray();
        assertThat(OpenSshKey.problem("ssh-rsa " + blob("ssh-rsa", BigInteger.valueOf(65537).toByteArray(), small)))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("its RSA modulus has 768 bits; OpenSSH refuses RSA keys under 1024 bits"));
        byte[] modulus = BigInteger.ONE.shiftLeft(2047).toByteArray();
        assertThat(OpenSshKey.problem("ssh-rsa " + blob("ssh-rsa", new byte[0], modulus)))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("its RSA exponent is not a positive odd number"));
        assertThat(OpenSshKey.problem("ssh-ed25519 " + blob("ssh-ed25519", new byte[32], "extra")))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("the key data has 9 bytes after the ssh-ed25519 key"));
        assertThat(OpenSshKey.problem("sk-ssh-ed25519@openssh.com " + blob("sk-ssh-ed25519@openssh.com", new byte[32], "")))
                .hasValueSatisfying(p -> assertThat(p).isEqualTo("its security key application is empty"));
    }

    @Test
    void aLineWithoutKeyDataOrOfAnUnknownTypeIsRefused() {
        assertThat(OpenSshKey.problem("ssh-ed25519")).hasValueSatisfying(p -> assertThat(p).startsWith("it needs a key type and the key data"));
        assertThat(OpenSshKey.problem("ssh-xmss@openssh.com " + blob("ssh-xmss@openssh.com", new byte[32])))
                .hasValueSatisfying(p -> assertThat(p).startsWith("'ssh-xmss@openssh.com' is not a key type Linode accepts"));
    }
}
