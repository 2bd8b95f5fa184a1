package io.weir.broker.network;

import io.weir.broker.network.ProtocolSamples.KeyVersion;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Makes fuzzing input: random frames (random bytes, or a plausible header over random bytes) and valid
 * requests from {@link ProtocolSamples} with one to four mutations (bit flips, interesting values,
 * truncation, deletion, duplication, appended bytes) and, rarely, a wrong size prefix.
 */
public final class FrameMutator {
    private final int[] interesting;

    /** @param maxRequestSize the broker's limit, whose neighbours are interesting sizes */
    public FrameMutator(int maxRequestSize) {
        this.interesting = new int[] {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, Integer.MAX_VALUE, Integer.MIN_VALUE,
                maxRequestSize, maxRequestSize + 1};
    }

    /** Random bytes, or a plausible header (any key, any version) over random bytes. */
    public static byte[] randomFrame(Random random, List<KeyVersion> samples) {
        if (random.nextInt(10) < 3) {
            byte[] junk = new byte[random.nextInt(64)];
            random.nextBytes(junk);
            return junk;
        }
        ByteBuffer body = ByteBuffer.allocate(512);
        short key = random.nextBoolean() ? samples.get(random.nextInt(samples.size())).key().id : (short) random.nextInt();
        short version = random.nextInt(4) == 0 ? (short) random.nextInt() : (short) (random.nextInt(22) - 2);
        body.putShort(key).putShort(version).putInt(random.nextInt());
        int clientIdLength = random.nextInt(5) == 0 ? random.nextInt(40) - 2 : random.nextInt(12);
        body.putShort((short) clientIdLength);
        byte[] rest = new byte[random.nextInt(200)];
        random.nextBytes(rest);
        if (random.nextBoolean()) {
            Arrays.fill(rest, 0, Math.min(rest.length, 1 + random.nextInt(8)), (byte) 0); // small lengths and empty tags
        }
        body.put(rest).flip();
        return withSize(body.remaining(), body);
    }

    /** A valid request of a random key and version with one to four mutations. */
    public byte[] mutatedFrame(Random random, List<KeyVersion> samples) {
        KeyVersion kv = samples.get(random.nextInt(samples.size()));
        RequestHeader header = new RequestHeader(kv.key(), kv.version(), "fuzz", random.nextInt());
        ByteBuffer body = ProtocolSamples.request(kv.key(), kv.version()).serializeWithHeader(header);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            bytes = mutate(bytes, random);
        }
        int size = bytes.length;
        if (random.nextInt(10) == 0) { // and, rarely, a wrong size
            size = random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : size + random.nextInt(7) - 3;
        }
        return withSize(size, ByteBuffer.wrap(bytes));
    }

    private byte[] mutate(byte[] b, Random random) {
        if (b.length == 0) {
            return new byte[] {(byte) random.nextInt()};
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(7)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) interesting[random.nextInt(interesting.length)];
            case 2 -> {
                int value = interesting[random.nextInt(interesting.length)];
                if (random.nextBoolean() && at + 2 <= b.length) {
                    ByteBuffer.wrap(b).putShort(at, (short) value);
                } else if (at + 4 <= b.length) {
                    ByteBuffer.wrap(b).putInt(at, value);
                }
            }
            case 3 -> {
                return Arrays.copyOf(b, at); // truncate
            }
            case 4 -> { // delete a range
                int end = Math.min(b.length, at + 1 + random.nextInt(8));
                byte[] out = new byte[b.length - (end - at)];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, end, out, at, b.length - end);
                return out;
            }
            case 5 -> { // duplicate a range
                int len = Math.min(b.length - at, 1 + random.nextInt(8));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, at + len);
                System.arraycopy(b, at, out, at + len, b.length - at);
                return out;
            }
            default -> { // append random bytes
                byte[] out = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                for (int i = b.length; i < out.length; i++) {
                    out[i] = (byte) random.nextInt();
                }
                return out;
            }
        }
        return b;
    }

    static byte[] withSize(int size, ByteBuffer body) {
        ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining());
        framed.putInt(size).put(body);
        return framed.array();
    }
}
