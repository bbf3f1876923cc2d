/** When to try again: exponential backoff with jitter, the reconnect policy and its attempt counter. */
package io.resilientconnector.backoff;
