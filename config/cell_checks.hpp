// Cells a spreadsheet damaged, recognised so that the clerk hears what happened and how to fix
// it instead of a bare "not valid" (or, worse, a wrong number taken silently). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lianxin::config {

// A phone cell Excel turned into a number: scientific notation ("1.38E+10", "1.38001E+10": the
// last digits are lost), or a decimal ending ("13800000001.0": taken digit by digit it would be
// another number). The explanation and the fix; nullopt for anything else.
std::optional<std::string> excel_number_problem(std::string_view cell);

// A phone cell that does not normalise but would with the leading 0 Excel drops from numbers
// ("57187654321" for 0571-87654321): the fix; nullopt otherwise.
std::optional<std::string> lost_leading_zero(std::string_view cell,
                                             std::string_view default_country);

// Text that is mojibake (乱码) from an earlier wrong conversion: U+FFFD, "锟斤拷" (U+FFFD
// twice, read as GBK), private-use characters (what GBK decoding makes of UTF-8 bytes), C1
// control characters, and UTF-8 read as Latin-1/Windows-1252 ("å¼ ä¸‰"). What it is; nullopt for
// clean text (including "·" in names such as 买买提·艾力).
std::optional<std::string> mojibake_problem(std::string_view cell);

}  // namespace lianxin::config
