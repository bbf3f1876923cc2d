/** Reconnecting: the backoff, the standalone reconnect loop, the connect-rate limit, and a rate limit for repeated log lines. Not API. */
package io.resilientconnector.internal.reconnect;
