/**
 * Test support for code built on profilesync, published like jdbi3-testing: depend on {@code profiles-testing} with
 * scope {@code test}. {@link io.profilesync.testing.InMemoryProfilesDatabaseAccessor} keeps profiles in memory;
 * {@link io.profilesync.testing.AccessorContractTest} is the contract suite every accessor must pass;
 * {@link io.profilesync.testing.PostgresExtension} gives JUnit 5 tests a throwaway PostgreSQL;
 * {@code Simulation} runs the whole system (the real master core, game-server and client cores) in one thread under
 * virtual time, injecting faults chosen by a seed, and checks invariants after each run.
 *
 * <p>Threading: each class states its own contract; the simulation is single-threaded.
 */
package io.profilesync.testing;
