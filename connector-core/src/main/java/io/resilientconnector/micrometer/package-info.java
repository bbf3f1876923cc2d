/**
 * Micrometer meters for a connector: {@link io.resilientconnector.micrometer.ConnectorMetrics}. The only package
 * that uses Micrometer, an optional dependency: add {@code io.micrometer:micrometer-core} to use it.
 */
package io.resilientconnector.micrometer;
