/** MasterServer and ProfilesModule: owns, validates, pushes, saves and unloads profiles. */
package io.profilesync.master;
