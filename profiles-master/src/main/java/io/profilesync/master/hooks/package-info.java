/**
 * Game logic on the master: {@link io.profilesync.master.hooks.MasterListener events}, {@link
 * io.profilesync.master.hooks.ChangeValidator validators} beyond the schema, {@link
 * io.profilesync.master.hooks.Reaction derived changes}, and {@link io.profilesync.master.hooks.MasterPlugin plugins}
 * that register them (from code, or from a jar the master jar loads). Everything here runs on the master's profile
 * thread, in the order the master does the work: see docs/hooks.md.
 */
package io.profilesync.master.hooks;
