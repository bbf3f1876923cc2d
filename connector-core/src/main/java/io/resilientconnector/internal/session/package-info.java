/** A connector's session: the one owner of its state (ConnectorSession), the steps it runs one at a time, its listeners, its pending sends, and the attempt it starts. Not API. */
package io.resilientconnector.internal.session;
