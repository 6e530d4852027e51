/** ProfilesServer: game servers fetch, change and send back profiles. */
package io.profilesync.gameserver;
