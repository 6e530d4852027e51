/**
 * Implementation of {@code io.profilesync.db}: SQL per dialect, migrations, the row store and the backup scheduler.
 * Not an API: anything here may change in any release.
 */
package io.profilesync.db.internal;
