// lianxind.yaml's smpp: connections, source addresses, and where each password comes from
// (inline, a file, a systemd credential) — without ever putting it in an error.
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "config/ussd_menu.hpp"
#include "daemon/domain/phone.hpp"

#include "config/config_loader.hpp"

namespace lianxin::config::detail {

using namespace std::chrono_literals;

void Loader::smpp(const Field& f, const std::string& country, DaemonConfig& config) {
  if (!f.node.IsSequence() || f.node.size() == 0) {
    ctx_.error(f.mark, "smpp: expected a list of at least one SMSC connection (- name: ...)");
    return;
  }
  std::map<std::string, int> names;
  for (std::size_t i = 0; i < f.node.size(); ++i) {
    const YAML::Node item = f.node[i];
    YAML::Mark mark = item.Mark().line >= 0 ? item.Mark() : f.mark;
    Map m(ctx_, item, "smpp[" + std::to_string(i) + "]", mark,
          {"name",
           "host",
           "port",
           "system_id",
           "password",
           "password_file",
           "password_credential",
           "system_type",
           "bind",
           "priority",
           "source_address",
           "source_ton",
           "source_npi",
           "concat",
           "tps",
           "window",
           "enquire_link_interval",
           "response_timeout",
           "reconnect_min",
           "reconnect_max",
           "ussd"});
    if (!m.valid()) continue;
    SmppConnection c;
    if (auto g = m.require("name")) {
      if (auto v = read_nonempty(ctx_, *g)) {
        c.name = *v;
        auto [it, inserted] = names.emplace(*v, g->mark.line + 1);
        if (!inserted) {
          ctx_.error(g->mark, g->path + ": duplicate connection name " + in_quotes(*v) +
                                  " (first on line " + std::to_string(it->second) + ")");
        }
      }
    }
    if (auto g = m.require("host")) {
      if (auto v = read_nonempty(ctx_, *g)) c.host = *v;
    }
    if (auto g = m.get("port")) {
      if (auto v = read_integer(ctx_, *g, 1, 65535)) c.port = static_cast<std::uint16_t>(*v);
    }
    if (auto g = m.require("system_id")) {
      if (auto v = read_nonempty(ctx_, *g)) {
        if (v->size() > 15) {
          ctx_.error(g->mark, g->path + ": at most 15 characters (SMPP 3.4), got " +
                                  std::to_string(v->size()));
        }
        c.system_id = *v;
      }
    }
    password(m, c);
    if (auto g = m.get("system_type")) {
      if (auto v = read_string(ctx_, *g)) {
        if (v->size() > 12) {
          ctx_.error(g->mark, g->path + ": at most 12 characters (SMPP 3.4), got " +
                                  std::to_string(v->size()));
        }
        c.system_type = *v;
      }
    }
    if (auto g = m.get("bind")) {
      if (auto v = read_choice(ctx_, *g, {"transceiver", "transmitter+receiver"})) {
        c.bind = static_cast<BindMode>(*v);
      }
    }
    if (auto g = m.get("priority")) {
      if (auto v = read_integer(ctx_, *g, 0, 100)) c.priority = static_cast<int>(*v);
    }
    if (auto g = m.get("source_ton")) {
      if (auto v = read_integer(ctx_, *g, 0, 6)) c.source_ton = static_cast<std::uint8_t>(*v);
    }
    if (auto g = m.get("source_npi")) {
      if (auto v = read_integer(ctx_, *g, 0, 18)) c.source_npi = static_cast<std::uint8_t>(*v);
    }
    if (auto g = m.require("source_address")) source_address(*g, country, c);
    if (auto g = m.get("concat")) {
      if (auto v = read_choice(ctx_, *g, {"udh", "sar", "payload"})) {
        c.concat = static_cast<ConcatMode>(*v);
      }
    }
    if (auto g = m.get("tps")) {
      if (auto v = read_number(ctx_, *g, 0, 10'000)) c.tps = *v;
    }
    if (auto g = m.get("window")) {
      if (auto v = read_integer(ctx_, *g, 1, 1000)) c.window = static_cast<std::size_t>(*v);
    }
    if (auto g = m.get("enquire_link_interval")) {
      if (auto v = read_duration(ctx_, *g, 1s, 1h)) c.enquire_link_interval = *v;
    }
    if (auto g = m.get("response_timeout")) {
      if (auto v = read_duration(ctx_, *g, 1s, 5min)) c.response_timeout = *v;
    }
    auto min_field = m.get("reconnect_min");
    auto max_field = m.get("reconnect_max");
    if (min_field) {
      if (auto v = read_duration(ctx_, *min_field, 100ms, 1h)) c.reconnect_min = *v;
    }
    if (max_field) {
      if (auto v = read_duration(ctx_, *max_field, 100ms, 1h)) c.reconnect_max = *v;
    }
    if (c.reconnect_max < c.reconnect_min) {
      ctx_.error(max_field   ? max_field->mark
                 : min_field ? min_field->mark
                             : m.mark(),
                 m.path() + ": reconnect_max (" + format_duration(c.reconnect_max) +
                     ") is shorter than reconnect_min (" + format_duration(c.reconnect_min) + ")");
    }
    if (auto g = m.get("ussd"))  // ---- USSD ---- what this SMSC's USSD values mean
      read_ussd_dialect(ctx_, *g, c.ussd);
    config.smpp.push_back(std::move(c));
  }
}

void Loader::source_address(const Field& f, const std::string& country, SmppConnection& c) {
  auto v = read_nonempty(ctx_, f);
  if (!v) return;
  constexpr std::uint8_t kAlphanumeric = 5;
  if (c.source_ton == kAlphanumeric) {
    if (domain::code_point_count(*v) > 11) {
      ctx_.error(f.mark, f.path +
                             ": an alphanumeric sender (source_ton 5) has at most 11 "
                             "characters, got " +
                             in_quotes(*v));
      return;
    }
  } else if (v->size() > 20 || !domain::parse_phone_number(*v, country)) {
    ctx_.error(f.mark, f.path + ": " + in_quotes(*v) +
                           " is not a valid phone or service number (such as \"106900001234\")");
    return;
  }
  c.source_address = *v;
}

void Loader::password(const Map& m, SmppConnection& c) {
  auto inline_field = m.get("password");
  auto file_field = m.get("password_file");
  auto credential_field = m.get("password_credential");
  int given = (inline_field ? 1 : 0) + (file_field ? 1 : 0) + (credential_field ? 1 : 0);
  if (given == 0) {
    ctx_.error(m.mark(), m.path() +
                             ": missing the password: give password_file, "
                             "password_credential or password");
    return;
  }
  if (given > 1) {
    ctx_.error(m.mark(), m.path() +
                             ": give only one of password_file, password_credential "
                             "and password");
    return;
  }
  std::optional<std::string> secret;
  YAML::Mark mark;
  std::string what;
  if (inline_field) {
    mark = inline_field->mark;
    what = inline_field->path;
    secret = read_scalar(ctx_, *inline_field, "text", /*secret=*/true);
    c.password_origin = "inline in the configuration";
  } else if (file_field) {
    mark = file_field->mark;
    what = file_field->path;
    auto path = read_nonempty(ctx_, *file_field);
    if (!path) return;
    fs::path resolved = resolve(*path);
    c.password_origin = "file " + resolved.string();
    if (options_.secrets == Secrets::skip) return;  // only the daemon reads it
    secret = read_secret_file(resolved, mark, what);
  } else {
    mark = credential_field->mark;
    what = credential_field->path;
    auto name = read_nonempty(ctx_, *credential_field);
    if (!name) return;
    if (name->find('/') != std::string::npos || *name == "." || *name == "..") {
      ctx_.error(mark, what + ": a credential name cannot contain '/', got " + in_quotes(*name));
      return;
    }
    c.password_origin = "credential " + *name;
    if (options_.secrets == Secrets::skip) return;  // only the daemon reads it
    std::optional<fs::path> dir = options_.credentials_directory;
    if (!dir) {
      if (const char* env = std::getenv("CREDENTIALS_DIRECTORY"); env && *env) dir = env;
    }
    if (!dir && options_.secrets == Secrets::check) {
      secret = credential_source(*name, mark, what);
      if (!secret) return;
    } else if (!dir) {
      ctx_.error(mark, what +
                           ": $CREDENTIALS_DIRECTORY is not set (systemd sets it for "
                           "LoadCredential=/SetCredential=; outside systemd use "
                           "password_file)");
      return;
    } else {
      secret = read_secret_file(*dir / *name, mark, what);
    }
  }
  if (!secret) return;
  // What the checks below say never includes the secret itself.
  if (secret->empty()) {
    ctx_.error(mark, what + ": the password is empty");
  } else if (secret->size() > 8) {
    ctx_.error(mark, what + ": the password is longer than 8 characters (the SMPP 3.4 limit)");
  } else if (std::any_of(secret->begin(), secret->end(),
                         [](char ch) { return static_cast<unsigned char>(ch) < 0x20; })) {
    ctx_.error(mark, what + ": the password contains control characters");
  } else {
    c.password = std::move(*secret);
  }
}

std::optional<std::string> Loader::credential_source(const std::string& name,
                                                     const YAML::Mark& mark,
                                                     const std::string& what) {
  for (const fs::path& unit : options_.unit_files) {
    std::vector<Diagnostic> ignored;
    auto text = read_text_file(unit, ignored, 1u << 20);
    if (!text) continue;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
      const std::string key = "LoadCredential=" + name + ":";
      if (!line.starts_with(key)) continue;
      const fs::path source = line.substr(key.size());
      std::error_code ec;
      if (!fs::exists(source, ec)) {
        ctx_.error(mark, what + ": " + unit.string() + " loads the credential " + name + " from " +
                             source.string() +
                             ", which does not exist: write the password there (mode 0600)");
        return std::nullopt;
      }
      if (::access(source.c_str(), R_OK) != 0) {
        notes_.push_back(what + ": read under systemd from " + source.string() + " (" +
                         unit.string() + "); it exists (not readable by this user)");
        return std::nullopt;
      }
      notes_.push_back(what + ": read under systemd from " + source.string() + " (" +
                       unit.string() + ")");
      return read_secret_file(source, mark, what);
    }
  }
  notes_.push_back(what + ": read from $CREDENTIALS_DIRECTORY/" + name +
                   " when lianxind runs under systemd (no installed lianxind.service names it "
                   "with LoadCredential=" +
                   name + ":FILE)");
  return std::nullopt;
}

std::optional<std::string> Loader::read_secret_file(const fs::path& path, const YAML::Mark& mark,
                                                    const std::string& what) {
  std::vector<Diagnostic> problems;
  auto text = read_text_file(path, problems, 4096);
  if (!text) {
    ctx_.error(mark, what + ": " + path.string() + ": " +
                         (problems.empty() ? std::string("cannot read") : problems[0].message));
    return std::nullopt;
  }
  // Files written with echo/editors end in a line break; it is not part of the password.
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  return text;
}

}  // namespace lianxin::config::detail
