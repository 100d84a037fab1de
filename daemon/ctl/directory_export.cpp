// `lianxinctl directory export --xlsx FILE`: the directory in force, one sheet per CSV file,
// for operators to edit and save back as CSV.
#include <iostream>

#include "daemon/ctl/report_command.hpp"
#include "daemon/ctl/xlsx.hpp"
#include "daemon/domain/phone.hpp"

namespace lianxin::ctl {
namespace {

using namespace lianxin::domain;

ReportCell text(std::string value) {
  return {std::move(value), std::nullopt, false};
}

std::string list(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ";") + item;
  return out;
}

}  // namespace

std::vector<ReportTable> directory_tables(const Directory& directory,
                                          std::string_view default_country) {
  // Headers as in config/demo/*.csv (Chinese, the English name in parentheses): the loader
  // reads either language and ignores the parentheses.
  ReportTable grids{"grids",
                    "grids.csv",
                    {"编号(id)", "名称(name)", "村(village)", "乡镇(township)",
                     "别名(aliases 用;分隔)", "网格长(leader 成员编号)"},
                    {}};
  for (const Grid& g : directory.grids())
    grids.rows.push_back({text(g.id), text(g.name), text(g.village), text(g.township),
                          text(list(g.aliases)), text(g.leader)});

  ReportTable members{
      "members",
      "members.csv",
      {"编号(id)", "姓名(name)", "手机(phone)", "网格(grids)", "角色(roles)", "在岗(on_duty)"},
      {}};
  for (const Member& m : directory.members()) {
    std::vector<std::string> roles;
    for (Role r : m.roles) roles.emplace_back(to_string(r));
    members.rows.push_back({text(m.id), text(m.name),
                            text(display_national(m.phone, default_country)), text(list(m.grids)),
                            text(list(roles)), text(m.on_duty ? "是" : "否")});
  }

  ReportTable residents{
      "residents", "residents.csv", {"手机(phone)", "姓名(name)", "网格(grid)"}, {}};
  for (const Resident& r : directory.residents())
    residents.rows.push_back(
        {text(display_national(r.phone, default_country)), text(r.name), text(r.grid)});

  ReportTable teams{"teams",
                    "teams.csv",
                    {"编号(id)", "名称(name)", "队长(leader)", "成员(members)", "别名(aliases)"},
                    {}};
  for (const Team& t : directory.teams())
    teams.rows.push_back(
        {text(t.id), text(t.name), text(t.leader), text(list(t.members)), text(list(t.aliases))});

  ReportTable desks{"duty_desks", "duty_desks.csv", {"乡镇(township 空=县)", "成员(member)"}, {}};
  for (const DutyDesk& d : directory.duty_desks())
    desks.rows.push_back({text(d.township), text(d.member)});

  return {grids, members, residents, teams, desks};
}

int directory_export_command(const Options& options, std::ostream& out, std::ostream& err) {
  const std::optional<std::string> xlsx = options.value("--xlsx");
  if (!xlsx || options.positional.size() != 1 || options.format != Format::table) {
    err << "lianxinctl directory export: say where to write it: --xlsx FILE\n";
    return 2;
  }
  auto config = load_report_config(options, err);
  if (!config) return 1;
  const std::vector<ReportTable> tables =
      directory_tables(config->directory, config->settings.default_country);
  std::vector<const ReportTable*> sheets;
  for (const ReportTable& table : tables) sheets.push_back(&table);
  try {
    write_xlsx(*xlsx, sheets);
  } catch (const XlsxError& e) {
    err << "lianxinctl directory export: " << e.what() << "\n";
    return 1;
  }
  const Directory& d = config->directory;
  out << "directory written: " << *xlsx << " (" << d.grids().size() << " grids, "
      << d.members().size() << " members, " << d.residents().size() << " residents, "
      << d.teams().size() << " teams, " << d.duty_desks().size()
      << " duty desks; save a sheet as CSV (UTF-8) to load it)\n";
  return 0;
}

}  // namespace lianxin::ctl
