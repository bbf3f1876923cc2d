package io.resilientconnector;

/** The order in which a pass tries the endpoints of {@link ConnectorOptions#endpoints()}. */
public enum EndpointOrder {
    /** The order given: the first endpoint is the primary, the next its backup, and so on. The default. */
    ORDERED,
    /**
     * A random order, drawn once per connector and kept for its life, so that a fleet of clients spreads over a
     * cluster while each client keeps a stable preference.
     */
    SHUFFLE,
    /** The order given, but every pass starts one endpoint further on than the pass before. */
    ROUND_ROBIN
}
