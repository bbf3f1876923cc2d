/** How a connection ended: the record a connection keeps, the cause and errno, what TCP_INFO and the kernel's send queue said, and the Disconnection built from them. Not API. */
package io.resilientconnector.internal.ending;
