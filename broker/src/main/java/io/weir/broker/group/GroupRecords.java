package io.weir.broker.group;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The group-metadata records of {@code __consumer_offsets}: a classic group's generation, protocol, leader and
 * members, written whenever a rebalance completes (and when the group becomes empty, or a static member is
 * replaced), so that the broker that takes over the group's offsets partition knows the group as it was and a
 * member's commit or heartbeat at the current generation succeeds there without a rebalance. They share the
 * topic with the offset records ({@link OffsetRecords}); the key's version tells them apart. The layout is
 * that of Kafka's {@code GroupMetadataKey} v2 and {@code GroupMetadataValue} v3 (both non-flexible):
 *
 * <pre>
 * key   (v2): int16 version=2, string group
 * value (v3): int16 version=3, string protocolType, int32 generation, nullable string protocol,
 *             nullable string leader, int64 currentStateTimestamp,
 *             int32 memberCount, then per member: string memberId, nullable string groupInstanceId,
 *             string clientId, string clientHost, int32 rebalanceTimeoutMs, int32 sessionTimeoutMs,
 *             bytes subscription, bytes assignment
 * string: int16 length (-1 for null) + UTF-8 bytes; bytes: int32 length + bytes
 * </pre>
 *
 * The subscription is the member's metadata for the group's chosen protocol. A null value (tombstone) deletes
 * the group. A value of another version, or one that does not parse, is skipped with a warning when loading.
 */
final class GroupRecords {
    static final short KEY_VERSION = 2;
    static final short VALUE_VERSION = 3;

    private GroupRecords() {
    }

    /** A member as stored. */
    record StoredMember(String memberId, String groupInstanceId, String clientId, String clientHost,
                        int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** A group as stored. */
    record StoredGroup(String protocolType, int generationId, String protocolName, String leaderId,
                       long timestamp, List<StoredMember> members) {
    }

    /** The version of an offsets-topic key (offset records and group records share the topic). */
    static short keyVersion(ByteBuffer key) {
        return key.remaining() < 2 ? -1 : key.getShort(key.position());
    }

    static byte[] key(String group) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(2 + 2 + g.length);
        buf.putShort(KEY_VERSION);
        putString(buf, g);
        return buf.array();
    }

    /** The group of a v2 key, or null when it is not one. */
    static String decodeKey(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        try {
            return b.getShort() == KEY_VERSION ? getString(b) : null;
        } catch (BufferUnderflowException e) {
            return null;
        }
    }

    static byte[] value(StoredGroup group) {
        List<byte[][]> members = new ArrayList<>();
        int size = 2 + sizeOf(group.protocolType) + 4 + sizeOf(group.protocolName) + sizeOf(group.leaderId) + 8 + 4;
        for (StoredMember m : group.members) {
            byte[][] fields = {utf8(m.memberId), utf8(m.groupInstanceId), utf8(m.clientId), utf8(m.clientHost)};
            members.add(fields);
            for (byte[] f : fields) {
                size += 2 + (f == null ? 0 : f.length);
            }
            size += 4 + 4 + 4 + m.subscription.length + 4 + m.assignment.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putShort(VALUE_VERSION);
        putString(buf, utf8(group.protocolType));
        buf.putInt(group.generationId);
        putString(buf, utf8(group.protocolName));
        putString(buf, utf8(group.leaderId));
        buf.putLong(group.timestamp);
        buf.putInt(group.members.size());
        for (int i = 0; i < group.members.size(); i++) {
            StoredMember m = group.members.get(i);
            byte[][] f = members.get(i);
            putString(buf, f[0]);
            putString(buf, f[1]);
            putString(buf, f[2]);
            putString(buf, f[3]);
            buf.putInt(m.rebalanceTimeoutMs);
            buf.putInt(m.sessionTimeoutMs);
            buf.putInt(m.subscription.length).put(m.subscription);
            buf.putInt(m.assignment.length).put(m.assignment);
        }
        return buf.array();
    }

    /** The group, or null when the value's version is unknown or it does not parse. */
    static StoredGroup decodeValue(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate();
        try {
            if (b.getShort() != VALUE_VERSION) {
                return null;
            }
            String protocolType = getString(b);
            int generation = b.getInt();
            String protocol = getString(b);
            String leader = getString(b);
            long timestamp = b.getLong();
            int count = b.getInt();
            if (count < 0 || count > b.remaining()) {
                return null;
            }
            List<StoredMember> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                members.add(new StoredMember(getString(b), getString(b), getString(b), getString(b), b.getInt(), b.getInt(),
                        getBytes(b), getBytes(b)));
            }
            return new StoredGroup(protocolType, generation, protocol, leader, timestamp, List.copyOf(members));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static int sizeOf(String s) {
        return 2 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
    }

    private static void putString(ByteBuffer buf, byte[] s) {
        if (s == null) {
            buf.putShort((short) -1);
            return;
        }
        buf.putShort((short) s.length);
        buf.put(s);
    }

    private static String getString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("bad length " + len);
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return bytes;
    }
}
