/** What a connection's pipeline holds: the connector's one handler per connection, the winner's setup after a race, TLS and proxy handlers. Not API. */
package io.resilientconnector.internal.pipeline;
