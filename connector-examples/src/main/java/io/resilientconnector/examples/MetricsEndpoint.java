package io.resilientconnector.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.micrometer.ConnectorMetrics;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves a connector's meters as Prometheus text at {@code http://127.0.0.1:PORT/metrics}, with Micrometer's
 * Prometheus registry and the JDK's own HTTP server. It listens on loopback only: put a proxy in front of it,
 * or change the address, to let a Prometheus on another host scrape it.
 */
final class MetricsEndpoint implements AutoCloseable {

    /** The path the meters are served at. */
    static final String PATH = "/metrics";
    /** Prometheus' text exposition format. */
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;

    private MetricsEndpoint(HttpServer server) {
        this.server = server;
        server.createContext(PATH, this::scrape);
        server.start();
    }

    /**
     * Listens on {@code port} of the loopback address.
     *
     * @throws IOException if it cannot, for example because the port is taken
     */
    static MetricsEndpoint start(int port) throws IOException {
        return new MetricsEndpoint(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0));
    }

    /** Serves {@code connector}'s meters, tagged {@code connector=name}, until it closes. */
    void bind(ResilientConnector connector, String name) {
        ConnectorMetrics.bind(connector, registry, name);
    }

    /** The address it listens on, such as {@code 127.0.0.1:9404}. */
    String address() {
        InetSocketAddress a = server.getAddress();
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        registry.close();
    }
}
