// How much heap the ticket engine holds as reports pile up: the engine alone (no SQLite, no
// sockets), fed the e2e backlog's shape — N reports from R residents of the synthetic county,
// each its own ticket (duplicate_join 0, as scripts/bench-e2e configures it) — reading glibc's
// mallinfo2() every N/5 reports. Prints figures; asserts nothing.
//   engine_memory_bench [--reports N] [--residents R] [--no-loop-guard] [--join] [--hold]
// --no-loop-guard sets loop_protection.period to 0, so the difference is the guard's share;
// --join keeps the default duplicate_join (60m): a resident's later reports become notes.
// By default the engine works as in lianxind: its tickets are in a repository (here one that
// keeps nothing, so the figure is the engine's own) and leave memory after every report;
// --hold gives it no repository, so it holds every ticket whole.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/domain/engine.hpp"
#include "tests/integration/synthetic_site.hpp"
#include "tests/unit/domain_fixture.hpp"

namespace {

using namespace lianxin;
using namespace std::chrono_literals;

std::size_t heap_bytes() {
  return mallinfo2().uordblks;
}

// Stands for the store: the engine's tickets are not held here, only counted when read.
class Discarding final : public domain::TicketRepository {
 public:
  std::optional<domain::Ticket> load(domain::TicketNo) override {
    ++loads;
    return std::nullopt;
  }
  long loads = 0;
};

}  // namespace

int main(int argc, char** argv) {
  long reports = 100'000, residents = 20'000;
  bool loop_guard = true;
  bool join = false;
  bool hold = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--reports" && i + 1 < argc) {
      reports = std::atol(argv[++i]);
    } else if (arg == "--residents" && i + 1 < argc) {
      residents = std::atol(argv[++i]);
    } else if (arg == "--no-loop-guard") {
      loop_guard = false;
    } else if (arg == "--join") {
      join = true;
    } else if (arg == "--hold") {
      hold = true;
    } else {
      std::fprintf(stderr,
                   "usage: engine_memory_bench [--reports N] [--residents R] [--no-loop-guard] "
                   "[--join] [--hold]\n");
      return 2;
    }
  }
  if (reports <= 0 || residents <= 0) {
    std::fprintf(stderr, "engine_memory_bench: --reports and --residents must be positive\n");
    return 2;
  }

  const domain::Directory base = domain::testing::make_directory();
  std::vector<domain::Resident> people = base.residents();
  const char* const grids[] = {"g-daxi", "g-shitang", "g-xiayu"};
  for (long i = 0; i < residents; ++i) {
    people.push_back({"+86" + testing::resident_number(static_cast<std::size_t>(i)),
                      "村民" + std::to_string(i), grids[i % 3]});
  }
  domain::Directory directory(base.grids(), base.members(), std::move(people), base.teams(),
                              base.duty_desks());
  domain::Settings settings = domain::default_settings();
  if (!loop_guard) settings.loop_protection.period = 0min;
  if (!join) settings.windows.duplicate_join = 0min;

  Discarding store;
  const std::size_t before = heap_bytes();
  domain::Engine engine(std::move(settings), std::move(directory), hold ? nullptr : &store);
  domain::TimePoint now = domain::TimePoint{} + 20574 * 24h + 8h;
  std::printf("engine heap (mallinfo2) as %ld reports from %ld residents arrive%s%s%s\n", reports,
              residents, loop_guard ? "" : " (loop guard off)",
              join ? " (repeats join as notes)" : "",
              hold ? " (tickets held whole)" : " (tickets in the store)");
  std::printf("%10s %12s %10s %10s\n", "reports", "heap kB", "tickets", "SMS out");
  std::size_t sms = 0;
  const long step = reports >= 5 ? reports / 5 : 1;
  for (long i = 0; i < reports; ++i) {
    const std::size_t serial = static_cast<std::size_t>(i);
    domain::Effects effects = engine.on_sms(
        "+86" + testing::resident_number(serial % static_cast<std::size_t>(residents)),
        testing::report_text(serial), now, i + 1);
    sms += effects.sms.size();
    engine.release_tickets();  // lianxind: after the commit that stored the effects
    now += 50us;               // 20,000 reports/s: the whole run inside one loop-guard period
    if ((i + 1) % step == 0 || i + 1 == reports) {
      const std::size_t heap_kb = (heap_bytes() - before) / 1024;
      std::size_t tracked = 0;
      for (const auto& [state, n] : engine.ticket_counts(now).by_state) tracked += n;
      std::printf("%10ld %12zu %10zu %10zu\n", i + 1, heap_kb, tracked, sms);
    }
  }
  if (!hold) std::printf("tickets read back from the store: %ld\n", store.loads);
  return 0;
}
