// libFuzzer target for the directory's CSV loader (config/csv.hpp, config/directory_csv.hpp):
// any bytes as a CSV file, then as each directory file in turn. Properties: nothing crashes; a
// parse either gives records or a located error; a directory comes back only without errors.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "config/csv.hpp"
#include "config/directory_csv.hpp"
#include "tests/fuzz/property.hpp"

namespace {

using namespace lianxin::config;

using lianxin::fuzz::require;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const CsvParseResult parsed = parse_csv(text);
  if (parsed.error) require(parsed.error->line >= 1, "errors are located");
  static const std::string grids = "id,name,village,township\ng1,一组,东山村,青石镇\n";
  static const std::string members = "id,name,phone,grids,roles\nm1,张三,13800000001,g1,党员\n";
  static const std::string desks = "township,member\n,m1\n";
  for (int which = 0; which < 4; ++which) {
    DirectorySources sources;
    sources.grids = CsvSource{"grids.csv", which == 0 ? text : grids};
    sources.members = CsvSource{"members.csv", which == 1 ? text : members};
    sources.duty_desks = CsvSource{"duty_desks.csv", which == 2 ? text : desks};
    if (which == 3) sources.residents = CsvSource{"residents.csv", text};
    const DirectoryLoadResult loaded = parse_directory(sources, "86");
    require(loaded.directory.has_value() == loaded.errors.empty(), "a directory xor errors");
  }
  return 0;
}
