// `lianxinctl report`: the period's report as one HTML page (--html) and/or an Excel workbook
// (--xlsx), read from the configuration and, read-only, the daemon's database.
// `lianxinctl directory export --xlsx FILE`: the directory as a workbook to edit.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/ctl/report_options.hpp"
#include "daemon/ctl/report_tables.hpp"

namespace lianxin::ctl {

// Exit status: 0 written, 1 configuration, database or file failure, 2 wrong usage.
int report_command(const Args& args, std::ostream& out, std::ostream& err);
std::string report_usage();

// `options` as parsed by `lianxinctl directory` (positional: export), --xlsx FILE among its
// values. Exit status as above.
int directory_export_command(const Options& options, std::ostream& out, std::ostream& err);

// One table per directory file (sheet = the file's usual name), with the headers of the
// shipped CSV files, so that a sheet saved as CSV loads as that file. Pure.
std::vector<ReportTable> directory_tables(const domain::Directory& directory,
                                          std::string_view default_country);

}  // namespace lianxin::ctl
