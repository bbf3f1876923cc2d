/**
 * Runnable examples: the command-line connector ({@link io.resilientconnector.examples.ConnectorMain}), the
 * connector embedded in a Netty application, many connectors sharing resources, the handlers in a Bootstrap of your own, and the demo server
 * they connect to when given no host.
 */
package io.resilientconnector.examples;
