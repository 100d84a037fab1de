#include "daemon/domain/answers.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

using Text = std::u32string_view;

// Normalised (half-width, upper-case Latin) with every space and punctuation mark removed.
std::u32string compact_of(std::string_view text) {
  std::u32string out;
  for (char32_t c : text::prepare_for_matching(text).key) {
    if (!text::is_space(c) && !text::is_punctuation(c)) out.push_back(c);
  }
  return out;
}

bool contains(Text haystack, Text needle) {
  return haystack.find(needle) != Text::npos;
}

template <std::size_t N>
bool contains_any(Text haystack, const std::array<Text, N>& needles) {
  return std::any_of(needles.begin(), needles.end(), [&](Text n) { return contains(haystack, n); });
}

std::optional<int> digit_value(char32_t c) {
  if (text::is_ascii_digit(c)) return static_cast<int>(c - U'0');
  return text::chinese_digit(c);
}

constexpr std::array<Text, 14> kUnhappy{U"差评",   U"不好",     U"太差",     U"很差", U"太慢",
                                        U"不行",   U"不怎么样", U"态度",     U"敷衍", U"糊弄",
                                        U"不负责", U"没用",     U"垃圾服务", U"投诉"};

// Anywhere in the text: only marks a person never types about a problem.
constexpr std::array<Text, 5> kAutoReplyMarks{U"自动回复", U"AUTOREPLY", U"AUTOMATICREPLY",
                                              U"OUTOFOFFICE", U"此短信由系统"};
// At the start only: the shapes of phones' busy answers ("网格员电话一直不能接听" is a complaint).
constexpr std::array<Text, 8> kAutoReplyOpenings{
    U"我正在开车", U"我正在开会",       U"我现在不方便接听", U"您好我现在不方便接听",
    U"正在开车",   U"正在开会稍后回复", U"我在忙稍后回复",   U"您好我正在开车"};

constexpr std::array<Text, 16> kMemberAcks{
    U"收到",   U"好的",   U"好",   U"OK", U"知道了", U"明白", U"马上去", U"马上到",
    U"这就去", U"收到了", U"好嘞", U"行", U"可以",   U"嗯",   U"嗯嗯",   U"没问题"};

constexpr std::array<Text, 14> kThanks{U"谢谢",   U"感谢", U"好的",   U"很好",   U"挺好",
                                       U"不错",   U"点赞", U"辛苦了", U"修好了", U"满意",
                                       U"非常好", U"好",   U"多谢",   U"谢了"};

constexpr std::array<Text, 10> kYes{U"是",   U"是的", U"对",   U"对的", U"嗯",
                                    U"确认", U"确定", U"提交", U"好",   U"好的"};
constexpr std::array<Text, 9> kNo{U"不是", U"不对", U"否",   U"不",  U"取消",
                                  U"算了", U"不要", U"不用", U"错了"};

// Removes words of `words` (and the particles 你们, 了, 啊, 呀 between them) from the front of `s`
// while one matches: what is left is what none of them covers.
template <std::size_t N>
void peel_leading(std::u32string& s, const std::array<Text, N>& words) {
  static constexpr std::array<Text, 4> kParticles{U"你们", U"了", U"啊", U"呀"};
  auto peel = [&s](auto list) {
    for (Text word : list) {
      if (s.size() >= word.size() && Text(s).substr(0, word.size()) == word) {
        s.erase(0, word.size());
        return true;
      }
    }
    return false;
  };
  while (!s.empty() && (peel(words) || peel(kParticles))) {
  }
}

// The word itself, or the word with a trailing 吧/啊/呀 ("对啊", "算了吧").
bool is_one_of(Text s, Text word) {
  return s == word || (s.size() == word.size() + 1 && s.substr(0, word.size()) == word &&
                       (s.back() == U'吧' || s.back() == U'啊' || s.back() == U'呀'));
}

}  // namespace

std::optional<int> rating_in_reply(std::string_view text) {
  const std::u32string s = compact_of(text);
  if (s.empty() || s.size() > kShortReply) return std::nullopt;
  // ASCII digits anywhere: exactly one, and 0..5 ("4分吧", "给5", but not "12" or "3号楼").
  std::optional<int> found;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!text::is_ascii_digit(s[i])) continue;
    if (found) return std::nullopt;  // two digits: a number, not a score
    found = static_cast<int>(s[i] - U'0');
  }
  if (found) {
    if (*found > 5 || contains(s, U"号") || contains(s, U"楼") || contains(s, U"点")) {
      return std::nullopt;
    }
    return found;
  }
  // A Chinese numeral only where it is a score: before 分 or 星 ("打个三分", "五星"), or alone.
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto d = digit_value(s[i]);
    if (!d || *d > 5) continue;
    const bool scored = i + 1 < s.size() && (s[i + 1] == U'分' || s[i + 1] == U'星');
    if (scored || s.size() == 1) return d;
  }
  return std::nullopt;
}

bool sounds_unhappy(std::string_view text) {
  const std::u32string s = compact_of(text);
  return !s.empty() && s.size() <= 2 * kShortReply && contains_any(s, kUnhappy);
}

bool is_auto_reply(std::string_view text) {
  const std::u32string s = compact_of(text);
  if (contains_any(s, kAutoReplyMarks)) return true;
  return std::any_of(kAutoReplyOpenings.begin(), kAutoReplyOpenings.end(),
                     [&](Text opening) { return Text(s).substr(0, opening.size()) == opening; });
}

bool is_member_acknowledgement(std::string_view text) {
  std::u32string s = compact_of(text);
  if (s.empty() || s.size() > kShortReply) return false;
  // "收到，马上去" / "好的收到": every piece an acknowledgement.
  peel_leading(s, kMemberAcks);
  return s.empty() || s == U"谢谢" || s == U"了";
}

bool sounds_thankful(std::string_view text) {
  std::u32string s = compact_of(text);
  if (s.empty() || s.size() > kShortReply || sounds_unhappy(text)) return false;
  // Every piece thanks or praise: "修好了谢谢", "好的谢谢你们", "辛苦了".
  peel_leading(s, kThanks);
  return s.empty();
}

bool says_dont_know(std::string_view text) {
  static constexpr std::array<Text, 6> kDontKnow{U"不知道", U"不清楚", U"不晓得",
                                                 U"说不清", U"不认得", U"搞不清"};
  const std::u32string s = compact_of(text);
  return !s.empty() && s.size() <= kShortReply && contains_any(s, kDontKnow);
}

std::optional<bool> yes_or_no(std::string_view text) {
  const std::u32string s = compact_of(text);
  for (Text no : kNo)  // first: "不是" holds "是"
    if (is_one_of(s, no)) return false;
  for (Text yes : kYes)
    if (is_one_of(s, yes)) return true;
  return std::nullopt;
}

std::optional<std::size_t> option_by_label(std::string_view screen, std::string_view typed) {
  const std::u32string want = compact_of(typed);
  if (want.empty()) return std::nullopt;
  // The screen's options are "N label", several on a line or one per line.
  const std::u32string s = sms::utf8_to_code_points(screen);
  for (std::size_t i = 0; i < s.size();) {
    const bool starts = text::is_ascii_digit(s[i]) && (i == 0 || text::is_space(s[i - 1]));
    if (!starts) {
      ++i;
      continue;
    }
    std::size_t j = i;
    std::size_t number = 0;
    while (j < s.size() && text::is_ascii_digit(s[j]) && j - i < 2)
      number = number * 10 + (s[j++] - U'0');
    if (j >= s.size() || s[j] != U' ') {
      i = j;
      continue;
    }
    std::size_t end = ++j;
    while (end < s.size() && !text::is_space(s[end])) ++end;
    if (compact_of(sms::code_points_to_utf8(s.substr(j, end - j))) == want) return number;
    i = end;
  }
  return std::nullopt;
}

}  // namespace lianxin::domain
