package io.tarmo.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.LandingSpec;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The catalogue's guard on a lake a test made: nothing under its root escapes erasure unnoticed. */
public final class Catalogued {

  private Catalogued() {}

  /**
   * Every table and folder a command made under the lake root is in the catalogue, which says how
   * a person is found in it: a new table or folder cannot escape erasure unnoticed.
   */
  public static void assertEveryFolderIsCatalogued(Path lake) throws IOException {
    Set<String> tables = Tables.ALL.stream().map(TableSpec::name).collect(Collectors.toSet());
    Set<String> folders = Tables.FOLDERS.stream().map(LandingSpec::path).collect(Collectors.toSet());
    for (String name : names(lake)) {
      if (!name.equals("tables") && !name.equals("landing")) {
        assertThat(folders).as("lake folder " + name + " is catalogued").contains(name);
      }
    }
    assertThat(names(lake.resolve("tables"))).as("tables made").isNotEmpty().allMatch(tables::contains);
    assertThat(names(lake.resolve("landing")).stream().map(name -> "landing/" + name).toList())
        .as("landing folders").isNotEmpty().allMatch(folders::contains);
  }

  private static java.util.List<String> names(Path folder) throws IOException {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(path -> path.getFileName().toString()).toList();
    }
  }
}
