package dev.ferry.sandbox.http;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AwsChunkedInputStreamTest {

    private static AwsChunkedInputStream of(String framed) {
        return new AwsChunkedInputStream(new ByteArrayInputStream(framed.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void decodesSignedChunksAndReadsTheTrailers() throws IOException {
        String body = "5;chunk-signature=abc\r\nhello\r\n"
                + "6;chunk-signature=def\r\n world\r\n"
                + "0;chunk-signature=ghi\r\n"
                + "x-amz-checksum-crc32:DUoRhQ==\r\n"
                + "x-amz-trailer-signature:123\r\n\r\n";
        AwsChunkedInputStream in = of(body);
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(in.trailers()).containsEntry("x-amz-checksum-crc32", "DUoRhQ==");
        assertThat(in.decodedLength()).isEqualTo(11);
        assertThat(in.finished()).isTrue();
    }

    @Test
    void decodesUnsignedChunksWithoutAFinalEmptyLine() throws IOException {
        AwsChunkedInputStream in = of("3\r\nabc\r\n0\r\nx-amz-checksum-sha256:xyz\r\n");
        assertThat(in.readAllBytes()).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
        assertThat(in.trailers()).containsEntry("x-amz-checksum-sha256", "xyz");
    }

    @Test
    void refusesBrokenFraming() {
        assertThatThrownBy(() -> of("zz\r\nabc\r\n0\r\n\r\n").readAllBytes())
                .isInstanceOf(AwsChunkedInputStream.MalformedChunkException.class);
        assertThatThrownBy(() -> of("5\r\nab").readAllBytes())
                .isInstanceOf(AwsChunkedInputStream.MalformedChunkException.class);
        assertThatThrownBy(() -> of("3\r\nabcXX0\r\n\r\n").readAllBytes())
                .isInstanceOf(AwsChunkedInputStream.MalformedChunkException.class);
        assertThatThrownBy(() -> of("3\r\nabc\r\n").readAllBytes())
                .isInstanceOf(AwsChunkedInputStream.MalformedChunkException.class);
    }

    @Test
    void checksumsMatchTheirPublishedCheckValues() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(hex(ChecksumAlgorithm.CRC32, check)).isEqualTo("cbf43926");
        assertThat(hex(ChecksumAlgorithm.CRC32C, check)).isEqualTo("e3069283");
        assertThat(hex(ChecksumAlgorithm.CRC64NVME, check)).isEqualTo("ae8b14860a799888");
        assertThat(hex(ChecksumAlgorithm.SHA1, check)).isEqualTo("f7c3bc1d808e04732adf679965ccc34ca7ae3441");
    }

    private static String hex(ChecksumAlgorithm algorithm, byte[] data) {
        ChecksumAlgorithm.Running running = algorithm.start();
        running.update(data, 0, data.length);
        return java.util.HexFormat.of().formatHex(running.digest());
    }

}
