package io.resilientconnector.testing;

import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ResilientConnector;

/**
 * A program that starts a connector and never closes it: its main returns at once. The JVM must still exit,
 * because the shared default resources run on daemon threads. Run in a JVM of its own by a test.
 */
public final class NeverClosing {

    private NeverClosing() {
    }

    public static void main(String[] args) {
        ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", Integer.parseInt(args[0])).build())
                .handler(new NoopInitializer()).build().start();
        System.out.println("started");
    }
}
