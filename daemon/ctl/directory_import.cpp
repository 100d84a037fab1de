#include "daemon/ctl/directory_import.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "config/daemon_config.hpp"
#include "daemon/ctl/reports.hpp"

namespace lianxin::ctl {
namespace {

namespace fs = std::filesystem;
using config::Diagnostic;
using config::DirectoryKind;

constexpr const char* kDefaultConfig = "/etc/lianxin/lianxind.yaml";

struct ImportArgs {
  std::vector<std::string> files;
  std::string config = kDefaultConfig;
  bool dry_run = false;
};

std::optional<ImportArgs> parse_args(const std::vector<std::string_view>& args, std::ostream& err) {
  ImportArgs parsed;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 == args.size()) {
        err << "lianxinctl directory import: --config needs a file\n";
        return std::nullopt;
      }
      parsed.config = std::string(args[++i]);
    } else if (args[i] == "--dry-run") {
      parsed.dry_run = true;
    } else if (args[i].starts_with("--")) {
      err << "lianxinctl directory import: unknown option " << args[i] << "\n"
          << directory_import_usage();
      return std::nullopt;
    } else {
      parsed.files.emplace_back(args[i]);
    }
  }
  if (parsed.files.empty()) {
    err << "lianxinctl directory import: name the files to import\n" << directory_import_usage();
    return std::nullopt;
  }
  return parsed;
}

std::size_t data_rows(const std::vector<config::CsvRecord>& records) {
  std::size_t rows = 0;
  for (const config::CsvRecord& record : records) {
    for (const std::string& field : record.fields) {
      if (!config::trim(field).empty()) {
        ++rows;
        break;
      }
    }
  }
  return rows == 0 ? 0 : rows - 1;  // the header
}

// One file to install, and what became of the file it replaces.
struct Planned {
  std::string source;
  DirectoryKind kind;
  fs::path target;
  fs::path backup;
  std::string content;
  config::TextEncoding encoding;
  std::size_t rows;
  bool existed = false;
  bool installed = false;
};

// Writes through a temporary file in the same directory and a rename, so lianxind never reads
// half a file; the previous file is kept as the backup and its mode and owner carry over. Empty:
// done; else what failed.
std::string install(Planned& file) {
  struct stat old {};
  file.existed = ::stat(file.target.c_str(), &old) == 0;
  const fs::path temporary = file.target.string() + ".import-tmp";
  const mode_t mode = file.existed ? (old.st_mode & 07777) : 0644;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return "cannot create " + temporary.string() + ": " + std::strerror(errno);
  std::string_view rest = file.content;
  bool ok = true;
  while (ok && !rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  std::string failure = ok ? "" : std::string("cannot write: ") + std::strerror(errno);
  if (ok && file.existed) {
    if (::fchown(fd, old.st_uid, old.st_gid) != 0) {
      // Not root: the file stays the caller's, who could write the old one.
    }
    if (::fchmod(fd, mode) != 0) {  // open() applied the umask
      failure = std::string("cannot set the mode: ") + std::strerror(errno);
    }
  }
  if (failure.empty() && ::fsync(fd) != 0) {
    failure = std::string("cannot write: ") + std::strerror(errno);
  }
  ::close(fd);
  if (failure.empty() && file.existed) {
    std::error_code ec;
    fs::copy_file(file.target, file.backup, fs::copy_options::overwrite_existing, ec);
    if (ec)
      failure = "cannot keep the previous file as " + file.backup.string() + ": " + ec.message();
  }
  if (failure.empty() && ::rename(temporary.c_str(), file.target.c_str()) != 0) {
    failure = "cannot replace " + file.target.string() + ": " + std::strerror(errno);
  }
  if (!failure.empty()) {
    ::unlink(temporary.c_str());
    return failure;
  }
  file.installed = true;
  return "";
}

// Puts back what was there before (the backup), or removes a file that did not exist.
void roll_back(std::vector<Planned>& files) {
  for (Planned& file : files) {
    if (!file.installed) continue;
    std::error_code ec;
    if (file.existed) {
      fs::copy_file(file.backup, file.target, fs::copy_options::overwrite_existing, ec);
    } else {
      fs::remove(file.target, ec);
    }
  }
}

// The configuration, with or without its directory (with these files in place of the
// configured ones of their kinds).
config::LoadResult load(const std::string& path, bool with_directory,
                        const config::DirectorySources& replacements = {}) {
  config::LoadOptions options;
  options.secrets = config::Secrets::skip;
  options.load_directory = with_directory;
  options.directory_replacements = replacements;
  return config::load_config(path, options);
}

void summary(const domain::Directory& d, std::ostream& out) {
  out << "directory ok: " << d.grids().size() << " grids, " << d.members().size() << " members, "
      << d.residents().size() << " residents, " << d.teams().size() << " teams, "
      << d.duty_desks().size() << " duty desks\n";
}

}  // namespace

std::string directory_import_usage() {
  return "       lianxinctl directory import [--config FILE] [--dry-run] FILE...\n";
}

RecognisedFile recognise_directory_file(const std::string& name, std::string_view bytes) {
  RecognisedFile file;
  file.parsed = config::read_spreadsheet_csv(bytes);
  config::Errors errors(file.errors);
  if (!file.parsed.errors.empty()) {
    // Any kind reports the file's own read errors the same way, before looking at its header.
    config::Table(name, file.parsed, config::columns_of(DirectoryKind::grids), errors);
    return file;
  }
  const std::vector<DirectoryKind> kinds = config::kinds_fitting(file.parsed);
  if (kinds.size() == 1) {
    file.kind = kinds.front();
    return file;
  }
  if (kinds.size() > 1) {
    errors.add(name, 0,
               "its first row fits both " + std::string(kind_name(kinds[0])) + " and " +
                   std::string(kind_name(kinds[1])) + " files: add the missing columns");
    return file;
  }
  const std::string base = fs::path(name).filename().string();
  for (DirectoryKind kind : config::kDirectoryKinds) {
    if (base.find(kind_name(kind)) != std::string::npos) {
      config::Table(name, file.parsed, config::columns_of(kind), errors);  // says what is wrong
      return file;
    }
  }
  errors.add(
      name, 1,
      "the first row names the columns of no directory file (grids: 编号,村,…; members: "
      "编号,姓名,手机,…; residents: 手机,…; teams: 编号,名称,队长,…; duty_desks: 乡镇,成员)");
  return file;
}

std::string to_csv_utf8(const std::vector<config::CsvRecord>& records) {
  std::string out = "\xEF\xBB\xBF";
  for (const config::CsvRecord& record : records) {
    for (std::size_t i = 0; i < record.fields.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_field(record.fields[i]);
    }
    out += "\r\n";
  }
  return out;
}

int directory_import_command(const std::vector<std::string_view>& args, std::ostream& out,
                             std::ostream& err) {
  auto parsed = parse_args(args, err);
  if (!parsed) return 2;
  config::LoadResult base = load(parsed->config, false);
  if (!base.config) {
    out << config::format_diagnostics(base.errors);
    err << "lianxinctl directory import: fix " << parsed->config << " first; nothing was written\n";
    return 1;
  }
  config::DirectoryFiles targets = base.config->directory_files;
  std::vector<Diagnostic> problems;
  config::DirectorySources replacements;
  std::vector<Planned> plan;
  for (const std::string& name : parsed->files) {
    auto bytes = config::read_text_file(name, problems);
    if (!bytes) continue;
    RecognisedFile file = recognise_directory_file(name, *bytes);
    problems.insert(problems.end(), file.errors.begin(), file.errors.end());
    if (!file.kind) continue;
    const std::string kind(kind_name(*file.kind));
    const fs::path& target = config::file_of(targets, *file.kind);
    std::optional<config::CsvSource>& slot = config::source_of(replacements, *file.kind);
    if (target.empty()) {
      problems.push_back({name, 0, 0,
                          "a " + kind + " file, but " + parsed->config + " names none (add " +
                              kind + ": " + kind + ".csv under directory:)"});
    } else if (slot) {
      problems.push_back(
          {name, 0, 0, "a second " + kind + " file (the first is " + slot->name + ")"});
    } else {
      // Checked as given, so problems name the clerk's rows; written as CSV UTF-8.
      slot = config::CsvSource{name, *bytes};
      plan.push_back({name, *file.kind, target, target.string() + ".bak",
                      to_csv_utf8(file.parsed.records), file.parsed.encoding,
                      data_rows(file.parsed.records)});
    }
  }
  if (problems.empty()) {
    config::LoadResult checked = load(parsed->config, true, replacements);
    problems = std::move(checked.errors);
    if (problems.empty()) summary(checked.config->directory, out);
  }
  if (!problems.empty()) {
    out << config::format_diagnostics(problems);
    err << "lianxinctl directory import: " << problems.size() << " problem"
        << (problems.size() == 1 ? "" : "s") << "; nothing was written\n";
    return 1;
  }
  for (Planned& file : plan) {
    out << kind_name(file.kind) << ": " << file.source << " ("
        << config::encoding_name(file.encoding) << ", " << file.rows << " rows) → "
        << file.target.string() << (parsed->dry_run ? " (dry run: not written)" : "") << "\n";
    if (parsed->dry_run) continue;
    if (std::string failure = install(file); !failure.empty()) {
      roll_back(plan);
      err << "lianxinctl directory import: " << failure << "; the files are as before\n";
      return 1;
    }
  }
  if (parsed->dry_run) return 0;
  // What was written reads back as what was checked (the same records); never leave files
  // that do not, should that ever fail.
  config::LoadResult written = load(parsed->config, true);
  if (!written.config) {
    roll_back(plan);
    out << config::format_diagnostics(written.errors);
    err << "lianxinctl directory import: the written files did not read back; the files are as "
           "before (please report this)\n";
    return 1;
  }
  for (const Planned& file : plan) {
    if (file.existed)
      out << "previous " << kind_name(file.kind) << " kept as " << file.backup.string() << "\n";
  }
  out << "apply it: systemctl reload lianxind\n";
  return 0;
}

}  // namespace lianxin::ctl
