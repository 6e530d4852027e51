/** ProfileSchema: property definitions, builder, JSON/YAML loading, validation, fingerprint. */
package io.profilesync.populators;
