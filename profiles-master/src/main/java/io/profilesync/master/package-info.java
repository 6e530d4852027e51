/**
 * The master server: {@link io.profilesync.master.MasterServer} owns every profile — loads it (or creates it from the
 * schema's defaults), validates and applies the changes of game servers and clients, pushes them to every other
 * holder, saves them (debounced, batched) and unloads idle profiles. Clients authenticate with tokens checked by a
 * {@link io.profilesync.master.ClientAuthenticator} (HMAC-SHA256 tokens by default, see
 * {@link io.profilesync.master.HmacTokens}); game servers with a shared secret.
 */
package io.profilesync.master;
