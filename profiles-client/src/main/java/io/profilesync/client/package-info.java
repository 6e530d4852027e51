/** ProfilesClient: a game client's view of its own profile. */
package io.profilesync.client;
