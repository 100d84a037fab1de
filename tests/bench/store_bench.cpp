// Storage throughput: reports per second through the whole storage life of a report, by group
// commit batch size, with synchronous FULL (power-loss safe) and NORMAL, on a temporary file.
//
// One report = 1 inbox part, then (next commit) processed mark + ticket upsert + 2 events + 2
// outbox rows taken for sending, then submit ids for both, then 2 receipt parts stored and
// applied: 20 row writes. Every commit carries every stage for `batch` reports (a pipeline).
//
// usage: store_bench [directory [full|normal [batch]]]   (default: temp directory, all configs)
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/store/store.hpp"

namespace {

using namespace lianxin;
using store::WriteBatch;
using SteadyClock = std::chrono::steady_clock;

constexpr int kRowsPerReport = 20;

struct Stage2 {  // a report whose inbox row is in: process it
  std::int64_t inbox_id;
};
struct Stage3 {  // its two SMS are taken: submit them
  std::vector<std::int64_t> outbox_ids;
};

domain::TimePoint wall(std::int64_t ms) {
  return domain::TimePoint{} + std::chrono::milliseconds(1709280000000 + ms);
}

class Pipeline {
 public:
  Pipeline(store::Store& s, std::size_t batch) : store_(s), batch_(batch) {}

  // One commit; returns reports finished (receipts applied) in it, or -1 on error.
  long step() {
    WriteBatch b;
    const auto now = wall(static_cast<std::int64_t>(tick_++));
    // Stage 1: new reports arrive.
    for (std::size_t i = 0; i < batch_; ++i) {
      store::InboxPart p;
      p.connection = "cmcc-1";
      p.source = "+86139" + std::to_string(10000000 + (serial_ % 90000000));
      p.destination = "106575000";
      p.data_coding = 8;
      const std::string text = "村口路灯坏了 #" + std::to_string(serial_++);
      p.payload.assign(text.begin(), text.end());
      p.received_at = now;
      b.inbox.push_back(std::move(p));
    }
    // Stage 2: the engine's effects for last turn's reports.
    std::vector<Stage2> processing = std::move(stage2_);
    stage2_.clear();
    for (const Stage2& s : processing) {
      b.processed.push_back({s.inbox_id, now});
      domain::Ticket t;
      t.number = next_ticket_++;
      t.reporter = "+8613900000001";
      t.text = "村口路灯坏了";
      t.category = "streetlight";
      t.grid = "g-daxi";
      t.state = domain::TicketState::dispatched;
      t.assignee = "m-wang";
      t.tried = {"m-wang"};
      t.created_at = now;
      t.updated_at = now;
      t.dispatched_at = now;
      t.inbound_id = s.inbox_id;
      b.events.push_back(
          {t.number, std::nullopt, domain::TicketState::new_, t.reporter, now, "report"});
      b.events.push_back({t.number, domain::TicketState::new_, domain::TicketState::dispatched,
                          "system", now, "grid"});
      store::OutboxRequest member;
      member.destination = "+8613800000101";
      member.source = "106575000";
      member.text = "【连心桥】新工单" + std::to_string(t.number) + ": 大溪边村 村口路灯坏了";
      member.ticket = t.number;
      member.audience = domain::Audience::member;
      member.created_at = now;
      store::OutboxRequest resident = member;
      resident.destination = t.reporter;
      resident.text = "【连心桥】已受理, 编号" + std::to_string(t.number);
      resident.audience = domain::Audience::resident;
      b.tickets.push_back(std::move(t));
      b.outbox.push_back(std::move(member));
      b.outbox.push_back(std::move(resident));
    }
    if (!processing.empty()) b.next_ticket_number = next_ticket_;
    b.take = store::TakeRequest{now, 2 * batch_};
    // Stage 3: submit_sm_resp for what was taken last turn (ids in hex).
    for (std::int64_t id : stage3_) {
      b.submitted.push_back({id, "cmcc-1", {hex(id)}, now});
    }
    // Stage 4: receipts for what was submitted last turn (ids in decimal), stored then applied.
    for (std::int64_t id : stage4_) {
      store::InboxPart p;
      p.connection = "cmcc-1";
      p.source = "+8613900000001";
      p.destination = "106575000";
      p.esm_class = 0x04;
      p.receipt = true;
      const std::string text = "id:" + std::to_string(id) + " sub:001 dlvrd:001 stat:DELIVRD";
      p.payload.assign(text.begin(), text.end());
      p.received_at = now;
      p.processed_at = now;
      b.inbox.push_back(std::move(p));
      b.receipts.push_back({"cmcc-1", std::to_string(id), sms::DeliveryState::delivered, "", now});
    }
    store::CommitResult r = store_.commit(b);
    if (!r) {
      std::fprintf(stderr, "commit failed: %s\n", r.message.c_str());
      return -1;
    }
    const long finished = static_cast<long>(stage4_.size() / 2);
    for (std::size_t i = 0; i < batch_; ++i) stage2_.push_back({r.inbox[i].id});
    stage4_ = std::move(stage3_);
    stage3_.clear();
    for (const store::OutboxMessage& m : r.taken) stage3_.push_back(m.id);
    return finished;
  }

 private:
  static std::string hex(std::int64_t id) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(id));
    return buf;
  }

  store::Store& store_;
  std::size_t batch_;
  std::uint64_t tick_ = 0;
  std::uint64_t serial_ = 0;
  domain::TicketNo next_ticket_ = 1;
  std::vector<Stage2> stage2_;
  std::vector<std::int64_t> stage3_;
  std::vector<std::int64_t> stage4_;
};

double cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Rate {
  double wall = 0;  // reports per elapsed second
  double cpu = 0;   // reports per CPU second of this process (the machine is shared)
};

// Reports per second for one run on a fresh database.
Rate run_once(const std::filesystem::path& dir, store::Synchronous sync, std::size_t batch) {
  const std::filesystem::path file = dir / ("store_bench_" + std::to_string(::getpid()) + ".db");
  Rate rate;
  {
    store::StoreOptions options;
    options.synchronous = sync;
    store::Store s = store::Store::open(file.string(), options);
    Pipeline pipeline(s, batch);
    for (int i = 0; i < 4; ++i) pipeline.step();  // fill the pipeline
    const auto start = SteadyClock::now();
    const double cpu_start = cpu_seconds();
    long reports = 0;
    long commits = 0;
    const auto budget = std::chrono::milliseconds(700);
    while ((SteadyClock::now() - start < budget || commits < 8) && reports < 200000) {
      const long n = pipeline.step();
      if (n < 0) return {};
      reports += n;
      ++commits;
    }
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
    rate.wall = static_cast<double>(reports) / seconds;
    rate.cpu = static_cast<double>(reports) / (cpu_seconds() - cpu_start);
  }
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(file.string() + suffix, ignored);
  }
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path();
  std::vector<lianxin::store::Synchronous> syncs{lianxin::store::Synchronous::full,
                                                 lianxin::store::Synchronous::normal};
  if (argc > 2) {
    syncs = {std::string(argv[2]) == "normal" ? lianxin::store::Synchronous::normal
                                              : lianxin::store::Synchronous::full};
  }
  std::vector<std::size_t> batches{1, 10, 100, 1000};
  if (argc > 3) batches = {static_cast<std::size_t>(std::stoul(argv[3]))};
  std::printf("store_bench: %d row writes per report, median of 5 runs, in %s\n", kRowsPerReport,
              dir.c_str());
  std::printf("%-8s %6s %12s %12s %14s\n", "sync", "batch", "reports/s", "rows/s", "reports/cpu-s");
  for (auto sync : syncs) {
    for (std::size_t batch : batches) {
      std::vector<double> wall;
      std::vector<double> cpu;
      for (int run = 0; run < 5; ++run) {
        const Rate rate = run_once(dir, sync, batch);
        wall.push_back(rate.wall);
        cpu.push_back(rate.cpu);
      }
      std::sort(wall.begin(), wall.end());
      std::sort(cpu.begin(), cpu.end());
      std::printf("%-8s %6zu %12.0f %12.0f %14.0f\n",
                  sync == lianxin::store::Synchronous::full ? "FULL" : "NORMAL", batch, wall[2],
                  wall[2] * kRowsPerReport, cpu[2]);
      std::fflush(stdout);
    }
  }
  return 0;
}
