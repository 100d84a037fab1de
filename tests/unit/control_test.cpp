// The control socket: its line protocol (framing, limits, request parsing), the server on a
// real Unix socket in-process (stale files, a second server, async answers, limits), and
// lianxinctl's parsing of action command lines.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "daemon/app/control.hpp"
#include "daemon/app/control_protocol.hpp"
#include "daemon/ctl/actions.hpp"

namespace lianxin {
namespace {

using control::Json;
using control::LineBuffer;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---- framing ----

TEST(ControlLines, SplitsAcrossChunksAndDropsCr) {
  LineBuffer lines(100);
  lines.append("{\"cmd\":");
  EXPECT_FALSE(lines.next());
  lines.append("\"status\"}\r\n{\"cmd\":\"x\"}\n{\"par");
  EXPECT_EQ(lines.next(), "{\"cmd\":\"status\"}");
  EXPECT_EQ(lines.next(), "{\"cmd\":\"x\"}");
  EXPECT_FALSE(lines.next());
  lines.append("tial\":1}\n");
  EXPECT_EQ(lines.next(), "{\"partial\":1}");
  EXPECT_EQ(lines.pending(), 0u);
  EXPECT_FALSE(lines.overflow());
}

TEST(ControlLines, ALineOverTheLimitFailsForGood) {
  LineBuffer lines(10);
  lines.append("0123456789");  // exactly the limit, no end yet: fine
  EXPECT_FALSE(lines.overflow());
  lines.append("A");
  EXPECT_TRUE(lines.overflow());
  lines.append("\n");
  EXPECT_FALSE(lines.next());

  LineBuffer with_end(10);
  with_end.append("0123456789ABC\nok\n");  // complete, but too long
  EXPECT_FALSE(with_end.next());
  EXPECT_TRUE(with_end.overflow());
}

// ---- requests ----

TEST(ControlRequests, TableOfLines) {
  struct Case {
    std::string line;
    std::string cmd;    // expected command, or empty
    std::string error;  // expected error substring, or empty
  };
  const std::vector<Case> cases = {
      {R"({"cmd":"status"})", "status", ""},
      {R"(  {"cmd":"close","ticket":12,"reason":"重复"}  )", "close", ""},
      {"", "", "empty"},
      {"   ", "", "empty"},
      {"{", "", "malformed"},
      {"{\"cmd\":\"status\"", "", "malformed"},
      {"null", "", "JSON object"},
      {"\"status\"", "", "JSON object"},
      {"[{\"cmd\":\"status\"}]", "", "JSON object"},
      {"{\"cmd\":1}", "", "\"cmd\""},
      {"{\"cmd\":\"\"}", "", "\"cmd\""},
      {"{\"Cmd\":\"status\"}", "", "\"cmd\""},
      {std::string(9, '[') + std::string(9, ']'), "", "nested"},
      {"{\"cmd\":\"s\",\"a\":" + std::string(8, '[') + std::string(8, ']') + "}", "", "nested"},
      {"{\"cmd\":\"s\",\"text\":\"[[[[[[[[[[[[\"}", "s", ""},  // brackets in strings don't count
      {"{\"cmd\":\"s\",\"text\":\"\\\"[[[[[[[[[[\"}", "s", ""},
      {"{\"cmd\":\"bad utf8 \xff\"}", "", "malformed"},
  };
  for (const Case& c : cases) {
    control::ParsedRequest parsed = control::parse_request(c.line);
    if (c.cmd.empty()) {
      EXPECT_FALSE(parsed.request) << c.line;
      EXPECT_NE(parsed.error.find(c.error), std::string::npos) << c.line << " → " << parsed.error;
    } else {
      ASSERT_TRUE(parsed.request) << c.line << " → " << parsed.error;
      EXPECT_EQ(parsed.request->cmd, c.cmd);
    }
  }
}

TEST(ControlRequests, DepthCounting) {
  EXPECT_EQ(control::json_depth("{}"), 1);
  EXPECT_EQ(control::json_depth("{\"a\":[1,{\"b\":[]}]}"), 4);
  EXPECT_EQ(control::json_depth("{\"a\":\"}}}}\"}"), 1);
  EXPECT_EQ(control::json_depth("]["), -1);
  EXPECT_EQ(control::json_depth("{"), -1);
}

TEST(ControlRequests, FieldsAreTypedAndBounded) {
  Json body = Json::parse(
      R"({"ticket":12,"big":18446744073709551615,"neg":-1,"reason":"重复","blank":"  ",
          "list":["g1","g2"],"badlist":["g1",2],"flag":true,"notflag":"yes"})");
  {
    control::Fields f(body);
    EXPECT_EQ(f.integer("ticket", true, 1, 100), 12);
    EXPECT_EQ(f.string("reason", true, 100), "重复");
    EXPECT_EQ(f.strings("list", 5), (std::vector<std::string>{"g1", "g2"}));
    EXPECT_TRUE(f.boolean("flag"));
    EXPECT_FALSE(f.boolean("absent"));
    EXPECT_FALSE(f.string("absent", false, 10));
    EXPECT_TRUE(f.ok()) << f.error();
  }
  struct Bad {
    std::function<void(control::Fields&)> use;
    std::string error;
  };
  const std::vector<Bad> bad = {
      {[](control::Fields& f) { f.integer("missing", true, 1, 9); }, "missing \"missing\""},
      {[](control::Fields& f) { f.integer("reason", true, 1, 9); }, "must be an integer"},
      {[](control::Fields& f) { f.integer("big", true, 1, INT64_MAX - 1); }, "between"},
      {[](control::Fields& f) { f.integer("neg", true, 1, 9); }, "between"},
      {[](control::Fields& f) { f.string("ticket", true, 9); }, "must be a string"},
      {[](control::Fields& f) { f.string("blank", true, 9); }, "is empty"},
      {[](control::Fields& f) { f.string("reason", true, 3); }, "longer than 3 bytes"},
      {[](control::Fields& f) { f.strings("list", 1); }, "at most 1"},
      {[](control::Fields& f) { f.strings("badlist", 5); }, "non-empty strings"},
      {[](control::Fields& f) { f.boolean("notflag"); }, "true or false"},
  };
  for (const Bad& b : bad) {
    control::Fields f(body);
    b.use(f);
    EXPECT_FALSE(f.ok()) << b.error;
    EXPECT_NE(f.error().find(b.error), std::string::npos) << f.error();
  }
}

TEST(ControlRequests, RepliesAreOneLineEvenWithNewlinesOrBadUtf8) {
  const std::string line = control::to_line(control::error_reply("a\nb \xff"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  Json parsed = Json::parse(line);
  EXPECT_EQ(parsed["ok"], false);
  EXPECT_EQ(control::to_line(control::ok_reply(Json{{"id", 3}})), "{\"id\":3,\"ok\":true}\n");
}

// ---- the server, in-process ----

class Client {
 public:
  explicit Client(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(const std::string& text) { (void)!::write(fd_, text.data(), text.size()); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ControlServerTest : public ::testing::Test {
 protected:
  ControlServerTest() {
    char pattern[] = "/tmp/lianxin-control-XXXXXX";
    dir_ = ::mkdtemp(pattern);
    path_ = dir_ / "control.sock";
  }
  ~ControlServerTest() override { fs::remove_all(dir_); }

  std::unique_ptr<app::ControlServer> make_server(std::size_t max_connections = 4) {
    app::ControlOptions options{path_, max_connections, 256};
    return std::make_unique<app::ControlServer>(
        io_, journal_, options,
        [this](const control::Request& request, std::shared_ptr<app::ControlReply> reply) {
          if (request.cmd == "later") {
            // Answered from a timer, with progress first (as a broadcast does).
            later_.push_back(reply);
            reply->progress(Json{{"step", 1}});
            return;
          }
          if (request.cmd == "drop") return;  // no answer at all
          reply->finish(control::ok_reply(Json{{"echo", request.cmd}}));
        });
  }

  // Reads lines from `fd` while running the io_context, until `count` lines or a timeout.
  std::vector<std::string> read_lines(int fd, std::size_t count) {
    std::vector<std::string> lines;
    std::string buffer;
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (lines.size() < count && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(5ms);
      char chunk[1024];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, MSG_DONTWAIT);
      if (n == 0) break;
      if (n > 0) buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t end;
      while ((end = buffer.find('\n')) != std::string::npos) {
        lines.push_back(buffer.substr(0, end));
        buffer.erase(0, end + 1);
      }
    }
    return lines;
  }

  fs::path dir_, path_;
  boost::asio::io_context io_;
  app::Journal journal_{LogLevel::error};
  std::vector<std::shared_ptr<app::ControlReply>> later_;
};

TEST_F(ControlServerTest, AnswersInOrderWithMode0660AndRemovesTheFileAtStop) {
  auto server = make_server();
  std::string error;
  ASSERT_TRUE(server->start(error)) << error;
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_TRUE(S_ISSOCK(info.st_mode));
  EXPECT_EQ(info.st_mode & 0777, 0660u);

  Client client(path_);
  ASSERT_TRUE(client.connected());
  client.send("{\"cmd\":\"a\"}\n{bad\n{\"cmd\":\"b\"}\n");
  auto lines = read_lines(client.fd(), 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(Json::parse(lines[0])["echo"], "a");
  EXPECT_EQ(Json::parse(lines[1])["ok"], false);
  EXPECT_EQ(Json::parse(lines[2])["echo"], "b");

  // An answer given later, after progress; the next request waits for it.
  client.send("{\"cmd\":\"later\"}\n{\"cmd\":\"c\"}\n");
  lines = read_lines(client.fd(), 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(Json::parse(lines[0])["progress"]["step"], 1);
  ASSERT_EQ(later_.size(), 1u);
  EXPECT_TRUE(read_lines(client.fd(), 1).empty());  // "c" is not answered before "later"
  later_[0]->finish(control::ok_reply(Json{{"done", true}}));
  lines = read_lines(client.fd(), 2);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Json::parse(lines[0])["done"], true);
  EXPECT_EQ(Json::parse(lines[1])["echo"], "c");

  // A handler that drops its reply: the client still gets an answer.
  client.send("{\"cmd\":\"drop\"}\n");
  lines = read_lines(client.fd(), 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("gave no answer"), std::string::npos) << lines[0];

  server->stop();
  EXPECT_FALSE(fs::exists(path_));
}

TEST_F(ControlServerTest, StaleFileIsReplacedLiveServerAndOtherFilesAreNot) {
  {
    // A stale socket file (nobody listens).
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path_.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    ::close(fd);
  }
  auto first = make_server();
  std::string error;
  ASSERT_TRUE(first->start(error)) << error;

  auto second = make_server();
  EXPECT_FALSE(second->start(error));
  EXPECT_NE(error.find("another process answers"), std::string::npos) << error;
  second.reset();
  EXPECT_TRUE(fs::exists(path_)) << "the second server removed the first one's socket";
  Client still(path_);
  EXPECT_TRUE(still.connected());
  first.reset();

  const fs::path regular = dir_ / "file";
  std::ofstream(regular) << "x";
  app::ControlServer third(io_, journal_, app::ControlOptions{regular}, {});
  EXPECT_FALSE(third.start(error));
  EXPECT_NE(error.find("not a socket"), std::string::npos) << error;
  EXPECT_TRUE(fs::exists(regular));

  app::ControlServer nowhere(io_, journal_, app::ControlOptions{dir_ / "missing" / "c.sock"}, {});
  EXPECT_FALSE(nowhere.start(error));
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
}

TEST_F(ControlServerTest, LongLinesAreRefusedAndAFullSocketStillLetsAnOperatorIn) {
  auto server = make_server(2);
  std::string error;
  ASSERT_TRUE(server->start(error)) << error;
  {
    Client client(path_);
    client.send(std::string(300, 'x'));  // limit 256 in this test
    auto lines = read_lines(client.fd(), 2);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(lines[0].find("too long"), std::string::npos);
  }
  io_.run_for(20ms);
  // Two forgotten sessions fill the socket; a third operator still gets in: the one idle for
  // longest makes room.
  Client a(path_);
  io_.run_for(20ms);
  Client b(path_);
  io_.run_for(20ms);
  Client c(path_);
  auto closed = read_lines(a.fd(), 1);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_NE(closed[0].find("make room"), std::string::npos) << closed[0];
  c.send("{\"cmd\":\"x\"}\n");
  EXPECT_EQ(read_lines(c.fd(), 1).size(), 1u);
  // When every connection is busy (a broadcast being followed), a new one is refused.
  b.send("{\"cmd\":\"later\"}\n");
  c.send("{\"cmd\":\"later\"}\n");
  ASSERT_EQ(read_lines(b.fd(), 1).size(), 1u);  // progress
  ASSERT_EQ(read_lines(c.fd(), 1).size(), 1u);
  Client d(path_);
  auto refused = read_lines(d.fd(), 1);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find("all busy"), std::string::npos) << refused[0];
}

TEST_F(ControlServerTest, AnIdleConnectionIsClosed) {
  app::ControlOptions options{path_, 4, 256, std::chrono::milliseconds(100)};
  app::ControlServer server(io_, journal_, options,
                            [](const control::Request&, std::shared_ptr<app::ControlReply> reply) {
                              reply->finish(control::ok_reply(Json{}));
                            });
  std::string error;
  ASSERT_TRUE(server.start(error)) << error;
  Client idle(path_);
  auto lines = read_lines(idle.fd(), 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("without a request"), std::string::npos) << lines[0];
  io_.run_for(20ms);
  EXPECT_EQ(server.connections(), 0u);
}

TEST_F(ControlServerTest, ThePeersLoginIsKnown) {
  std::string login;
  auto server = std::make_unique<app::ControlServer>(
      io_, journal_, app::ControlOptions{path_, 4, 256},
      [&login](const control::Request&, std::shared_ptr<app::ControlReply> reply) {
        login = reply->peer().login;
        reply->finish(control::ok_reply(Json{}));
      });
  std::string error;
  ASSERT_TRUE(server->start(error)) << error;
  Client client(path_);
  client.send("{\"cmd\":\"who\"}\n");
  ASSERT_EQ(read_lines(client.fd(), 1).size(), 1u);
  const struct passwd* me = ::getpwuid(::getuid());
  ASSERT_NE(me, nullptr);
  EXPECT_EQ(login, me->pw_name);
}

// ---- lianxinctl's command lines ----

TEST(CtlActions, ParsesEveryCommand) {
  const std::map<std::string, std::string> env{{"USER", "alice"}};
  struct Case {
    std::string command;
    std::vector<std::string_view> args;
    std::string request;  // expected JSON (operator included)
  };
  const std::vector<Case> cases = {
      {"status", {}, R"({"cmd":"status","operator":"alice"})"},
      {"close",
       {"12", "--reason", "已处理"},
       R"({"cmd":"close","operator":"alice","reason":"已处理","ticket":12})"},
      {"invalidate",
       {"--reason", "重复", "7", "--as", "bob"},
       R"({"cmd":"invalidate","operator":"bob","reason":"重复","ticket":7})"},
      {"reassign",
       {"3", "--to", "m-li", "--reason", "x"},
       R"({"cmd":"reassign","operator":"alice","reason":"x","ticket":3,"to":"m-li"})"},
      {"note",
       {"3", "已", "联系"},
       R"({"cmd":"note","operator":"alice","text":"已 联系","ticket":3})"},
      {"send",
       {"--to", "13800000001", "明天", "停水"},
       R"({"cmd":"send","operator":"alice","text":"明天 停水","to":"13800000001"})"},
      {"broadcast",
       {"--grids", "g1, g2,", "通知"},
       R"({"cmd":"broadcast","grids":["g1","g2"],"operator":"alice","text":"通知","wait":true})"},
      {"broadcast",
       {"--all", "--no-wait", "--valid", "12", "--", "--通知"},
       R"({"all":true,"cmd":"broadcast","operator":"alice","text":"--通知","valid_hours":12,"wait":false})"},
      {"broadcast-status", {"5"}, R"({"cmd":"broadcast-status","id":5,"operator":"alice"})"},
      {"order",
       {"--team", "volunteers", "--by", "m-wang", "水管爆了"},
       R"({"by":"m-wang","cmd":"order","operator":"alice","team":"volunteers","text":"水管爆了"})"},
      {"meeting",
       {"create", "M12", "--title", "大会", "--from", "2026-12-01 19:00", "--to",
        "2026-12-01 21:00", "--grids", "g1"},
       R"({"cmd":"meeting-create","code":"M12","from":"2026-12-01 19:00","grids":["g1"],"operator":"alice","title":"大会","to":"2026-12-01 21:00"})"},
      {"meeting",
       {"attendance", "M12"},
       R"({"cmd":"meeting-attendance","code":"M12","operator":"alice"})"},
  };
  for (const Case& c : cases) {
    ctl::ActionCall call = ctl::parse_action(c.command, c.args, env, "/etc/x.yaml");
    EXPECT_TRUE(call.error.empty()) << c.command << ": " << call.error;
    EXPECT_EQ(call.request.dump(), c.request) << c.command;
  }
  // SUDO_USER wins over USER; --socket and --config are kept.
  ctl::ActionCall call =
      ctl::parse_action("status", {"--socket", "/run/x.sock", "--config", "/c.yaml", "--json"},
                        {{"USER", "root"}, {"SUDO_USER", "carol"}}, "/etc/x.yaml");
  EXPECT_EQ(call.request["operator"], "carol");
  EXPECT_EQ(call.socket, "/run/x.sock");
  EXPECT_EQ(call.config_path, "/c.yaml");
  EXPECT_TRUE(call.json);
}

TEST(CtlActions, ExchangeReportsWhyItCannotConnect) {
  ctl::Exchange missing = ctl::exchange("/nonexistent/dir/c.sock", Json{{"cmd", "status"}}, {}, 1s);
  EXPECT_EQ(missing.exit_code, ctl::kExitNotRunning);
  EXPECT_NE(missing.error.find("/nonexistent/dir/c.sock"), std::string::npos);
  EXPECT_NE(missing.error.find("systemctl status lianxind"), std::string::npos);
  ctl::Exchange bad = ctl::exchange(std::string(200, 'x'), Json{{"cmd", "status"}}, {}, 1s);
  EXPECT_EQ(bad.exit_code, ctl::kExitUsage);
}

}  // namespace
}  // namespace lianxin
