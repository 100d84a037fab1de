// The words of the SMS grammar (grammar.hpp): which keyword means which command and what must
// follow it, the rating phrases, the courtesy a rating may end with, and the replies that
// acknowledge a dispatch. Data only; only grammar.cpp includes it.
#pragma once

#include <array>
#include <string_view>

namespace lianxin::domain::grammar_words {

using Text = std::u32string_view;

enum class Kind {
  accept,
  resolve,
  hand_back,
  my_tickets,
  my_points,
  sign_in,
  unsubscribe,
  query,
  cancel,
  raise_order,
  assign,
  on_behalf,
};

// What must follow a keyword for it to count as one.
enum class Boundary {
  any,     // multi-character Chinese keyword: anything may follow ("完成已修复")
  strict,  // end, space, punctuation, digit, 第, or a whole Chinese numeral ("接 123", not "接线")
  latin,  // Latin keyword: anything but another Latin letter ("JD123", not "JDX")
};

struct Keyword {
  Text word;
  Kind kind;
  Boundary boundary;
};

// Longest first where one keyword is a prefix of another.
constexpr std::array kMemberPrefixKeywords{
    Keyword{U"接单", Kind::accept, Boundary::any},
    Keyword{U"接", Kind::accept, Boundary::strict},
    Keyword{U"JD", Kind::accept, Boundary::latin},
    Keyword{U"已完成", Kind::resolve, Boundary::any},
    Keyword{U"已办结", Kind::resolve, Boundary::any},
    Keyword{U"完成", Kind::resolve, Boundary::any},
    Keyword{U"办结", Kind::resolve, Boundary::any},
    Keyword{U"WC", Kind::resolve, Boundary::latin},
    Keyword{U"BJ", Kind::resolve, Boundary::latin},
    Keyword{U"退单", Kind::hand_back, Boundary::any},
    Keyword{U"退回", Kind::hand_back, Boundary::any},
    Keyword{U"退", Kind::hand_back, Boundary::strict},
    Keyword{U"TH", Kind::hand_back, Boundary::latin},
    Keyword{U"签到", Kind::sign_in, Boundary::any},
    Keyword{U"QD", Kind::sign_in, Boundary::latin},
    // Four orders and reports on behalf of others. 派/代 are common first characters of prose
    // (派出所, 代表, 代办证件…): strict. 点单 hardly starts a sentence and is often glued to the
    // team name (点单维修…).
    Keyword{U"点单", Kind::raise_order, Boundary::any},
    Keyword{U"DD", Kind::raise_order, Boundary::latin},
    Keyword{U"派单", Kind::assign, Boundary::strict},
    Keyword{U"派", Kind::assign, Boundary::strict},
    Keyword{U"PD", Kind::assign, Boundary::latin},
    Keyword{U"代办", Kind::on_behalf, Boundary::strict},
    Keyword{U"代报", Kind::on_behalf, Boundary::strict},
    Keyword{U"代", Kind::on_behalf, Boundary::strict},
    Keyword{U"DB", Kind::on_behalf, Boundary::latin},
};

// Whole-message commands (compared with inner spaces removed).
constexpr std::array kMemberWholeWords{
    Keyword{U"我的", Kind::my_tickets, Boundary::strict},
    Keyword{U"我的工单", Kind::my_tickets, Boundary::strict},
    Keyword{U"我的单", Kind::my_tickets, Boundary::strict},
    Keyword{U"WD", Kind::my_tickets, Boundary::latin},
    Keyword{U"积分", Kind::my_points, Boundary::strict},
    Keyword{U"我的积分", Kind::my_points, Boundary::strict},
    Keyword{U"查积分", Kind::my_points, Boundary::strict},
    Keyword{U"JF", Kind::my_points, Boundary::latin},
    Keyword{U"退订", Kind::unsubscribe, Boundary::strict},
    Keyword{U"TD", Kind::unsubscribe, Boundary::latin},
};

constexpr std::array kResidentPrefixKeywords{
    Keyword{U"查询", Kind::query, Boundary::any},  Keyword{U"查进度", Kind::query, Boundary::any},
    Keyword{U"查单", Kind::query, Boundary::any},  Keyword{U"进度", Kind::query, Boundary::any},
    Keyword{U"查", Kind::query, Boundary::strict}, Keyword{U"CX", Kind::query, Boundary::latin},
    Keyword{U"取消", Kind::cancel, Boundary::any}, Keyword{U"撤销", Kind::cancel, Boundary::any},
    Keyword{U"QX", Kind::cancel, Boundary::latin},
};

struct Score {
  Text phrase;
  int score;  // 0: reopen
};

constexpr std::array kRatingPhrases{
    Score{U"满意", 5},       Score{U"很满意", 5},       Score{U"非常满意", 5},
    Score{U"十分满意", 5},   Score{U"特别满意", 5},     Score{U"挺满意", 5},
    Score{U"好评", 5},       Score{U"五星好评", 5},     Score{U"基本满意", 4},
    Score{U"比较满意", 4},   Score{U"还算满意", 4},     Score{U"还行", 4},
    Score{U"还可以", 4},     Score{U"一般", 3},         Score{U"马马虎虎", 3},
    Score{U"不满意", 2},     Score{U"不太满意", 2},     Score{U"不是很满意", 2},
    Score{U"很不满意", 1},   Score{U"非常不满意", 1},   Score{U"十分不满意", 1},
    Score{U"特别不满意", 1}, Score{U"太差", 1},         Score{U"很差", 1},
    Score{U"未解决", 0},     Score{U"没解决", 0},       Score{U"没有解决", 0},
    Score{U"还没解决", 0},   Score{U"还没有解决", 0},   Score{U"没修好", 0},
    Score{U"没有修好", 0},   Score{U"还没修", 0},       Score{U"还没修好", 0},
    Score{U"还没有修", 0},   Score{U"还没有修好", 0},   Score{U"没修", 0},
    Score{U"没好", 0},       Score{U"还没好", 0},       Score{U"还是坏的", 0},
    Score{U"还是坏", 0},     Score{U"不满意未解决", 0},
};

// Trailing courtesy that does not change a rating: "满意，谢谢", "满意了".
constexpr std::array<Text, 10> kCourtesySuffixes{U"谢谢你", U"谢谢您", U"谢谢", U"感谢", U"了",
                                                 U"啦",     U"的",     U"啊",   U"呀",   U"哦"};

// Replies a member sends to acknowledge or report progress, not to report a problem.
constexpr std::array<Text, 22> kAcknowledgements{
    U"收到",   U"好的",   U"知道了", U"明白",     U"修好了", U"已修好", U"已修复", U"修复了",
    U"处理好", U"处理完", U"已处理", U"办好了",   U"办完",   U"搞定",   U"完工",   U"已到场",
    U"已接",   U"接了",   U"已经修", U"已经处理", U"谢谢",   U"OK"};

}  // namespace lianxin::domain::grammar_words
