/** The connector, its options and its events: start here. */
package io.resilientconnector;
