/** Observing a connector from outside: what its session decided, told to the binders, and Flight Recorder events. Not API. */
package io.resilientconnector.internal.observe;
