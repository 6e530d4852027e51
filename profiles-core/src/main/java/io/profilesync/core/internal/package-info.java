/** Internal helpers of profiles-core: byte-level codec primitives and JSON helpers. Not a public API. */
package io.profilesync.core.internal;
