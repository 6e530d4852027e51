/** Jdbi-backed profile accessors for H2, SQLite and PostgreSQL. */
package io.profilesync.db;
