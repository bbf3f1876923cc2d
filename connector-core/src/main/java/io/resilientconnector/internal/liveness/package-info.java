/** Whether a connection is alive: read idleness, write stalls and the heartbeat, on one timer per connection. Not API. */
package io.resilientconnector.internal.liveness;
