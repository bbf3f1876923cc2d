/** Why a connection ended: the {@link io.resilientconnector.cause.DisconnectCause} taxonomy and its classifier. */
package io.resilientconnector.cause;
