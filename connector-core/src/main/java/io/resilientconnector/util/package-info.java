/**
 * Small helpers every layer uses: option checks, duration text and log text. Not API: the module does not export
 * it, and it may change in any release.
 */
package io.resilientconnector.util;
