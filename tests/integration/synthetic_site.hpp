// A synthetic county for tests and benchmarks that run the real lianxind: a directory of many
// grids, members and residents written as the CSV files lianxind reads, a configuration naming
// them, and report texts that each open a ticket (distinct, one SMS part, a known category).
//
// Numbers (all invented): members 137xxxxxxxx, residents 139xxxxxxxx, duty desks 136xxxxxxxx;
// resident i is 139 0000 0000 + i and lives in grid i % grids.
#pragma once

// The model lianxind loads (set by CMake for the tests and benches that start it).
#ifndef LIANXIN_MODEL_PATH
#define LIANXIN_MODEL_PATH ""
#endif
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace lianxin::testing {

struct SiteShape {
  std::size_t grids = 100;
  std::size_t members_per_grid = 5;
  std::size_t residents = 20'000;
  // Total grid members spread as evenly as possible (the first grids get one more); 0: grids ×
  // members_per_grid. E.g. 19,000 members in 749 grids. Last, so that {grids, per grid,
  // residents} keeps meaning what it says.
  std::size_t members = 0;
};

inline constexpr std::size_t kTownships = 5;
inline constexpr const char* kTownshipNames[kTownships] = {"青石镇", "白沙乡", "枫林镇", "石门乡",
                                                           "云岭镇"};

// National numbers (no country code), as a villager's phone would send them.
inline std::string resident_number(std::size_t i) {
  return std::to_string(13900000000ULL + i);
}
inline std::string member_number(std::size_t i) {
  return std::to_string(13700000000ULL + i);
}
inline std::string desk_number(std::size_t i) {
  return std::to_string(13600000000ULL + i);
}

// A report that opens a ticket: one UCS-2 part (at most 70 characters), a category keyword, and
// the serial number, so every report text is distinct (no duplicate joins, no inbox dedupe).
inline std::string report_text(std::size_t serial) {
  static constexpr const char* kProblems[] = {
      "村口路灯坏了，晚上黑灯瞎火的",     "自来水管爆了，路上都是水",
      "垃圾桶满了好几天没人清运，发臭了", "路面塌陷出现一个大坑，电瓶车不好走",
      "邻居家装修占了公共通道，挡路",
  };
  return std::string(kProblems[serial % 5]) + "（编号" + std::to_string(serial) + "）";
}

inline void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Writes grids.csv, members.csv, residents.csv, teams.csv and duty_desks.csv into `dir`.
inline void write_site_directory(const std::filesystem::path& dir, const SiteShape& shape) {
  std::string grids = "id,name,village,township,aliases,leader\n";
  std::string members = "id,name,phone,grids,roles,on_duty\n";
  std::size_t member = 0;
  for (std::size_t g = 0; g < shape.grids; ++g) {
    const std::string id = "g" + std::to_string(g);
    const std::string village = "清溪" + std::to_string(g) + "号村";
    grids += id + "," + village + "网格," + village + "," + kTownshipNames[g % kTownships] + ",," +
             "m" + std::to_string(member) + "\n";
    const std::size_t in_grid =
        shape.members == 0 ? shape.members_per_grid
                           : shape.members / shape.grids + (g < shape.members % shape.grids);
    for (std::size_t k = 0; k < in_grid; ++k, ++member) {
      members += "m" + std::to_string(member) + ",党员" + std::to_string(member) + "," +
                 member_number(member) + "," + id + "," + (k == 0 ? "网格长" : "党员") + ",是\n";
    }
  }
  std::string desks = "township,member\n";
  for (std::size_t t = 0; t <= kTownships; ++t) {
    const std::string id = "desk" + std::to_string(t);
    members += id + ",值班室" + std::to_string(t) + "," + desk_number(t) + ",,值班,是\n";
    desks += (t < kTownships ? std::string(kTownshipNames[t]) : std::string()) + "," + id + "\n";
  }
  std::string residents = "phone,name,grid\n";
  residents.reserve(shape.residents * 32);
  for (std::size_t r = 0; r < shape.residents; ++r) {
    residents += resident_number(r) + ",村民" + std::to_string(r) + ",g" +
                 std::to_string(r % shape.grids) + "\n";
  }
  write_text_file(dir / "grids.csv", grids);
  write_text_file(dir / "members.csv", members);
  write_text_file(dir / "residents.csv", residents);
  write_text_file(dir / "duty_desks.csv", desks);
  // The built-in category 困难帮扶 (hardship) routes to the team "volunteers".
  write_text_file(dir / "teams.csv", "id,name,leader,members\nvolunteers,志愿服务队,m1,m1;m2\n");
}

struct SiteConfig {
  std::uint16_t smsc_port = 0;
  std::string service_number = "106900001234";
  std::string database = "lianxin.db";  // relative to the configuration's directory
  bool synchronous_full = true;
  std::size_t window = 10;  // SMPP window of the connection (lianxind keeps 2x in flight)
  std::string log_level = "info";
  // 0m: every report opens its own ticket even when its sender has a recent one (benchmarks
  // send several reports per resident).
  std::string duplicate_join = "60m";
  std::string reconnect_min = "200ms";
  std::string reconnect_max = "1s";
  double tps = 0;              // submits per second of the connection (0: unlimited)
  std::string control_socket;  // "" : the default (/run/lianxind/control.sock)
};

// lianxind.yaml (plus smpp.password) in `dir`, naming the directory files written there.
inline std::filesystem::path write_site_config(const std::filesystem::path& dir,
                                               const SiteConfig& c) {
  write_text_file(dir / "smpp.password", "secret\n");
  const std::string yaml =
      "# generated by tests/integration/synthetic_site.hpp\n"
      "signature: \"【连心桥】\"\n"
      "default_country: \"86\"\n"
      "time_zone: Asia/Shanghai\n"
      "log_level: " +
      c.log_level +
      "\n"
      "smpp:\n"
      "  - name: smsc\n"
      "    host: 127.0.0.1\n"
      "    port: " +
      std::to_string(c.smsc_port) +
      "\n"
      "    system_id: lianxin\n"
      "    password_file: smpp.password\n"
      "    bind: transceiver\n"
      "    source_address: \"" +
      c.service_number +
      "\"\n"
      "    window: " +
      std::to_string(c.window) +
      "\n"
      "    reconnect_min: " +
      c.reconnect_min +
      "\n"
      "    reconnect_max: " +
      c.reconnect_max +
      "\n"
      "    tps: " +
      std::to_string(c.tps) + "\n" +
      (c.control_socket.empty() ? "" : "control_socket: \"" + c.control_socket + "\"\n") +
      "language:\n  model: " LIANXIN_MODEL_PATH
      "\n"
      "storage:\n"
      "  path: " +
      c.database +
      "\n"
      "  synchronous: " +
      (c.synchronous_full ? "full" : "normal") +
      "\n"
      "directory:\n"
      "  grids: grids.csv\n"
      "  members: members.csv\n"
      "  residents: residents.csv\n"
      "  teams: teams.csv\n"
      "  duty_desks: duty_desks.csv\n"
      "windows:\n"
      "  duplicate_join: " +
      c.duplicate_join + "\n";
  const std::filesystem::path path = dir / "lianxind.yaml";
  write_text_file(path, yaml);
  return path;
}

}  // namespace lianxin::testing
