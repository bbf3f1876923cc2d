/**
 * Benchmarks of the connector against plain Netty: JMH for throughput, plain mains for whole-process scenarios.
 */
package io.resilientconnector.benchmarks;
