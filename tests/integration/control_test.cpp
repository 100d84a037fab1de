// lianxinctl's actions against the real lianxind and the node-smpp simulator: every action
// command through the control socket (status, invalidate, reassign, close, note, send,
// broadcast, broadcast-status), the errors an operator meets (daemon not running, stale socket,
// wrong input, refused actions), the socket's own limits (malformed JSON, long lines, too many
// connections), and a broadcast to 19,000 members in 749 grids at a configured TPS with exact
// delivered/failed counts from the simulator's delivery receipts.
#include <pwd.h>

#include "tests/integration/control_fixture.hpp"

namespace lianxin::testing {
namespace {

// ---- without a daemon ----

TEST_F(ControlTest, DaemonNotRunningSaysWhichSocketAndWhatToCheck) {
  const fs::path missing = dir_ / "nothing-here.sock";
  ProgramResult result = ctl({"status", "--socket", missing.string()});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_TRUE(contains(result.output, "not running")) << result.output;
  EXPECT_TRUE(contains(result.output, missing.string())) << result.output;
  EXPECT_TRUE(contains(result.output, "systemctl status lianxind")) << result.output;

  // A socket file nobody listens on (a daemon killed with -9 leaves one behind).
  const fs::path stale = dir_ / "stale.sock";
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", stale.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(fd);
  }
  result = ctl({"close", "5", "--reason", "x", "--socket", stale.string()});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_TRUE(contains(result.output, "nothing listens on " + stale.string())) << result.output;

  // The socket path comes from the configuration's control_socket.
  write_file(dir_ / "lianxind.yaml", "control_socket: sub/ctl.sock\n");
  result = ctl({"status"});
  EXPECT_EQ(result.exit_code, 3) << result.output;
  EXPECT_TRUE(contains(result.output, (dir_ / "sub/ctl.sock").string())) << result.output;
}

TEST_F(ControlTest, WrongInputGetsTheUsageLineAndExitTwo) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"close", "12"}, "--reason"},
      {{"close", "--reason", "重复"}, "which ticket"},
      {{"invalidate", "abc", "--reason", "x"}, "not a ticket number"},
      {{"reassign", "12", "--reason", "x"}, "--to"},
      {{"note", "12"}, "note is empty"},
      {{"send", "你好"}, "--to"},
      {{"send", "--to", "13800000001"}, "empty"},
      {{"broadcast", "通知"}, "--grids"},
      {{"broadcast", "--all", "--grids", "g1", "通知"}, "--grids"},
      {{"broadcast", "--all"}, "empty"},
      {{"broadcast", "--all", "--valid", "0", "通知"}, "--valid"},
      {{"broadcast-status"}, "which broadcast"},
      {{"status", "--bogus"}, "unknown or incomplete option"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("--socket");
    args.push_back((dir_ / "unused.sock").string());
    ProgramResult result = ctl(args);
    EXPECT_EQ(result.exit_code, 2) << c.args[0] << ": " << result.output;
    EXPECT_TRUE(contains(result.output, c.says)) << result.output;
    EXPECT_TRUE(contains(result.output, "usage: lianxinctl " + c.args[0])) << result.output;
  }
}

// ---- against a running daemon ----

TEST_F(ControlTest, TicketActionsAreRecordedWithTheOperatorAndTellThePeopleConcerned) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ASSERT_TRUE(fs::is_socket(socket_path()));
  struct stat info {};
  ASSERT_EQ(::stat(socket_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0660u);

  ProgramResult status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "bound to 1/1 SMSC")) << status.output;

  // Someone outside the socket's group (here: nobody, from root via setpriv).
  if (::geteuid() == 0 && fs::exists("/usr/bin/setpriv")) {
    ProgramResult denied =
        run_program({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                     LIANXINCTL_PATH, "status", "--socket", socket_path().string()});
    EXPECT_EQ(denied.exit_code, 4) << denied.output;
    EXPECT_TRUE(contains(denied.output, "permission denied on " + socket_path().string()))
        << denied.output;
  }

  // Ticket A: a note, then reassigned, then closed.
  const std::string villager = "13800000051";  // g-daxi
  auto [a, first_member] = report(villager, "村口路灯坏了，晚上太黑");
  ASSERT_GT(a, 0);
  ASSERT_FALSE(first_member.empty());
  const std::string ticket_a = std::to_string(a);

  ProgramResult note = ctl({"note", ticket_a, "--text", "已电话联系报告人", "--as", "zhangsan"});
  EXPECT_EQ(note.exit_code, 0) << note.output;

  // To another g-daxi member than the one who has it.
  const std::string target = first_member == "13800000002" ? "m-li" : "m-wang";
  const std::string target_phone = target == "m-li" ? "13800000003" : "13800000002";
  ProgramResult reassign = ctl(
      {"reassign", ticket_a, "--to", target, "--reason", "熟悉情况", "--as", "zhangsan", "--json"});
  EXPECT_EQ(reassign.exit_code, 0) << reassign.output;
  auto reply = final_json(reassign.output);
  ASSERT_TRUE(reply) << reassign.output;
  EXPECT_EQ((*reply)["state"], "dispatched");
  EXPECT_EQ((*reply)["assignee"], target);
  EXPECT_TRUE(sms_to(first_member, "已改派他人")) << "the previous member was not told";
  EXPECT_TRUE(sms_to(target_phone, "新工单" + ticket_a + "：")) << "the new member got nothing";

  // Reassigning to someone unknown is refused, and changes nothing.
  ProgramResult unknown_member =
      ctl({"reassign", ticket_a, "--to", "m-nobody", "--reason", "x", "--as", "zhangsan"});
  EXPECT_EQ(unknown_member.exit_code, 1) << unknown_member.output;
  EXPECT_TRUE(contains(unknown_member.output, "no member m-nobody")) << unknown_member.output;

  ProgramResult close = ctl({"close", ticket_a, "--reason", "已现场处理", "--as", "zhangsan"});
  EXPECT_EQ(close.exit_code, 0) << close.output;
  EXPECT_TRUE(contains(close.output, "now closed")) << close.output;
  EXPECT_TRUE(sms_to(villager, "已办结关闭")) << "the reporter was not told";
  EXPECT_TRUE(sms_to(target_phone, "已由平台关闭")) << "the assignee was not told";

  // Stored before the answer: the database already has it all.
  auto stored = ticket(a);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->state, TicketState::closed);
  EXPECT_EQ(stored->assignee, target);
  EXPECT_EQ(stored->close_reason, domain::CloseReason::none);
  // The actor is the user at the other end of the socket; --as is a label beside it.
  const struct passwd* me = ::getpwuid(::getuid());
  ASSERT_NE(me, nullptr);
  const std::string actor = "operator:" + std::string(me->pw_name) + " (as zhangsan)";
  std::vector<std::string> operator_events;
  for (const domain::TicketEvent& event : history(a))
    if (event.actor == actor) operator_events.push_back(event.reason);
  ASSERT_EQ(operator_events.size(), 3u);
  EXPECT_TRUE(contains(operator_events[0], "已电话联系报告人"));
  EXPECT_TRUE(contains(operator_events[1], "reassigned to " + target));
  EXPECT_TRUE(contains(operator_events[2], "已现场处理"));

  // A closed ticket cannot be closed again; an unknown one is said so.
  ProgramResult again = ctl({"close", ticket_a, "--reason", "x"});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_TRUE(contains(again.output, "already closed")) << again.output;
  ProgramResult missing = ctl({"invalidate", "999999", "--reason", "x"});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_TRUE(contains(missing.output, "ticket 999999")) << missing.output;

  // Ticket B: invalidated (filter/verify), operator name from $USER when --as is not given.
  auto [b, b_member] = report("13800000052", "有人在河边乱倒垃圾");
  ASSERT_GT(b, 0);
  ProgramResult invalidate = ctl({"invalidate", std::to_string(b), "--reason", "重复报告"});
  EXPECT_EQ(invalidate.exit_code, 0) << invalidate.output;
  EXPECT_EQ(ticket(b)->state, TicketState::invalid);
  EXPECT_TRUE(sms_to("13800000052", "无需处理")) << "the reporter was not told";
  bool has_operator = false;
  for (const domain::TicketEvent& event : history(b))
    has_operator = has_operator ||
                   (event.actor.rfind("operator:", 0) == 0 && event.to == TicketState::invalid);
  EXPECT_TRUE(has_operator);
}

TEST_F(ControlTest, SendOneSmsAndBroadcastToAGridSkippingWhoOptedOut) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  ProgramResult send = ctl({"send", "--to", "13800000055", "明天上午村委会发放补贴"});
  EXPECT_EQ(send.exit_code, 0) << send.output;
  EXPECT_TRUE(contains(send.output, "138****0055")) << send.output;
  auto text = sms_to("13800000055", "发放补贴");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->rfind(kSignature, 0), 0u) << *text;
  ProgramResult bad_number = ctl({"send", "--to", "12", "x"});
  EXPECT_EQ(bad_number.exit_code, 1) << bad_number.output;

  // m-wang (g-daxi) opts out by SMS; g-daxi has m-chen, m-wang, m-li, m-xu.
  ASSERT_TRUE(deliver("13800000002", "退订"));
  ASSERT_TRUE(sms_to("13800000002", "退订"));
  ProgramResult broadcast =
      ctl({"broadcast", "--grids", "g-daxi", "--json", "今晚八点党员大会，请准时参加"});
  EXPECT_EQ(broadcast.exit_code, 0) << broadcast.output;
  auto reply = final_json(broadcast.output);
  ASSERT_TRUE(reply) << broadcast.output;
  EXPECT_EQ((*reply)["total"], 3);
  EXPECT_EQ((*reply)["delivered"], 3);
  EXPECT_EQ((*reply)["failed"], 0);
  EXPECT_EQ((*reply)["pending"], 0);
  EXPECT_EQ((*reply)["done"], true);
  EXPECT_TRUE(contains(broadcast.output, "\"progress\"") || contains(broadcast.output, "\"id\""));
  for (const char* phone : {"13800000001", "13800000003", "13800000015"})
    EXPECT_TRUE(sms_to(phone, "党员大会")) << phone;
  EXPECT_FALSE(sms_to("13800000002", "党员大会", 300ms)) << "sent to a member who opted out";

  const std::string id = std::to_string((*reply)["id"].get<long long>());
  ProgramResult status = ctl({"broadcast-status", id});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, "3 SMS, 3 delivered, 0 failed, 0 pending")) << status.output;
  EXPECT_TRUE(contains(status.output, "(1 opted out)")) << status.output;
  ProgramResult unknown_grid = ctl({"broadcast", "--grids", "g-nowhere", "x"});
  EXPECT_EQ(unknown_grid.exit_code, 1) << unknown_grid.output;
  EXPECT_TRUE(contains(unknown_grid.output, "no grid \"g-nowhere\"")) << unknown_grid.output;
  ProgramResult no_such = ctl({"broadcast-status", "99"});
  EXPECT_EQ(no_such.exit_code, 1) << no_such.output;
}

// A broadcast is never sent twice by accident: the same notice to the same members is refused
// unless --again; and an operator who loses lianxind while waiting is told the broadcast goes on.
TEST_F(ControlTest, TheSameBroadcastTwiceNeedsAgainAndALostWaitSaysHowToFollow) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  const std::string notice = "明早八点防汛检查";
  ProgramResult first = ctl({"broadcast", "--grids", "g-shitang", notice});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ProgramResult repeat = ctl({"broadcast", "--grids", "g-shitang", notice});
  EXPECT_EQ(repeat.exit_code, 1) << repeat.output;
  EXPECT_TRUE(contains(repeat.output, "the same notice went to the same members")) << repeat.output;
  EXPECT_TRUE(contains(repeat.output, "--again")) << repeat.output;
  ProgramResult other_grid = ctl({"broadcast", "--grids", "g-daxi", "--no-wait", notice});
  EXPECT_EQ(other_grid.exit_code, 0) << other_grid.output;  // another audience: fine
  ProgramResult again = ctl({"broadcast", "--grids", "g-shitang", "--again", "--no-wait", notice});
  EXPECT_EQ(again.exit_code, 0) << again.output;

  // No receipts come: lianxinctl waits for them, and lianxind is killed meanwhile.
  sim_->command(Json::object({{"cmd", "set"}, {"dlr", false}}));
  auto waiting = std::async(std::launch::async, [&] {
    return ctl({"broadcast", "--all", "今晚停电检修，请提前准备"}, 60s);
  });
  ASSERT_TRUE(sms_to("13800000001", "停电检修", 10s));
  daemon_->signal(SIGKILL);
  ASSERT_TRUE(daemon_->wait_exit(5s));
  ProgramResult lost = waiting.get();
  EXPECT_EQ(lost.exit_code, 5) << lost.output;
  EXPECT_TRUE(contains(lost.output, "lianxinctl broadcast-status")) << lost.output;
  EXPECT_TRUE(contains(lost.output, "do not send it again")) << lost.output;
}

TEST_F(ControlTest, OrdersAndMeetingsThroughTheSocket) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  // 网格点单 on behalf of grid member m-wang for resident 13800000051; the team leader m-huang
  // (13800000013) gets the dispatch (平台派单), the resident the confirmation.
  ProgramResult order = ctl({"order", "--team", "volunteers", "--by", "m-wang", "--for",
                             "13800000051", "--json", "王大妈家水管爆了"});
  EXPECT_EQ(order.exit_code, 0) << order.output;
  auto reply = final_json(order.output);
  ASSERT_TRUE(reply) << order.output;
  ASSERT_TRUE(reply->contains("ticket")) << reply->dump();
  const TicketNo number = (*reply)["ticket"].get<TicketNo>();
  auto stored = ticket(number);
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->kind, domain::TicketKind::order);
  EXPECT_EQ(stored->reporter, "+8613800000051");
  EXPECT_TRUE(sms_to("13800000051", std::to_string(number))) << "resident not told";
  ProgramResult bad_team = ctl({"order", "--team", "nope", "--by", "m-wang", "x"});
  EXPECT_EQ(bad_team.exit_code, 1) << bad_team.output;

  // A meeting for g-daxi now; m-chen signs in by SMS; attendance lists who is missing.
  const auto now = std::chrono::system_clock::now();
  auto local = [](std::chrono::system_clock::time_point at) {
    const std::time_t t = std::chrono::system_clock::to_time_t(at + std::chrono::hours(8));
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M", &tm);
    return std::string(text);
  };
  ProgramResult create = ctl({"meeting", "create", "M12", "--title", "党员大会", "--from",
                              local(now - 10min), "--to", local(now + 2h), "--grids", "g-daxi"});
  EXPECT_EQ(create.exit_code, 0) << create.output;
  EXPECT_TRUE(contains(create.output, "meeting M12 created")) << create.output;
  ProgramResult duplicate = ctl(
      {"meeting", "create", "M12", "--title", "x", "--from", local(now), "--to", local(now + 1h)});
  EXPECT_EQ(duplicate.exit_code, 1) << duplicate.output;
  ProgramResult bad_time =
      ctl({"meeting", "create", "M13", "--title", "x", "--from", "tomorrow", "--to", "later"});
  EXPECT_EQ(bad_time.exit_code, 1) << bad_time.output;
  EXPECT_TRUE(contains(bad_time.output, "YYYY-MM-DD HH:MM")) << bad_time.output;

  ASSERT_TRUE(deliver("13800000001", "签到 M12"));
  ASSERT_TRUE(sms_to("13800000001", "签到成功"));
  ProgramResult attendance = ctl({"meeting", "attendance", "m12"});
  EXPECT_EQ(attendance.exit_code, 0) << attendance.output;
  EXPECT_TRUE(contains(attendance.output, "1 of 4 signed in")) << attendance.output;
  EXPECT_TRUE(contains(attendance.output, "present  陈国华 (m-chen)")) << attendance.output;
  EXPECT_TRUE(contains(attendance.output, "missing  王建国 (m-wang)")) << attendance.output;
  ProgramResult unknown = ctl({"meeting", "attendance", "M99"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
}

// The read side (reports straight from the database) while lianxind runs and writes it.
TEST_F(ControlTest, ReportsReadTheDatabaseWhileTheDaemonWritesIt) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  // Ticket A: accepted, resolved, rated 5. Ticket B: left dispatched.
  auto [a, a_member] = report("13800000051", "村口路灯坏了，晚上太黑");
  ASSERT_GT(a, 0);
  const std::string ticket_a = std::to_string(a);
  ASSERT_TRUE(deliver(a_member, "接 " + ticket_a));
  ASSERT_TRUE(sms_to(a_member, "已接单" + ticket_a));
  ASSERT_TRUE(deliver(a_member, "完成 " + ticket_a + " 换了新灯泡"));
  ASSERT_TRUE(sms_to("13800000051", "回复5表示满意"));
  ASSERT_TRUE(deliver("13800000051", "5"));
  ASSERT_TRUE(sms_to(a_member, "评价5分"));
  auto [b, b_member] = report("13800000052", "有人在河边乱倒垃圾");
  ASSERT_GT(b, 0);

  ProgramResult tickets = ctl({"tickets", "--json"});
  ASSERT_EQ(tickets.exit_code, 0) << tickets.output;
  const NJson list = NJson::parse(tickets.output, nullptr, false);
  ASSERT_TRUE(list.is_array()) << tickets.output;
  ASSERT_EQ(list.size(), 2u) << tickets.output;

  ProgramResult open_only = ctl({"tickets", "--state", "dispatched", "--csv"});
  ASSERT_EQ(open_only.exit_code, 0) << open_only.output;
  EXPECT_EQ(std::count(open_only.output.begin(), open_only.output.end(), '\n'), 2)
      << open_only.output;  // the header and ticket B
  EXPECT_TRUE(contains(open_only.output, std::to_string(b))) << open_only.output;

  ProgramResult history = ctl({"ticket", ticket_a});
  ASSERT_EQ(history.exit_code, 0) << history.output;
  EXPECT_TRUE(contains(history.output, "accepted → resolved")) << history.output;
  EXPECT_TRUE(contains(history.output, "resolved → closed")) << history.output;

  ProgramResult stats = ctl({"stats", "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.output;
  const NJson figures = NJson::parse(stats.output, nullptr, false);
  ASSERT_TRUE(figures.is_object()) << stats.output;
  EXPECT_EQ(figures["total"]["received"], 2) << stats.output;
  EXPECT_EQ(figures["total"]["handled"], 1) << stats.output;
  EXPECT_TRUE(contains(figures["total"].dump(), "\"satisfaction\"")) << stats.output;

  ProgramResult points = ctl({"points", "--json"});
  ASSERT_EQ(points.exit_code, 0) << points.output;
  const NJson totals = NJson::parse(points.output, nullptr, false);
  ASSERT_TRUE(totals.is_object()) << points.output;
  long long earned = 0;
  for (const NJson& row : totals["rows"]) earned += row["points"].get<long long>();
  EXPECT_GT(earned, 0) << points.output;

  ProgramResult members = ctl({"directory", "list", "members", "--json"});
  ASSERT_EQ(members.exit_code, 0) << members.output;
  EXPECT_TRUE(contains(members.output, "m-wang")) << members.output;
  ProgramResult check = ctl({"directory", "check"});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(ControlTest, TheSocketSurvivesGarbageAndKeepsItsLimits) {
  ASSERT_NO_FATAL_FAILURE(start_demo_daemon());
  {
    RawClient client(socket_path());
    ASSERT_TRUE(client.connected());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"{not json", "malformed JSON"},
        {"[1,2,3]", "JSON object"},
        {"{\"cmd\":42}", "\"cmd\""},
        {"{}", "\"cmd\""},
        {std::string(50, '[') + std::string(50, ']'), "nested"},
        {"{\"cmd\":\"launch\"}", "unknown command"},
        {"{\"cmd\":\"close\",\"ticket\":\"x\",\"reason\":\"r\"}", "integer"},
        {"{\"cmd\":\"close\",\"ticket\":1}", "missing \"reason\""},
        {"{\"cmd\":\"note\",\"ticket\":1,\"text\":\"x\",\"operator\":\"a b\"}", "operator"},
    };
    for (const auto& [request, says] : cases) {
      client.send(request + "\n");
      auto reply = client.reply();
      ASSERT_TRUE(reply) << request;
      EXPECT_EQ((*reply)["ok"], false) << request;
      EXPECT_TRUE(contains((*reply).value("error", ""), says)) << request << " → " << reply->dump();
    }
    // Two requests in one write are answered in order.
    client.send("{\"cmd\":\"status\"}\n{\"cmd\":\"nope\"}\n");
    EXPECT_EQ((*client.reply())["ok"], true);
    EXPECT_EQ((*client.reply())["ok"], false);
  }
  {
    // A line longer than 64 KiB: an error, and the connection is closed.
    RawClient client(socket_path());
    client.send(std::string(70 * 1024, 'x'));
    auto reply = client.reply();
    ASSERT_TRUE(reply);
    EXPECT_TRUE(contains((*reply).value("error", ""), "too long")) << reply->dump();
    EXPECT_TRUE(client.closed_by_peer());
  }
  {
    // 16 idle connections at once: a 17th operator still gets in; the longest idle one makes
    // room.
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 16; ++i) {
      clients.push_back(std::make_unique<RawClient>(socket_path()));
      clients.back()->send("{\"cmd\":\"status\"}\n");
      ASSERT_TRUE(clients.back()->reply()) << i;
    }
    RawClient extra(socket_path());
    extra.send("{\"cmd\":\"status\"}\n");
    auto reply = extra.reply();
    ASSERT_TRUE(reply);
    EXPECT_EQ((*reply)["ok"], true) << reply->dump();
    auto closed = clients.front()->reply();
    ASSERT_TRUE(closed);
    EXPECT_TRUE(contains((*closed).value("error", ""), "make room")) << closed->dump();
  }
  // Still serving.
  ProgramResult status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;

  // kill -9 leaves the socket file behind: the next start replaces it.
  daemon_->signal(SIGKILL);
  daemon_->wait_exit(5s);
  ASSERT_TRUE(fs::exists(socket_path()));
  EXPECT_EQ(ctl({"status"}).exit_code, 3);
  ASSERT_NO_FATAL_FAILURE(restart());
  status = ctl({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.output;
  // A clean stop removes it.
  daemon_->signal(SIGTERM);
  EXPECT_EQ(daemon_->wait_exit(15s), 0);
  EXPECT_FALSE(fs::exists(socket_path()));
}

// ---- the county-wide broadcast ----

TEST_F(ControlTest, BroadcastTo19000MembersIn749GridsAtTheConfiguredTps) {
  constexpr std::size_t kGrids = 749, kMembers = 19'000, kDesks = 6;
  constexpr double kTps = 1000;
  constexpr int kRefused = 100;  // the SMSC refuses this many submits for good
  constexpr int kOptedOut = 10;
  SiteShape shape;
  shape.grids = kGrids;
  shape.members = kMembers;
  shape.residents = 100;
  write_site_directory(dir_.path(), shape);
  SiteConfig config;
  config.smsc_port = sim_->port();
  config.synchronous_full = false;
  config.tps = kTps;
  config.window = 20;
  config.control_socket = "control.sock";
  write_site_config(dir_.path(), config);
  ASSERT_NO_FATAL_FAILURE(restart());

  for (int i = 0; i < kOptedOut; ++i) ASSERT_TRUE(deliver(member_number(i * 7), "TD"));
  for (int i = 0; i < kOptedOut; ++i) ASSERT_TRUE(sms_to(member_number(i * 7), "退订", 10s)) << i;
  sim_->command(Json::object({{"cmd", "set"}, {"permanent_error_next", kRefused}}));

  const std::size_t expected = kMembers + kDesks - kOptedOut;
  const auto started = std::chrono::steady_clock::now();
  ProgramResult broadcast = ctl_draining({"broadcast", "--all", "--json", "--as", "county",
                                          "防汛通知：今晚有暴雨，请各网格做好巡查。"},
                                         120s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(broadcast.exit_code, 0) << tail(broadcast.output, 2000);
  auto reply = final_json(broadcast.output);
  ASSERT_TRUE(reply) << tail(broadcast.output, 2000);
  EXPECT_EQ((*reply)["total"], expected);
  EXPECT_EQ((*reply)["delivered"], expected - kRefused);
  EXPECT_EQ((*reply)["failed"], kRefused);
  EXPECT_EQ((*reply)["pending"], 0);
  EXPECT_EQ((*reply)["done"], true);
  // Progress lines came while it ran.
  std::size_t progress_lines = 0;
  for (std::size_t at = 0; (at = broadcast.output.find("\"progress\"", at)) != std::string::npos;
       ++at)
    ++progress_lines;
  EXPECT_GE(progress_lines, 10u);
  const double ideal = static_cast<double>(expected) / kTps;
  std::cerr << "broadcast: " << expected << " SMS at " << kTps << " TPS in " << seconds
            << " s (ideal " << ideal << " s)\n";
  RecordProperty("broadcast_seconds", std::to_string(seconds));
  // Never faster than the TPS allows; "about count/TPS" with room for a machine shared with
  // compilers (measured: 19-21 s idle, up to ~40 s with two cores saturated by other builds).
  EXPECT_GE(seconds, ideal * 0.9);
#ifndef __SANITIZE_ADDRESS__  // ASan builds run at about 400/s here: counts checked, not time
  EXPECT_LE(seconds, ideal * 2 + 10);
#endif

  // The simulator saw each accepted SMS exactly once, from the service number.
  const auto messages = sim_->events("message");
  std::size_t notices = 0;
  for (const Json& message : messages)
    if (contains(message["text"].str(), "防汛通知")) ++notices;
  EXPECT_EQ(notices, expected - kRefused);
  // The rate the SMSC saw: first to last submit of the notice.
  double first_ms = -1, last_ms = -1;
  for (const Json& submit : sim_->events("submit_sm")) {
    if (!contains(submit["text"].str(), "防汛通知")) continue;
    const double t = submit["t"].number();
    if (first_ms < 0) first_ms = t;
    last_ms = t;
  }
  const double send_seconds = (last_ms - first_ms) / 1000.0;
  std::cerr << "broadcast: the SMSC saw submits over " << send_seconds << " s ("
            << static_cast<double>(expected) / send_seconds << " per second)\n";
  EXPECT_LE(static_cast<double>(expected) / send_seconds, kTps * 1.05) << "faster than the TPS";

  ProgramResult status =
      ctl_draining({"broadcast-status", std::to_string((*reply)["id"].get<long long>())}, 30s);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_TRUE(contains(status.output, std::to_string(expected) + " SMS, " +
                                          std::to_string(expected - kRefused) + " delivered, " +
                                          std::to_string(kRefused) + " failed, 0 pending"))
      << status.output;
  EXPECT_TRUE(contains(status.output, "(" + std::to_string(kOptedOut) + " opted out)"))
      << status.output;
}

}  // namespace
}  // namespace lianxin::testing
