/**
 * Jdbi-backed profile accessors for H2, SQLite and PostgreSQL: {@link io.profilesync.db.JdbiProfilesAccessor}, built
 * from a {@link io.profilesync.db.DatabaseConfig}, and the exceptions rooted at
 * {@link io.profilesync.db.DatabaseException}. The contract suite every
 * {@link io.profilesync.core.IProfilesDatabaseAccessor} should pass ({@code AccessorContractTest}) lives in the
 * {@code profiles-testing} module.
 *
 * <p>Threading: the accessor is thread-safe and completes its futures on threads of its own; configurations and
 * stored rows are immutable. {@code docs/databases.md} describes settings, table, durability and backups.
 */
package io.profilesync.db;
