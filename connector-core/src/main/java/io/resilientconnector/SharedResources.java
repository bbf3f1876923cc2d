package io.resilientconnector;

import io.resilientconnector.transport.TransportType;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The process-wide default {@link ConnectorResources}, one per transport asked for, shared by every connector
 * built without resources of its own. Reference counted: created on the first connector's start, and closed
 * {@link #RELEASE_DELAY_MILLIS} after the last one closes, unless another starts in between, so that
 * close-then-reopen does not churn threads. Its threads are daemons, so a program that never closes its
 * connectors still exits.
 */
final class SharedResources {

    /** How long the default resources outlive their last connector. */
    static final long RELEASE_DELAY_MILLIS = 1000;

    private static final Map<TransportType, Holder> HOLDERS = new EnumMap<>(TransportType.class);

    private SharedResources() {
    }

    /** The shared resources for {@code transport}, counting one more user. */
    static synchronized ConnectorResources acquire(TransportType transport) {
        Holder holder = HOLDERS.computeIfAbsent(transport, t -> new Holder());
        if (holder.resources == null) {
            holder.resources = ConnectorResources.builder().transport(transport).build();
        }
        holder.users++;
        holder.generation++;
        return holder.resources;
    }

    /** One user of {@code resources} is done; the last one schedules their release. */
    static void release(TransportType transport, ConnectorResources resources) {
        long generation;
        synchronized (SharedResources.class) {
            Holder holder = HOLDERS.get(transport);
            if (holder == null || holder.resources != resources || --holder.users > 0) {
                return;
            }
            generation = holder.generation;
        }
        try {
            resources.eventLoopGroup().next().schedule(() -> releaseIfUnused(transport, resources, generation),
                    RELEASE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            releaseIfUnused(transport, resources, generation);
        }
    }

    private static void releaseIfUnused(TransportType transport, ConnectorResources resources, long generation) {
        synchronized (SharedResources.class) {
            Holder holder = HOLDERS.get(transport);
            if (holder == null || holder.resources != resources || holder.users > 0 || holder.generation != generation) {
                return;
            }
            holder.resources = null;
        }
        resources.closeAsync();
    }

    /** The shared resources for {@code transport} if they are alive now, for tests. */
    static synchronized ConnectorResources current(TransportType transport) {
        Holder holder = HOLDERS.get(transport);
        return holder == null ? null : holder.resources;
    }

    /** How many connectors use the shared resources for {@code transport} now, for tests. */
    static synchronized int users(TransportType transport) {
        Holder holder = HOLDERS.get(transport);
        return holder == null ? 0 : holder.users;
    }

    private static final class Holder {
        ConnectorResources resources;
        int users;
        long generation;
    }
}
