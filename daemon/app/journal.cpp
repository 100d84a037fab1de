#include "daemon/app/journal.hpp"

#include <sys/stat.h>
#include <systemd/sd-journal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "daemon/domain/phone.hpp"

namespace lianxin::app {
namespace {

// True when stderr is the journal stream systemd connected us to (not a terminal or a pipe
// the operator redirected); see systemd.exec(5), $JOURNAL_STREAM.
bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  if (fstat(2, &st) != 0) return false;
  return st.st_dev == device && st.st_ino == inode;
}

// What a log line may hold: every personal number masked (whoever wrote the message), and one
// line, whatever the text in it (a typed "\n2026-… error" cannot forge a line).
std::string clean(std::string_view text) {
  const std::string masked = domain::mask_numbers_in_text(text);
  std::string out;
  out.reserve(masked.size());
  for (char c : masked) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 && c != '\t') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

Journal::Journal(LogLevel threshold) : threshold_(threshold), journald_(stderr_is_journal()) {}

void Journal::log(LogLevel priority, std::string_view raw_message,
                  const std::vector<Field>& raw_fields) {
  if (static_cast<int>(priority) > static_cast<int>(threshold_)) return;
  const std::string message = clean(raw_message);
  std::vector<Field> fields;
  fields.reserve(raw_fields.size());
  for (const Field& f : raw_fields) fields.push_back({f.name, clean(f.value)});
  if (journald_) {
    std::vector<std::string> lines;
    lines.reserve(fields.size() + 2);
    lines.push_back("MESSAGE=" + std::string(message));
    lines.push_back("PRIORITY=" + std::to_string(static_cast<int>(priority)));
    for (const Field& field : fields) lines.push_back(field.name + "=" + field.value);
    std::vector<struct iovec> iov;
    iov.reserve(lines.size());
    for (std::string& line : lines) iov.push_back({line.data(), line.size()});
    if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) >= 0) return;
  }
  // A terminal or a file: time, priority, message, then the fields as key=value.
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  std::string line = std::string(stamp) + "." + (millis < 100 ? (millis < 10 ? "00" : "0") : "") +
                     std::to_string(millis) + " " + std::string(level_name(priority)) + " " +
                     std::string(message);
  for (const Field& field : fields) line += " " + field.name + "=" + field.value;
  line += "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace lianxin::app
