/** Connecting: passes across every address of every endpoint, the race between addresses (RFC 8305), the route database, name resolution with a deadline, and failback to a higher endpoint. Not API. */
package io.resilientconnector.internal.connect;
