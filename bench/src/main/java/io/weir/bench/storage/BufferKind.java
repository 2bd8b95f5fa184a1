package io.weir.bench.storage;

/** Where a benchmark keeps its record batch: the JVM heap or a direct (off-heap) buffer. */
enum BufferKind {
    HEAP, DIRECT;

    static BufferKind parse(String name) {
        return switch (name) {
            case "heap" -> HEAP;
            case "direct" -> DIRECT;
            default -> throw new IllegalArgumentException("buffer must be heap or direct, not " + name);
        };
    }

    boolean direct() {
        return this == DIRECT;
    }
}
