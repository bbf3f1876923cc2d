/** Choosing a transport, and applying and reading back the socket options that detect a dead peer. */
package io.resilientconnector.transport;
