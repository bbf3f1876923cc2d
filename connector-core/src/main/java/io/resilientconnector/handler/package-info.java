/**
 * Pipeline handlers, each with one job and each usable in any Netty pipeline: read-idle detection and its
 * action, received-bytes and connection-event logging, the write-progress watchdog, and reconnect.
 */
package io.resilientconnector.handler;
