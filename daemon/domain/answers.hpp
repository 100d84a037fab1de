#pragma once
// Short answers to the questions lianxin asks, in the words people really use, and texts no
// person wrote. Pure text processing, like the grammar (grammar.hpp), which it complements:
//
//   rating_in_reply   a reply to "回复5表示满意，回复0表示没解决" that carries a score somewhere:
//                     `4分吧`, `给5分`, `打个三分`, `五星`, `就3吧`, `满意 5`. Only short replies
//                     (at most kShortReply characters) and only scores 0..5; the grammar's exact
//                     forms (`5`, `满意`, `没修好`) are read first by the caller.
//   sounds_unhappy    dissatisfaction that does not say whether it is fixed: `差评`, `不好`,
//                     `太慢了`, `态度不好`. (Not-fixed words are the grammar's reopen: `没修好`.)
//   is_auto_reply     a phone's automatic answer: `【自动回复】…`, `自动回复：…`, `[Auto Reply]`,
//                     `您好，我现在有事不能接听…`, carriers' `此短信为自动回复`.
//   is_member_acknowledgement  a member's `收到`, `好的`, `OK`, `收到，马上去` to a dispatch.
//   sounds_thankful   thanks or praise with no score: `谢谢`, `好的`, `很好`, `点赞`, `辛苦了`
//                     (the USSD rating screen, which has no model: 5, as by SMS).
//   says_dont_know    `不知道`, `不清楚`, `说不清`: the village question cannot be answered.
//   yes_or_no         `是`, `对`, `确认`, `嗯` / `不是`, `不对`, `取消`, `算了`.
//   option_by_label   what a caller typed instead of a digit on a numbered screen: the number
//                     whose label it is ("是" on "1 是\n2 选择其他村", "没解决" on "… 0 没解决").
#include <cstddef>
#include <optional>
#include <string_view>

namespace lianxin::domain {

inline constexpr std::size_t kShortReply = 12;  // characters, after normalisation

std::optional<int> rating_in_reply(std::string_view text);
bool sounds_unhappy(std::string_view text);
bool is_auto_reply(std::string_view text);
bool is_member_acknowledgement(std::string_view text);
bool sounds_thankful(std::string_view text);
bool says_dont_know(std::string_view text);
std::optional<bool> yes_or_no(std::string_view text);
std::optional<std::size_t> option_by_label(std::string_view screen, std::string_view typed);

}  // namespace lianxin::domain
