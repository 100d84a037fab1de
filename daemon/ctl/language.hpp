// lianxinctl's language commands: explain (how one SMS would be read and routed), triage (what
// waits for 过滤核实) and train (a new model from the corpus and the county's corrections).
// They read the configuration, the model and (triage, train --with-corrections) the database.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace lianxin::ctl {

using Args = std::vector<std::string_view>;

int explain_command(const Args& args, std::ostream& out, std::ostream& err);
int triage_command(const Args& args, std::ostream& out, std::ostream& err);
int train_command(const Args& args, std::ostream& out, std::ostream& err);

std::string language_usage();

}  // namespace lianxin::ctl
