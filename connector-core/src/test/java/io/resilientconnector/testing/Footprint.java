package io.resilientconnector.testing;

import java.io.File;
import java.lang.management.ManagementFactory;

/** Live threads, open file descriptors (Linux; -1 elsewhere) and heap used after GC: what a leak makes grow. */
public record Footprint(int threads, long fds, long heap) {

    public static Footprint take() {
        long heap = Long.MAX_VALUE;
        // An explicit GC is a full, synchronous collection; the lowest of a few is the live heap.
        for (int i = 0; i < 3; i++) {
            System.gc();
            heap = Math.min(heap, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        String[] fds = new File("/proc/self/fd").list();
        return new Footprint(Thread.activeCount(), fds == null ? -1 : fds.length, heap);
    }

    @Override
    public String toString() {
        return "threads=" + threads + " fds=" + fds + " heapAfterGc=" + heap / 1024 + "KiB";
    }
}
