// libFuzzer target for the ticket engine (daemon/domain/engine.hpp) driven by arbitrary
// sequences of events: SMS from villagers and members (commands, reports, ratings, replies, and
// raw bytes), the clock moving, the timers it asked for firing (early, late, twice), operator
// actions on any ticket number, reloads. After every step: its indexes match a recount, every
// SMS carries the signature, every villager's SMS fits one message, and no villager's number
// appears unmasked in another person's SMS or in a log line. A second engine gets the same
// steps but holds no tickets: it reads them from a repository that stores its Effects, as
// lianxind's does from the store; both must answer alike.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/fuzz/property.hpp"
#include "tests/unit/domain_fixture.hpp"
#include "tests/unit/keyword_model.hpp"
#include "tests/unit/stored_tickets.hpp"

namespace {

using namespace lianxin::domain;

using lianxin::fuzz::require;

const char* const kPhones[] = {
    testing::kZhangPhone, testing::kLiNainaiPhone, testing::kStrangerPhone,
    testing::kWangPhone,  testing::kLiPhone,       testing::kDaxiLeaderPhone,
    testing::kSunPhone,   testing::kDeskPhone,     testing::kVolunteerLeaderPhone};
const char* const kTexts[] = {"接",
                              "接1",
                              "完成1 好了",
                              "退1 不在村",
                              "我的",
                              "积分",
                              "签到 M1",
                              "5",
                              "0",
                              "没修好",
                              "查询",
                              "取消1",
                              "退订",
                              "路灯坏了",
                              "谢谢",
                              "你好",
                              "还是不亮",
                              "石塘水管爆了",
                              "点单 志愿 帮忙",
                              "派2 志愿者甲",
                              "代 13900000003 想办残疾证",
                              "屋里冒烟了",
                              "大溪边",
                              "好的",
                              "修好了谢谢",
                              "满意",
                              "JD2",
                              "WC2",
                              "TH2"};

// `typed`: villagers' numbers that somebody wrote into a text; a text is passed on to the member
// handling it as written ("有事打我儿子139…" must reach her), so only numbers nobody typed are
// the engine's to keep out of SMS.
void check(const Engine& engine, const Effects& e, const std::set<std::string>& typed) {
  require(engine.check_indexes(), "indexes match a recount");
  const std::string& signature = engine.settings().signature;
  for (const OutgoingSms& sms : e.sms) {
    require(sms.text.starts_with(signature), "signature");
    if (sms.audience == Audience::resident) {
      require(utf16_length(sms.text) <= kSingleUcs2SmsUnits, "one SMS for a villager");
    }
    for (const char* villager : {testing::kZhangPhone, testing::kLiNainaiPhone}) {
      if (typed.contains(villager)) continue;
      if (sms.to != villager) {
        require(sms.text.find(std::string(villager).substr(3)) == std::string::npos,
                "another villager's number masked");
      }
    }
  }
  for (const LogLine& line : e.logs) {
    require(line.message.find("13900000001") == std::string::npos, "numbers masked in logs");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Engine engine(testing::test_settings(), testing::make_directory());
  testing::StoredTickets stored;
  Engine reading(testing::test_settings(), testing::make_directory(), &stored);
  TimePoint now = TimePoint{} + std::chrono::hours(24 * 20574);
  std::int64_t inbound = 0;
  std::multimap<TimePoint, std::pair<TicketNo, TimerKind>> timers;
  std::set<std::string> typed;
  // One step on both engines: the reading one's Effects are stored, then it lets its tickets go.
  auto both = [&](const auto& call) {
    const Effects e = call(engine);
    const Effects r = call(reading);
    require(testing::digest(e) == testing::digest(r), "reading tickets back changes nothing");
    stored.store(r);
    reading.release_tickets();
    return e;
  };
  auto keep = [&](const Effects& e) {
    check(engine, e, typed);
    require(reading.check_indexes(), "the reading engine's indexes and summaries match");
    for (const TimerRequest& t : e.timers) {
      if (!t.cancel) timers.emplace(t.at, std::make_pair(t.ticket, t.kind));
    }
  };
  auto sms_from = [&](const char* from, const std::string& text) {
    for (const char* villager : {testing::kZhangPhone, testing::kLiNainaiPhone}) {
      if (text.find(std::string(villager).substr(3)) != std::string::npos) typed.insert(villager);
    }
    ++inbound;
    keep(both([&](Engine& en) { return en.on_sms(from, text, now, inbound); }));
  };
  std::size_t at = 0;
  auto next = [&]() -> std::uint8_t { return at < size ? data[at++] : 0; };
  while (at < size) {
    const std::uint8_t op = next();
    const std::uint8_t arg = next();
    switch (op % 8) {
      case 0:
      case 1:
      case 2: {  // an SMS: a known text, sometimes with raw bytes after it
        std::string text = kTexts[arg % std::size(kTexts)];
        if (op & 0x80) {
          const std::size_t n = std::min<std::size_t>(size - at, arg % 24);
          text.append(reinterpret_cast<const char*>(data + at), n);
          at += n;
        }
        sms_from(kPhones[(op >> 3) % std::size(kPhones)], text);
        break;
      }
      case 3:  // the clock moves: seconds to days
        now += std::chrono::seconds(static_cast<long long>(arg) * (op & 0x80 ? 3600 : 37));
        break;
      case 4: {  // due timers fire; sometimes one fires early or twice
        while (!timers.empty() && timers.begin()->first <= now) {
          const TicketNo ticket = timers.begin()->second.first;
          const TimerKind kind = timers.begin()->second.second;
          timers.erase(timers.begin());
          keep(both([&](Engine& en) { return en.on_timer(ticket, kind, now); }));
          if (op & 0x80) keep(both([&](Engine& en) { return en.on_timer(ticket, kind, now); }));
        }
        if (!timers.empty() && (arg & 1)) {
          const TicketNo ticket = timers.begin()->second.first;
          const TimerKind kind = timers.begin()->second.second;
          keep(both([&](Engine& en) {
            return en.on_timer(ticket, kind, now);
          }));  // early: must do nothing harmful
        }
        break;
      }
      case 5: {  // an operator acts on any ticket number
        const TicketNo ticket = arg % 6;
        switch (op >> 5) {
          case 0:
            keep(both([&](Engine& en) { return en.invalidate(ticket, "fuzz", "不是真的", now); }));
            break;
          case 1:
            keep(both([&](Engine& en) { return en.close_ticket(ticket, "fuzz", "已处理", now); }));
            break;
          case 2:
            keep(both(
                [&](Engine& en) { return en.add_note(ticket, "fuzz", "电话13900000001", now); }));
            break;
          case 3:
            keep(both([&](Engine& en) {
              return en.reassign(ticket, arg & 1 ? "m-li" : "m-nobody", "fuzz", "熟悉", now);
            }));
            break;
          default:
            keep(both([&](Engine& en) {
              return en.recategorize(ticket, arg & 1 ? "safety" : "nope", "fuzz", "", now);
            }));
            break;
        }
        break;
      }
      case 6:
        engine.reload(engine.settings(), testing::make_directory());
        reading.reload(reading.settings(), testing::make_directory());
        require(engine.check_indexes() && reading.check_indexes(), "indexes after a reload");
        break;
      case 7:  // raw bytes as an SMS from a villager
      {
        const std::size_t n = std::min<std::size_t>(size - at, arg % 64);
        sms_from(testing::kZhangPhone, std::string(reinterpret_cast<const char*>(data + at), n));
        at += n;
        break;
      }
    }
  }
  return 0;
}
