/** Implementation details. Nothing here is API: it may change in any release. */
package io.resilientconnector.internal;
