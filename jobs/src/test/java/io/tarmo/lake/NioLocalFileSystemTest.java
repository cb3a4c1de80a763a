package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.testing.SparkTest;
import java.io.FileNotFoundException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class NioLocalFileSystemTest {

  private final Configuration conf;
  @TempDir Path dir;

  NioLocalFileSystemTest(SparkSession spark) {
    this.conf = spark.sparkContext().hadoopConfiguration();
  }

  @Test
  void sparkSessionsUseItForLocalPathsOnBothHadoopApis() throws Exception {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir.toUri());
    assertThat(FileSystem.newInstance(path.toUri(), conf)).isInstanceOf(NioLocalFileSystem.class);
    assertThat(FileContext.getFileContext(path.toUri(), conf).getDefaultFileSystem())
        .isInstanceOf(NioLocalFileSystem.Fs.class);
  }

  @Test
  void permissionsAreSetAsChmodWouldSetThem() throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "x");
    FileSystem fs = FileSystem.newInstance(dir.toUri(), conf);

    fs.setPermission(new org.apache.hadoop.fs.Path(file.toUri()), new FsPermission((short) 0640));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");

    fs.setPermission(new org.apache.hadoop.fs.Path(file.toUri()), new FsPermission((short) 0755));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rwxr-xr-x");
    assertThat(fs.getFileStatus(new org.apache.hadoop.fs.Path(file.toUri())).getPermission())
        .isEqualTo(new FsPermission((short) 0755));
  }

  @Test
  void filesCreatedWithAPermissionGetIt() throws Exception {
    FileSystem fs = FileSystem.newInstance(dir.toUri(), conf);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir.resolve("b/c.txt").toUri());
    try (FSDataOutputStream out = fs.create(path, new FsPermission((short) 0600), true, 4096, (short) 1, 1 << 20,
        null)) {
      out.write("hello".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(Files.readString(dir.resolve("b/c.txt"))).isEqualTo("hello");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("b/c.txt"))))
        .isEqualTo("rw-------");
  }

  @Test
  void linkStatusIsThePlainStatusForFilesAndFollowsHadoopForLinks() throws Exception {
    Path file = Files.writeString(dir.resolve("target.txt"), "data");
    Path link = Files.createSymbolicLink(dir.resolve("link.txt"), file);
    FileContext context = FileContext.getFileContext(dir.toUri(), conf);

    FileStatus plain = context.getFileLinkStatus(new org.apache.hadoop.fs.Path(file.toUri()));
    assertThat(plain.isFile()).isTrue();
    assertThat(plain.isSymlink()).isFalse();
    assertThat(plain.getLen()).isEqualTo(4);

    FileStatus linked = context.getFileLinkStatus(new org.apache.hadoop.fs.Path(link.toString()));
    assertThat(linked.isSymlink()).isTrue();
    assertThat(linked.getSymlink().toUri().getPath()).isEqualTo(file.toString());

    assertThatThrownBy(() -> context.getFileLinkStatus(new org.apache.hadoop.fs.Path(dir.resolve("none").toUri())))
        .isInstanceOf(FileNotFoundException.class);
  }

  @Test
  void atomicRenameThroughFileContextRefusesToOverwrite() throws Exception {
    FileContext context = FileContext.getFileContext(dir.toUri(), conf);
    org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(dir.resolve("tmp.json").toUri());
    org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(dir.resolve("00000000000000000000.json").toUri());
    try (FSDataOutputStream out = context.create(from, EnumSet.of(CreateFlag.CREATE))) {
      out.write('1');
    }
    context.rename(from, to, Options.Rename.NONE);
    assertThat(Files.readString(dir.resolve("00000000000000000000.json"))).isEqualTo("1");

    try (FSDataOutputStream out = context.create(from, EnumSet.of(CreateFlag.CREATE))) {
      out.write('2');
    }
    assertThatThrownBy(() -> context.rename(from, to, Options.Rename.NONE))
        .isInstanceOf(org.apache.hadoop.fs.FileAlreadyExistsException.class);
    assertThat(Files.readString(dir.resolve("00000000000000000000.json"))).as("the first commit stays").isEqualTo("1");
  }
}
