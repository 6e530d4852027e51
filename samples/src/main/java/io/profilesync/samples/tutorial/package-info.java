/**
 * The code of {@code docs/tutorial.md}: a minimal game server ({@link io.profilesync.samples.tutorial.MyGameServer})
 * and a minimal client ({@link io.profilesync.samples.tutorial.MyClient}) for a master started from the jar.
 */
package io.profilesync.samples.tutorial;
