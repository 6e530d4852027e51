/** Runnable samples: a demo of the three tiers and a custom database accessor. */
package io.profilesync.samples;
