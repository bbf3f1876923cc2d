package io.resilientconnector.internal.connect;

import java.util.Objects;

/** Why one attempt of a pass failed: its route (unresolved when the name did not resolve) and the cause. */
public record AttemptFailure(Route route, Throwable cause) {

    public AttemptFailure {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(cause, "cause");
    }

    @Override
    public String toString() {
        return route + ": " + cause;
    }
}
