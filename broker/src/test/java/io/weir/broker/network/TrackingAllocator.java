package io.weir.broker.network;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled allocator that remembers every buffer it hands out, so that a test can assert that all
 * of them were released: a deterministic leak check, where Netty's leak detector only reports leaks
 * it happens to see garbage collected. Buffers are still wrapped by the leak detector as usual.
 * Not thread-safe: for an {@code EmbeddedChannel}, whose pipeline runs on the test thread.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    int allocations() {
        return allocated.size();
    }

    /** Buffers still referenced: each one is a leak once the channel is finished. */
    List<String> unreleased() {
        return allocated.stream().filter(b -> b.refCnt() > 0).map(b -> b + " refCnt=" + b.refCnt()).toList();
    }
}
