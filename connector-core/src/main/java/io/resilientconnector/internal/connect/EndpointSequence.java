package io.resilientconnector.internal.connect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of the endpoints in each pass. Ordered keeps the given order; shuffled draws one random order when
 * it is made and keeps it, so a fleet spreads over a cluster while each client keeps a stable preference;
 * round robin starts every pass one endpoint further on.
 *
 * <p>Thread-safe. Generic so that this package need not know the public {@code Endpoint} type.
 *
 * @param <T> what an endpoint is
 */
public final class EndpointSequence<T> {

    private final List<T> endpoints;
    private final boolean rotate;
    // Guarded by this.
    private int start;

    private EndpointSequence(List<T> endpoints, boolean rotate) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: [] (expected: at least one endpoint)");
        }
        this.endpoints = List.copyOf(endpoints);
        this.rotate = rotate;
    }

    /** Every pass in the order given. */
    public static <T> EndpointSequence<T> ordered(List<T> endpoints) {
        return new EndpointSequence<>(endpoints, false);
    }

    /** Every pass in one random order, drawn now from {@code random}. */
    public static <T> EndpointSequence<T> shuffled(List<T> endpoints, Random random) {
        List<T> copy = new ArrayList<>(endpoints);
        Collections.shuffle(copy, random);
        return new EndpointSequence<>(copy, false);
    }

    /** The order given, each pass starting one endpoint further on than the one before. */
    public static <T> EndpointSequence<T> roundRobin(List<T> endpoints) {
        return new EndpointSequence<>(endpoints, true);
    }

    /** The endpoints in the order the next pass tries them. */
    public synchronized List<T> nextPass() {
        if (!rotate) {
            return endpoints;
        }
        List<T> out = new ArrayList<>(endpoints.size());
        for (int i = 0; i < endpoints.size(); i++) {
            out.add(endpoints.get((start + i) % endpoints.size()));
        }
        start = (start + 1) % endpoints.size();
        return out;
    }
}
