#include "daemon/domain/templates.hpp"

#include <array>
#include <cstdio>

#include "daemon/domain/normalize.hpp"

namespace lianxin::domain {
namespace {

using P = std::string_view;
constexpr std::array<P, 0> kNone{};
constexpr std::array<P, 1> kTicket{"ticket"};
constexpr std::array<P, 1> kList{"list"};
constexpr std::array<P, 2> kTicketStatus{"ticket", "status"};
constexpr std::array<P, 5> kDispatch{"ticket", "village", "category", "text", "reporter"};
constexpr std::array<P, 6> kHandedOver{"ticket", "village",  "category",
                                       "text",   "reporter", "reason"};
constexpr std::array<P, 2> kTicketNote{"ticket", "note"};
constexpr std::array<P, 2> kTicketAssignee{"ticket", "assignee"};
constexpr std::array<P, 3> kRated{"ticket", "rating", "points"};
constexpr std::array<P, 2> kTicketReason{"ticket", "reason"};
constexpr std::array<P, 2> kCountList{"count", "list"};
constexpr std::array<P, 4> kWhich{"count", "list", "command", "ticket"};
constexpr std::array<P, 1> kPoints{"points"};
constexpr std::array<P, 1> kMeeting{"meeting"};
// ---- four orders ----
constexpr std::array<P, 6> kTeamDispatch{"ticket", "village",  "category",
                                         "text",   "reporter", "team"};
constexpr std::array<P, 2> kTicketTeam{"ticket", "team"};
constexpr std::array<P, 2> kServiceTeams{"service", "teams"};
constexpr std::array<P, 1> kTeams{"teams"};
constexpr std::array<P, 6> kAssigned{"ticket", "village", "category", "text", "reporter", "leader"};
constexpr std::array<P, 3> kTicketNameList{"ticket", "name", "list"};
constexpr std::array<P, 2> kTicketList{"ticket", "list"};
constexpr std::array<P, 2> kTicketName{"ticket", "name"};
constexpr std::array<P, 2> kTicketResident{"ticket", "resident"};
constexpr std::array<P, 2> kTicketHelper{"ticket", "helper"};
// ---- meetings ----
constexpr std::array<P, 3> kMeetingTitleTime{"meeting", "title", "time"};
constexpr std::array<P, 2> kMeetingTime{"meeting", "time"};
constexpr std::array<P, 2> kTicketDeadline{"ticket", "deadline"};
// ---- language ----
constexpr std::array<P, 2> kTicketVillage{"ticket", "village"};
constexpr std::array<P, 6> kReview{"ticket", "village", "category", "text", "reporter", "guesses"};
constexpr std::array<P, 6> kUrgentAlert{"ticket", "village",  "category",
                                        "text",   "reporter", "assignee"};
constexpr std::array<P, 7> kEscalated{"ticket",   "village", "category", "text",
                                      "reporter", "reason",  "deadline"};

// A status word is one item of a list line ("12345号重新处理中", "12 路灯 大溪边村 待接单"), which
// must fit an SMS and a USSD screen with its neighbours.
constexpr std::size_t kMaxStatusWord = 8;

constexpr auto R = Audience::resident;
constexpr auto M = Audience::member;

const auto kFields = std::to_array<TemplateField>({
    {"resident_received", &Templates::resident_received, R, kTicket},
    {"resident_ask_location", &Templates::resident_ask_location, R, kTicket},
    {"resident_sent_to_desk", &Templates::resident_sent_to_desk, R, kTicket},
    {"resident_duplicate", &Templates::resident_duplicate, R, kTicket},
    {"resident_note_added", &Templates::resident_note_added, R, kTicket},
    {"resident_rate_request", &Templates::resident_rate_request, R, kTicket},
    {"resident_rated", &Templates::resident_rated, R, kTicket},
    {"resident_rated_in_words", &Templates::resident_rated_in_words, R, kTicket},
    {"resident_rate_unhappy", &Templates::resident_rate_unhappy, R, kTicket},
    {"resident_reopened", &Templates::resident_reopened, R, kTicket},
    {"resident_cancelled", &Templates::resident_cancelled, R, kTicket},
    {"resident_which_ticket", &Templates::resident_which_ticket, R, kTicket},
    {"resident_status", &Templates::resident_status, R, kList},
    {"resident_status_item", &Templates::resident_status_item, R, kTicketStatus},
    {"resident_no_tickets", &Templates::resident_no_tickets, R, kNone},
    {"resident_not_found", &Templates::resident_not_found, R, kTicket},
    {"resident_nothing_to_rate", &Templates::resident_nothing_to_rate, R, kNone},
    {"resident_unsubscribed", &Templates::resident_unsubscribed, R, kNone},
    {"resident_invalid", &Templates::resident_invalid, R, kTicket},
    {"resident_help", &Templates::resident_help, R, kNone},
    {"resident_howto", &Templates::resident_howto, R, kNone},
    {"resident_received_urgent", &Templates::resident_received_urgent, R, kTicket},
    {"resident_feedback_noted", &Templates::resident_feedback_noted, R, kTicket},
    {"resident_ask_township", &Templates::resident_ask_township, R, kTicketVillage},
    {"member_dispatch", &Templates::member_dispatch, M, kDispatch},
    {"member_handed_over", &Templates::member_handed_over, M, kHandedOver},
    {"member_reopened", &Templates::member_reopened, M, kDispatch},
    {"member_note_added", &Templates::member_note_added, M, kTicketNote},
    {"member_accepted", &Templates::member_accepted, M, kTicket},
    {"member_resolved", &Templates::member_resolved, M, kTicket},
    {"member_handed_back", &Templates::member_handed_back, M, kTicketAssignee},
    {"member_handback_nobody", &Templates::member_handback_nobody, M, kTicket},
    {"member_rated", &Templates::member_rated, M, kRated},
    {"member_cancelled", &Templates::member_cancelled, M, kTicket},
    {"member_invalid", &Templates::member_invalid, M, kTicketReason},
    {"member_tickets", &Templates::member_tickets, M, kCountList},
    {"member_ticket_item", &Templates::member_ticket_item, M, kTicketStatus},
    {"member_no_tickets", &Templates::member_no_tickets, M, kNone},
    {"member_points", &Templates::member_points, M, kPoints},
    {"member_which_ticket", &Templates::member_which_ticket, M, kWhich},
    {"member_not_yours", &Templates::member_not_yours, M, kTicket},
    {"member_not_found", &Templates::member_not_found, M, kTicket},
    {"member_wrong_state", &Templates::member_wrong_state, M, kTicketStatus},
    {"member_help", &Templates::member_help, M, kNone},
    {"member_short_hint", &Templates::member_short_hint, M, kNone},
    {"member_review", &Templates::member_review, M, kReview},
    {"member_urgent_alert", &Templates::member_urgent_alert, M, kUrgentAlert},
    {"member_sign_in_unavailable", &Templates::member_sign_in_unavailable, M, kMeeting},
    {"member_unsubscribed", &Templates::member_unsubscribed, M, kNone},
    {"member_reassigned", &Templates::member_reassigned, M, kTicketReason},
    {"member_closed", &Templates::member_closed, M, kTicketReason},
    {"resident_closed", &Templates::resident_closed, R, kTicket},
    {"member_accept_reminder", &Templates::member_accept_reminder, M, kTicketDeadline},
    {"member_resolve_reminder", &Templates::member_resolve_reminder, M, kTicketDeadline},
    {"member_escalated", &Templates::member_escalated, M, kEscalated},
    {"member_escalated_away", &Templates::member_escalated_away, M, kTicketAssignee},
    // ---- four orders ----
    {"member_team_dispatch", &Templates::member_team_dispatch, M, kTeamDispatch},
    {"member_order_raised", &Templates::member_order_raised, M, kTicketTeam},
    {"member_order_unknown_team", &Templates::member_order_unknown_team, M, kServiceTeams},
    {"member_order_usage", &Templates::member_order_usage, M, kTeams},
    {"resident_order_received", &Templates::resident_order_received, R, kTicketTeam},
    {"member_bad_phone", &Templates::member_bad_phone, M, kNone},
    {"member_assigned", &Templates::member_assigned, M, kAssigned},
    {"member_assign_done", &Templates::member_assign_done, M, kTicketAssignee},
    {"member_assign_not_leader", &Templates::member_assign_not_leader, M, kNone},
    {"member_assign_not_team", &Templates::member_assign_not_team, M, kTicket},
    {"member_assign_unknown", &Templates::member_assign_unknown, M, kTicketNameList},
    {"member_assign_usage", &Templates::member_assign_usage, M, kTicketList},
    {"member_assign_off_duty", &Templates::member_assign_off_duty, M, kTicketName},
    {"member_on_behalf_done", &Templates::member_on_behalf_done, M, kTicketResident},
    {"member_on_behalf_not_helper", &Templates::member_on_behalf_not_helper, M, kNone},
    {"member_on_behalf_usage", &Templates::member_on_behalf_usage, M, kNone},
    {"resident_received_on_behalf", &Templates::resident_received_on_behalf, R, kTicketHelper},
    // ---- meetings ----
    {"member_signed_in", &Templates::member_signed_in, M, kMeetingTitleTime},
    {"member_sign_in_repeat", &Templates::member_sign_in_repeat, M, kMeetingTime},
    {"member_sign_in_unknown", &Templates::member_sign_in_unknown, M, kMeeting},
    {"member_sign_in_not_invited", &Templates::member_sign_in_not_invited, M, kMeeting},
    {"member_sign_in_early", &Templates::member_sign_in_early, M, kMeetingTime},
    {"member_sign_in_closed", &Templates::member_sign_in_closed, M, kMeeting},
    {"resident_state_new", &Templates::resident_state_new, R, kNone, kMaxStatusWord},
    {"resident_state_awaiting_location", &Templates::resident_state_awaiting_location, R, kNone,
     kMaxStatusWord},
    {"resident_state_dispatched", &Templates::resident_state_dispatched, R, kNone, kMaxStatusWord},
    {"resident_state_accepted", &Templates::resident_state_accepted, R, kNone, kMaxStatusWord},
    {"resident_state_resolved", &Templates::resident_state_resolved, R, kNone, kMaxStatusWord},
    {"resident_state_closed", &Templates::resident_state_closed, R, kNone, kMaxStatusWord},
    {"resident_state_reopened", &Templates::resident_state_reopened, R, kNone, kMaxStatusWord},
    {"resident_state_invalid", &Templates::resident_state_invalid, R, kNone, kMaxStatusWord},
    {"resident_state_cancelled", &Templates::resident_state_cancelled, R, kNone, kMaxStatusWord},
    {"member_state_new", &Templates::member_state_new, M, kNone, kMaxStatusWord},
    {"member_state_awaiting_location", &Templates::member_state_awaiting_location, M, kNone,
     kMaxStatusWord},
    {"member_state_dispatched", &Templates::member_state_dispatched, M, kNone, kMaxStatusWord},
    {"member_state_accepted", &Templates::member_state_accepted, M, kNone, kMaxStatusWord},
    {"member_state_resolved", &Templates::member_state_resolved, M, kNone, kMaxStatusWord},
    {"member_state_closed", &Templates::member_state_closed, M, kNone, kMaxStatusWord},
    {"member_state_reopened", &Templates::member_state_reopened, M, kNone, kMaxStatusWord},
    {"member_state_invalid", &Templates::member_state_invalid, M, kNone, kMaxStatusWord},
    {"member_state_cancelled", &Templates::member_state_cancelled, M, kNone, kMaxStatusWord},
});

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Finds the next well-formed "{name}" at or after `from`; npos when none.
std::size_t find_placeholder(std::string_view tmpl, std::size_t from, std::string_view& name) {
  for (std::size_t open = tmpl.find('{', from); open != std::string_view::npos;
       open = tmpl.find('{', open + 1)) {
    std::size_t end = open + 1;
    while (end < tmpl.size() && is_name_char(tmpl[end])) ++end;
    if (end < tmpl.size() && tmpl[end] == '}' && end > open + 1) {
      name = tmpl.substr(open + 1, end - open - 1);
      return open;
    }
  }
  return std::string_view::npos;
}

// Calls visit(byte_offset, byte_length, utf16_units) for each code point (the one decoder:
// a maximal invalid subsequence is one U+FFFD of one unit).
template <typename Visit>
void for_each_code_point(std::string_view utf8, Visit visit) {
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    const std::size_t start = pos;
    const char32_t cp = sms::next_code_point(utf8, pos);
    visit(start, pos - start, cp > 0xFFFF ? std::size_t{2} : std::size_t{1});
  }
}

}  // namespace

std::span<const TemplateField> template_fields() {
  return kFields;
}

const TemplateField* find_template_field(std::string_view key) {
  for (const TemplateField& field : kFields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

std::string_view status_word(const Templates& t, Audience audience, TicketState state) {
  struct Words {
    TicketState state;
    std::string Templates::*resident;
    std::string Templates::*member;
  };
  static constexpr Words kWords[] = {
      {TicketState::new_, &Templates::resident_state_new, &Templates::member_state_new},
      {TicketState::awaiting_location, &Templates::resident_state_awaiting_location,
       &Templates::member_state_awaiting_location},
      {TicketState::dispatched, &Templates::resident_state_dispatched,
       &Templates::member_state_dispatched},
      {TicketState::accepted, &Templates::resident_state_accepted,
       &Templates::member_state_accepted},
      {TicketState::resolved, &Templates::resident_state_resolved,
       &Templates::member_state_resolved},
      {TicketState::closed, &Templates::resident_state_closed, &Templates::member_state_closed},
      {TicketState::reopened, &Templates::resident_state_reopened,
       &Templates::member_state_reopened},
      {TicketState::invalid, &Templates::resident_state_invalid, &Templates::member_state_invalid},
      {TicketState::cancelled, &Templates::resident_state_cancelled,
       &Templates::member_state_cancelled},
  };
  for (const Words& w : kWords) {
    if (w.state == state) return t.*(audience == Audience::resident ? w.resident : w.member);
  }
  return "";
}

Templates default_templates() {
  Templates t;
  // Villagers: short plain sentences, one instruction, one SMS.
  t.resident_received = "已收到您反映的问题，工单号{ticket}，我们已安排专人处理。";
  t.resident_ask_location = "已收到，工单号{ticket}。请问您在哪个村？请回复村名。";
  t.resident_sent_to_desk = "工单{ticket}已转值班人员处理，请保持电话畅通。";
  t.resident_duplicate = "工单{ticket}已在处理中，不用重复发送。";
  t.resident_note_added = "您补充的内容已转给工单{ticket}的处理人员。";
  t.resident_rate_request = "您反映的问题已处理（工单{ticket}）。回复5表示满意，回复0表示没解决。";
  t.resident_rated = "谢谢您的评价！工单{ticket}已结束。";
  t.resident_rated_in_words = "谢谢！已按满意（5分）记下您对工单{ticket}的评价，工单已结束。";
  t.resident_rate_unhappy = "工单{ticket}没解决请回复0，我们会再派人处理；已解决请回复1到5评分。";
  t.resident_reopened = "工单{ticket}已重新交办，我们会再派人处理。";
  t.resident_cancelled = "工单{ticket}已取消。";
  t.resident_which_ticket = "您有多件工单，请回复取消加工单号，如：取消{ticket}";
  t.resident_status = "您的工单：{list}";
  t.resident_status_item = "{ticket}号{status}";
  t.resident_no_tickets = "您目前没有在办的工单。有问题请直接发短信说明。";
  t.resident_not_found = "没有找到您的工单{ticket}，请核对编号。";
  t.resident_nothing_to_rate = "您没有待评价的工单。有问题请直接发短信说明。";
  t.resident_unsubscribed = "已退订通知。";
  t.resident_invalid = "工单{ticket}经核实无需处理，已关闭。";
  t.resident_help = "没看懂您的短信。有问题请直接用文字说明。";
  t.resident_state_new = "已受理";
  t.resident_state_awaiting_location = "待确认地点";
  t.resident_state_dispatched = "已派人处理";
  t.resident_state_accepted = "处理中";
  t.resident_state_resolved = "待您评价";
  t.resident_state_closed = "已结束";
  t.resident_state_reopened = "重新处理中";
  t.resident_state_invalid = "已关闭";
  t.resident_state_cancelled = "已取消";
  t.member_state_new = "待派单";
  t.member_state_awaiting_location = "待确认地点";
  t.member_state_dispatched = "待接单";
  t.member_state_accepted = "处理中";
  t.member_state_resolved = "待评价";
  t.member_state_closed = "已结束";
  t.member_state_reopened = "重新处理";
  t.member_state_invalid = "已作废";
  t.member_state_cancelled = "已取消";
  t.resident_howto = "您好，这里是村网格服务。请直接发送您要反映的问题，我们会派人处理。";
  t.resident_received_urgent =
      "已收到，工单号{ticket}，已按紧急情况派人。如有生命危险请立即拨打110、119或120。";
  t.resident_feedback_noted = "已记下您对工单{ticket}的意见，已转告处理人员。";
  t.resident_ask_township = "已收到，工单号{ticket}。有几个{village}，请问您是哪个乡镇的？";
  // Members: who/where/what, and the exact reply to send.
  t.member_dispatch =
      "新工单{ticket}：{village}，{category}。{text}（报告人{reporter}）回复 接{ticket} 接单";
  t.member_handed_over =
      "转来工单{ticket}（前一位退回：{reason}）：{village}，{category}。{text}（报告人{reporter}）"
      "回复 接{ticket} 接单";
  t.member_reopened =
      "工单{ticket}群众反映没解决，请再处理：{village}，{category}。{text}（报告人{reporter}）"
      "回复 接{ticket} 接单";
  t.member_note_added = "工单{ticket}群众补充：{note}";
  t.member_accepted = "已接单{ticket}。办完请回复 完成{ticket} 加说明";
  t.member_resolved = "工单{ticket}已办结，等待群众评价。";
  t.member_handed_back = "工单{ticket}已退回，改派{assignee}。";
  t.member_handback_nobody = "工单{ticket}暂无其他人可改派，仍由您处理。";
  t.member_rated = "工单{ticket}群众评价{rating}分，积分{points}。";
  t.member_cancelled = "工单{ticket}已被群众取消，不用处理了。";
  t.member_invalid = "工单{ticket}已作废：{reason}";
  t.member_tickets = "您有{count}件工单：{list}";
  t.member_ticket_item = "{ticket}号{status}";
  t.member_no_tickets = "您目前没有待办工单。";
  t.member_points = "您的积分：{points}分。";
  t.member_which_ticket = "您有{count}件工单：{list}。请带上编号，如：{command}{ticket}";
  t.member_not_yours = "工单{ticket}不是派给您的，请核对编号。回复 我的 查看。";
  t.member_not_found = "没有工单{ticket}，请核对编号。回复 我的 查看。";
  t.member_wrong_state = "工单{ticket}当前{status}，无需此操作。";
  t.member_short_hint = "接单请回复：接+工单号，如 接12";
  t.member_help =
      "回复：接123 接单；完成123 说明 办结；退123 原因 退回；我的；积分；签到M12；点单 队名 需求";
  t.member_review =
      "待核实工单{ticket}：{village}。{text}（报告人{reporter}）分类不确定，可能是{guesses}。"
      "请核实后改派（lianxinctl recategorize {ticket} 类别），或回复 接{ticket} 自行处理";
  t.member_urgent_alert =
      "紧急工单{ticket}：{village}，{category}。{text}（报告人{reporter}）已派{assignee}，请关注";
  t.member_sign_in_unavailable = "会议签到暂未开通，{meeting}未记录。";
  t.member_unsubscribed = "已退订通知。";
  t.member_reassigned = "工单{ticket}已改派他人，您不用再处理：{reason}";
  t.member_closed = "工单{ticket}已由平台关闭：{reason}";
  t.resident_closed = "您的工单{ticket}已办结关闭。如有问题请再来短信。";
  t.member_accept_reminder = "提醒：工单{ticket}请于{deadline}前签收，回复 接{ticket}";
  t.member_resolve_reminder = "提醒：工单{ticket}请于{deadline}前办结，回复 完成{ticket} 加说明";
  t.member_escalated =
      "督办工单{ticket}（{reason}）转您处理：{village}，{category}。{text}（报告人{reporter}）"
      "请于{deadline}前回复 接{ticket} 接单";
  t.member_escalated_away = "工单{ticket}已上报督办，改由{assignee}处理，您不用再处理。";
  // ---- four orders ----
  t.member_team_dispatch =
      "新工单{ticket}（{team}）：{village}，{category}。{text}（报告人{reporter}）"
      "回复 接{ticket} 接单，或 派{ticket} 队员姓名";
  t.member_order_raised = "点单已受理，工单{ticket}已派{team}。";
  t.member_order_unknown_team = "没有找到服务队“{service}”。可点单：{teams}。格式：点单 队名 需求";
  t.member_order_usage =
      "请写明需求。格式：点单 队名 需求，如：点单 维修 水管爆了。可点单：{teams}";
  t.resident_order_received = "网格员已为您向{team}点单，工单号{ticket}，我们已安排专人处理。";
  t.member_bad_phone = "手机号不对，请核对后重发。";
  t.member_assigned =
      "{leader}派给您工单{ticket}：{village}，{category}。{text}（报告人{reporter}）"
      "回复 接{ticket} 接单";
  t.member_assign_done = "工单{ticket}已派给{assignee}。";
  t.member_assign_not_leader = "只有服务队队长可以派单。";
  t.member_assign_not_team = "工单{ticket}不属于您带领的服务队，不能派单。";
  t.member_assign_unknown = "队里没有“{name}”。队员：{list}。请回复 派{ticket} 姓名";
  t.member_assign_usage = "请写明派给谁，如：派{ticket} 姓名。队员：{list}";
  t.member_assign_off_duty = "{name}当前不在岗，工单{ticket}请派给其他队员。";
  t.member_on_behalf_done = "已代{resident}反映，工单{ticket}。群众会收到回执和评价短信。";
  t.member_on_behalf_not_helper = "只有代办员可以代群众反映。您自己的问题请直接发送内容。";
  t.member_on_behalf_usage = "格式：代 手机号 问题，如：代 13800000001 想办残疾证";
  t.resident_received_on_behalf = "{helper}已代您反映问题，工单号{ticket}，我们已安排专人处理。";
  // ---- meetings ----
  t.member_signed_in = "签到成功：{title}（{meeting}），{time}。";
  t.member_sign_in_repeat = "您已于{time}签到{meeting}，无需重复。";
  t.member_sign_in_unknown = "没有会议{meeting}，请核对会议编号。";
  t.member_sign_in_not_invited = "您不在会议{meeting}的参会名单中，未签到。";
  t.member_sign_in_early = "会议{meeting}于{time}开始签到，请届时再发。";
  t.member_sign_in_closed = "会议{meeting}已结束，签到已关闭。";
  return t;
}

TemplateValues& TemplateValues::set(std::string_view name, std::string value) {
  for (auto& [key, existing] : values_) {
    if (key == name) {
      existing = std::move(value);
      return *this;
    }
  }
  values_.emplace_back(std::string(name), std::move(value));
  return *this;
}

TemplateValues& TemplateValues::set(std::string_view name, long long value) {
  return set(name, std::to_string(value));
}

const std::string* TemplateValues::find(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string render(std::string_view tmpl, const TemplateValues& values) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  std::size_t pos = 0;
  std::string_view name;
  for (std::size_t open = find_placeholder(tmpl, pos, name); open != std::string_view::npos;
       open = find_placeholder(tmpl, pos, name)) {
    out.append(tmpl.substr(pos, open - pos));
    if (const std::string* value = values.find(name)) out.append(*value);
    pos = open + name.size() + 2;
  }
  out.append(tmpl.substr(pos));
  return out;
}

std::optional<std::string> control_character(std::string_view utf8) {
  std::size_t index = 0;
  text::Utf8Reader reader(utf8);
  while (!reader.done()) {
    const char32_t c = reader.next();
    ++index;
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "a control character U+%04X at character %zu",
                    static_cast<unsigned>(c), index);
      return std::string(buf);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_template(const TemplateField& field, std::string_view tmpl,
                                          std::string_view signature) {
  if (tmpl.empty()) return std::string(field.key) + ": template is empty";
  if (auto bad = control_character(tmpl)) return std::string(field.key) + ": " + *bad;
  std::string_view name;
  for (std::size_t open = find_placeholder(tmpl, 0, name); open != std::string_view::npos;
       open = find_placeholder(tmpl, open + 1, name)) {
    bool allowed = false;
    for (std::string_view p : field.placeholders) allowed = allowed || p == name;
    if (!allowed) {
      std::string allowed_list;
      for (std::string_view p : field.placeholders) {
        allowed_list += allowed_list.empty() ? "" : ", ";
        allowed_list += "{" + std::string(p) + "}";
      }
      return std::string(field.key) + ": unknown placeholder {" + std::string(name) +
             "} (allowed: " + (allowed_list.empty() ? "none" : allowed_list) + ")";
    }
  }
  if (field.max_code_points != 0 && code_point_count(tmpl) > field.max_code_points) {
    return std::string(field.key) + ": at most " + std::to_string(field.max_code_points) +
           " characters (a status word, shown in lists), got " +
           std::to_string(code_point_count(tmpl));
  }
  if (field.audience == Audience::resident) {
    TemplateValues values = sample_long_values();
    if (field.key == "resident_status") {
      // A status reply lists as many items as fit; one long item must fit.
      values.set("list", render(default_templates().resident_status_item, values));
    }
    std::string text = std::string(signature) + render(tmpl, values);
    std::size_t units = utf16_length(text);
    if (units > kSingleUcs2SmsUnits) {
      return std::string(field.key) + ": " + std::to_string(units) +
             " UTF-16 units with the signature and long values, more than one SMS (" +
             std::to_string(kSingleUcs2SmsUnits) + ")";
    }
  }
  return std::nullopt;
}

TemplateValues sample_long_values() {
  TemplateValues v;
  v.set("ticket", "12345")
      .set("village", "大溪边村")
      .set("category", "治安/安全隐患")
      .set("text", "村口两盏路灯杆被大风刮倒了，晚上黑漆漆的老人走路不方便")
      .set("reporter", "138****0001")
      .set("note", "水管接头已更换")
      .set("reason", "人在外地")
      .set("status", "重新处理中")
      .set("assignee", "欧阳建国")
      .set("rating", "5")
      .set("points", "10")
      .set("count", "12")
      .set("list", "12345号处理中")
      .set("command", "完成")
      .set("meeting", "M2024-12")
      .set("team", "青石镇水电维修服务队")
      .set("teams", "青石镇水电维修服务队、青石镇志愿服务队")
      .set("service", "水电维修")
      .set("name", "欧阳建国")
      .set("leader", "欧阳建国")
      .set("helper", "欧阳建国")
      .set("resident", "138****0001")
      .set("title", "青石镇党员冬训第三期学习会")
      .set("time", "12月31日 23:59")
      .set("deadline", "12月31日23:59")
      .set("guesses", "治安/安全隐患(45%)或困难求助(30%)");
  return v;
}

std::size_t utf16_length(std::string_view utf8) {
  std::size_t units = 0;
  for_each_code_point(utf8, [&](std::size_t, std::size_t, std::size_t u) { units += u; });
  return units;
}

std::size_t code_point_count(std::string_view utf8) {
  std::size_t count = 0;
  for_each_code_point(utf8, [&](std::size_t, std::size_t, std::size_t) { ++count; });
  return count;
}

std::string truncate_code_points(std::string_view utf8, std::size_t max_code_points) {
  if (code_point_count(utf8) <= max_code_points) return std::string(utf8);
  std::size_t keep = max_code_points == 0 ? 0 : max_code_points - 1;  // room for the ellipsis
  std::size_t count = 0;
  std::size_t cut = 0;
  for_each_code_point(utf8, [&](std::size_t offset, std::size_t len, std::size_t) {
    if (count < keep) cut = offset + len;
    ++count;
  });
  std::string out(utf8.substr(0, cut));
  if (max_code_points > 0) out += "…";
  return out;
}

}  // namespace lianxin::domain
