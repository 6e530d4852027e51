package io.profilesync.samples;

import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.db.AccessorContractTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The sample accessor passes the contract every accessor must keep (from the db-accessors test-jar). */
class FileProfilesAccessorTest extends AccessorContractTest {
    @TempDir
    Path folder;

    @Override
    protected IProfilesDatabaseAccessor open() {
        return new FileProfilesAccessor(folder);
    }

    @Override
    protected void writeRaw(String userId, String json, long version) throws Exception {
        Files.writeString(FileProfilesAccessor.fileOf(folder, userId), "version " + version + "\n" + json,
                StandardCharsets.UTF_8);
    }

    @Override
    protected RawRow readRaw(String userId) throws Exception {
        Path file = FileProfilesAccessor.fileOf(folder, userId);
        if (!Files.exists(file)) {
            return null;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String json = text.substring(newline + 1);
        while (json.startsWith("schema ") || json.startsWith("applied ")) { // header lines before the JSON
            json = json.substring(json.indexOf('\n') + 1);
        }
        return new RawRow(json, Long.parseLong(text.substring("version ".length(), newline)));
    }
}
