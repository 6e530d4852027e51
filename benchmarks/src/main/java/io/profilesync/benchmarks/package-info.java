/** JMH benchmarks and load harnesses. */
package io.profilesync.benchmarks;
