package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spark's scratch folders on a real disk, with real processes: ended ones are cleared, running ones kept. */
class ScratchSpaceTest {

  @TempDir Path root;

  @Test
  void folderOfAnEndedProcessIsRemovedAtStartAndOfARunningOneKept() throws Exception {
    Process ended = new ProcessBuilder("true").start();
    ended.waitFor();
    Path stale = shuffleFile(root.resolve("run-" + ended.pid()));
    Process running = new ProcessBuilder("sleep", "60").start();
    try {
      Path live = shuffleFile(root.resolve("run-" + running.pid()));
      Path notTarmos = shuffleFile(root.resolve("blockmgr-other"));

      try (ScratchSpace scratch = ScratchSpace.claim(root)) {
        assertThat(root.resolve("run-" + ended.pid())).doesNotExist();
        assertThat(scratch.removedStale()).containsExactly(root.resolve("run-" + ended.pid()));
        assertThat(live).exists();
        assertThat(notTarmos).exists();
        assertThat(scratch.folder()).isEqualTo(root.resolve("run-" + ProcessHandle.current().pid())).isDirectory();
      }
      assertThat(stale).doesNotExist();
      assertThat(live).exists();
    } finally {
      running.destroy();
    }
  }

  @Test
  void ownFolderIsRemovedAtCloseWithWhatSparkLeftInIt() throws IOException {
    ScratchSpace scratch = ScratchSpace.claim(root.resolve("missing/parent"));
    Path file = shuffleFile(scratch.folder());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(scratch.folder()))).isEqualTo("rwx------");

    scratch.close();
    scratch.close();

    assertThat(file).doesNotExist();
    assertThat(scratch.folder()).doesNotExist();
    assertThat(root.resolve("missing/parent")).isDirectory();
  }

  @Test
  void folderLeftUnderThisProcessesIdByAnEarlierProcessIsCleared() throws IOException {
    Path old = shuffleFile(root.resolve("run-41"));

    try (ScratchSpace scratch = ScratchSpace.claim(root, 41, pid -> true)) {
      assertThat(old).doesNotExist();
      assertThat(scratch.folder()).isEqualTo(root.resolve("run-41")).isEmptyDirectory();
    }
  }

  /** A file as Spark writes it, holding data it shuffled. */
  private static Path shuffleFile(Path runFolder) throws IOException {
    Path file = runFolder.resolve("blockmgr-1/0c/shuffle_0_0_0.data");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "C1,+4915123456789", StandardCharsets.UTF_8);
    return file;
  }
}
