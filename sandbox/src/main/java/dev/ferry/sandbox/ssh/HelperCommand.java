package dev.ferry.sandbox.ssh;

import dev.ferry.sandbox.http.Faults;
import dev.ferry.sandbox.world.DiskBytes;
import dev.ferry.sandbox.world.LinodeMachines;
import dev.ferry.sandbox.world.World;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import static java.util.Objects.requireNonNull;

/**
 * One exec request on the helper: exactly the shapes of the disk road (W: write a gzip chunk and read it back,
 * R: digest of a range, Z: {@code cmp} of a range against {@code /dev/zero}, B: size of a device, S: sync) on the
 * disks and volumes of the booted config, with the errors the real tools give; anything else is a tool the helper
 * does not have (exit 127).
 */
final class HelperCommand implements Command {

    private static final String READ = "dd if=/dev/(sd[a-h]) bs=1M iflag=skip_bytes,count_bytes skip=(\\d{1,18}) "
            + "count=(\\d{1,18}) status=none \\| sha256sum";
    static final Pattern W = Pattern.compile("gunzip -c \\| dd of=/dev/(sd[a-h]) bs=1M oflag=seek_bytes "
            + "seek=(\\d{1,18}) conv=notrunc,fsync status=none && dd if=/dev/\\1 bs=1M iflag=skip_bytes,count_bytes "
            + "skip=\\2 count=(\\d{1,18}) status=none \\| sha256sum");
    static final Pattern R = Pattern.compile(READ);
    static final Pattern Z = Pattern.compile("cmp -s -i (\\d{1,18}):0 -n (\\d{1,18}) /dev/(sd[a-h]) /dev/zero");
    static final Pattern B = Pattern.compile("blockdev --getsize64 /dev/(sd[a-h])");
    static final Pattern S = Pattern.compile("sync");
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private final World world;
    private final Faults faults;
    private final ExecutorService executor;
    private final String command;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Future<?> running;

    HelperCommand(World world, Faults faults, ExecutorService executor, String command) {
        this.world = requireNonNull(world, "world is null");
        this.faults = requireNonNull(faults, "faults is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.command = requireNonNull(command, "command is null");
    }

    /** Thrown when the fault injector cuts the session: nothing more is said on the channel. */
    private static final class SessionCut extends IOException {
        SessionCut() {
            super("session cut by the sandbox's fault injector");
        }
    }

    /** An exit status with what goes to stdout and stderr. */
    private record Outcome(int status, String stdout, String stderr) {
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
    }

    @Override
    public void setErrorStream(OutputStream err) {
        this.err = err;
    }

    @Override
    public void setExitCallback(ExitCallback callback) {
        this.exit = callback;
    }

    @Override
    public void start(ChannelSession channel, Environment env) {
        running = executor.submit(() -> run(channel));
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (running != null) {
            running.cancel(true);
        }
    }

    private void run(ChannelSession channel) {
        Outcome outcome;
        String kind = kind();
        OptionalLong cut = kind == null ? OptionalLong.empty() : faults.sshCut(kind);
        try {
            if (cut.isPresent() && !kind.equals("W")) {
                throw new SessionCut();
            }
            outcome = execute(channel, kind, cut);
        } catch (SessionCut e) {
            channel.getSession().close(true);
            return;
        } catch (IOException e) {
            outcome = new Outcome(1, "", "dd: " + e.getMessage() + "\n");
        }
        if ("W".equals(kind) && outcome.status() != 0) {
            // a failed write stops reading its stdin; the rest is taken and dropped so the client, still
            // sending, gets the exit status rather than a channel closed under it
            drain();
        }
        try {
            out.write(outcome.stdout().getBytes(StandardCharsets.UTF_8));
            out.flush();
            err.write(outcome.stderr().getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            // the client went away
        }
        exit.onExit(outcome.status());
    }

    private void drain() {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client went away
        }
    }

    /** W, R, Z, B or S (the names fault rules use as actions), or null for any other command. */
    private String kind() {
        if (W.matcher(command).matches()) {
            return "W";
        } else if (R.matcher(command).matches()) {
            return "R";
        } else if (Z.matcher(command).matches()) {
            return "Z";
        } else if (B.matcher(command).matches()) {
            return "B";
        } else if (S.matcher(command).matches()) {
            return "S";
        }
        return null;
    }

    private Outcome execute(ChannelSession channel, String kind, OptionalLong cut) throws IOException {
        if (kind == null) {
            String word = command.trim().split("\\s+", 2)[0];
            return new Outcome(127, "", "sh: 1: " + word + ": not found\n");
        }
        if (kind.equals("S")) {
            return new Outcome(0, "", "");
        }
        Long linodeId = channel.getSession().getAttribute(HelperSshServer.LINODE);
        Map<String, LinodeMachines.SlotDevice> devices = world.read(w -> w.linode().machines().bootedDevices(linodeId));
        if (devices.isEmpty()) {
            // the machine is no longer running: its sessions end
            throw new SessionCut();
        }
        Matcher m = (kind.equals("W") ? W : kind.equals("R") ? R : kind.equals("Z") ? Z : B).matcher(command);
        m.matches();
        String slot = kind.equals("Z") ? m.group(3) : m.group(1);
        LinodeMachines.SlotDevice device = devices.get(slot);
        if (device == null && kind.equals("Z")) {
            // cmp -s is silent about differences, not about a file it cannot open
            return new Outcome(2, "", "cmp: /dev/" + slot + ": No such file or directory\n");
        }
        if (device == null) {
            return kind.equals("B")
                    ? new Outcome(1, "", "blockdev: cannot open /dev/" + slot + ": No such file or directory\n")
                    // without pipefail, dd's failure leaves sha256sum digesting nothing, and exiting 0
                    : new Outcome(kind.equals("W") ? 1 : 0, kind.equals("W") ? "" : digestLine(EMPTY_SHA256),
                            "dd: failed to open '/dev/" + slot + "': No such file or directory\n");
        }
        return switch (kind) {
            case "B" -> new Outcome(0, device.sizeBytes() + "\n", "");
            case "Z" -> new Outcome(DiskBytes.zeros(device.file(), device.sizeBytes(), Long.parseLong(m.group(1)),
                    Long.parseLong(m.group(2))) ? 0 : 1, "", "");
            case "R" -> new Outcome(0, digestLine(DiskBytes.sha256(device.file(), device.sizeBytes(),
                    Long.parseLong(m.group(2)), Long.parseLong(m.group(3)))), "");
            default -> write(device, slot, Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), cut);
        };
    }

    private Outcome write(LinodeMachines.SlotDevice device, String slot, long offset, long length, OptionalLong cut)
            throws IOException {
        // the channel's stdin stays open when the gzip stream is closed: what is left of it is drained
        InputStream stdin = new CutAfter(in, cut.orElse(Long.MAX_VALUE));
        DiskBytes.Written written;
        try (InputStream gunzip = new GZIPInputStream(stdin, 64 * 1024)) {
            written = DiskBytes.write(device.file(), device.sizeBytes(), offset, gunzip);
        } catch (SessionCut e) {
            throw e;
        } catch (ZipException e) {
            String reason = e.getMessage() != null && e.getMessage().contains("Not in GZIP format")
                    ? "not in gzip format" : e.getMessage() != null && e.getMessage().contains("trailer")
                    ? "invalid compressed data--crc error" : "invalid compressed data--format violated";
            return new Outcome(1, "", "gzip: stdin: " + reason + "\n");
        } catch (EOFException e) {
            return new Outcome(1, "", "gzip: stdin: unexpected end of file\n");
        }
        if (written.noSpace()) {
            return new Outcome(1, "", "dd: error writing '/dev/" + slot + "': No space left on device\n");
        }
        // what was written is what reads back, unless the stream was not LENGTH bytes long
        String digest = written.bytes() == length ? written.sha256()
                : DiskBytes.sha256(device.file(), device.sizeBytes(), offset, length);
        return new Outcome(0, digestLine(digest), "");
    }

    private static String digestLine(String hex) {
        return hex + "  -\n";
    }

    /** Stdin that cuts the session once {@code limit} bytes have been read from it, and that close leaves open. */
    private static final class CutAfter extends FilterInputStream {
        private long left;

        CutAfter(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new SessionCut();
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public void close() {
        }
    }
}
