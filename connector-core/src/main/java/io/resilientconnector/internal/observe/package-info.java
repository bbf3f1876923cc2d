/** Observing a connector from outside: Flight Recorder events, and which connections a binder has seen open. Not API. */
package io.resilientconnector.internal.observe;
