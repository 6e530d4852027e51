/** Buying an item atomically from two game servers at once: {@link io.profilesync.samples.shop.Shop}. */
package io.profilesync.samples.shop;
