/**
 * The profile schema (MST's populators): {@link io.profilesync.populators.ProfileSchema} lists the properties every
 * profile has, with types, defaults, client permissions and constraints. It is made in code with
 * {@link io.profilesync.populators.SchemaBuilder} or loaded from a JSON or YAML file (format in
 * {@code docs/schema.md}); it builds profiles, the client's view of them, and the validators the master applies to
 * every update. A bad schema gets one {@link io.profilesync.populators.SchemaException} naming every problem.
 *
 * <p>Threading: schemas, definitions, types and validators are immutable and thread-safe; a builder is not.
 */
package io.profilesync.populators;
