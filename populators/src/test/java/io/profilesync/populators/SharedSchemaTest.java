package io.profilesync.populators;

import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.ObservableProfile;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One schema shared by many threads, as the master shares it between its network and profile threads. */
class SharedSchemaTest {
    @Test
    @Timeout(30)
    void oneSchemaServesManyThreads() throws Exception {
        ProfileSchema schema = SchemaBuilderTest.everyType();
        String expectedBytes = java.util.Arrays.toString(schema.newProfile().toBytes(schema.clientView()));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    UpdateValidator client = schema.validatorFor(ProfileSchema.Writer.CLIENT);
                    int rejected = 0;
                    for (int i = 0; i < 500; i++) {
                        ObservableProfile profile = schema.newProfile();
                        assertThat(java.util.Arrays.toString(profile.toBytes(schema.clientView())))
                                .isEqualTo(expectedBytes);
                        try {
                            client.validate(profile.get("level"), 101);
                        } catch (UpdateRejectedException e) {
                            rejected++;
                        }
                        assertThat(ProfileSchema.demo().fingerprint()).hasSize(64);
                    }
                    return rejected;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(500);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
