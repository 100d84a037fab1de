// e2e_bench: the whole of lianxind, measured from outside, as an SMSC sees it.
//
// A fast load SMSC (in this process, its own thread and io_context, raw SMPP over loopback;
// deliver_sm frames pre-encoded with lianxin's codec) binds lianxind, which runs as a child
// process on a generated configuration: a synthetic county (100 grids, 500 members, 20,000
// residents, tests/integration/synthetic_site.hpp) and a fresh database with synchronous=FULL
// (WAL; every commit survives power loss). Every MO is a distinct report from a resident of a
// known grid, so each one opens a ticket and makes lianxind submit two SMS: the confirmation to
// the villager ("...工单号N...") and the dispatch to a member ("新工单N..."). A report counts as
// done when the SMSC has received both (every part); its latency runs from the deliver_sm written
// to the last of those submit_sm read. The SMSC answers every submit_sm at once.
//
// Scenarios (each on a fresh daemon and database):
//  1. sustained: --count MOs as fast as lianxind acknowledges them (at most --window
//     unacknowledged), --runs times; reports / (first MO written → last report done), median of
//     runs (the rate between 10% and 90% of completions is printed too).
//  2. paced: --paced-count MOs at a steady --rate per second; latency p50/p99/max.
//  3. backlog: --burst MOs as fast as they are acknowledged; lianxind's VmRSS sampled every
//     50 ms, VmHWM during and after the drain, and the backlog (acknowledged, not yet done).
// Figures, then the targets they are compared with. Peak RSS is VmHWM of /proc/PID/status; CPU
// per report is lianxind's user + system time (/proc/PID/stat) from the first MO to the last
// report done, divided by the reports.
//
// Usage: e2e_bench --lianxind PATH [--runs N] [--count N] [--window N] [--smpp-window N]
//                  [--rate R] [--paced-count N] [--burst N] [--log-level L] [--sync full|normal]
//                  [--timeout S] [--only sustained,paced,backlog] [--quick] [--keep DIR]
#include "tests/bench/e2e_bench_support.hpp"
#include "tests/bench/e2e_load_smsc.hpp"

namespace lianxin::bench::e2e {
namespace {

// ------------------------------------------------------------------ one run

struct Sample {
  double t_s = 0;
  std::size_t acked = 0, done = 0;
  long rss_kb = -1;
};

struct RunFigures {
  std::string name;
  std::string error;
  std::size_t count = 0, done = 0, rejected = 0, other_sms = 0, unmatched = 0;
  long long tickets_in_db = -1;
  double seconds = 0;           // first MO → last report done
  double rate_overall = 0;      // count / seconds
  double rate_middle = 0;       // reports/s between 10% and 90% of completions
  double rate_first_tenth = 0;  // reports/s over the first and last 10% of completions
  double rate_last_tenth = 0;
  double ack_rate = 0;               // MOs acknowledged per second while sending
  double p50 = 0, p99 = 0, max = 0;  // report latency, ms
  double ack_p50 = 0, ack_p99 = 0;
  double cpu_ms_per_report = std::nan("");  // lianxind's user + system CPU, first MO → last done
  long idle_rss_kb = -1, hwm_kb = -1, after_rss_kb = -1;
  std::size_t max_backlog = 0;
  std::vector<Sample> samples;
  int exit_code = -1;
};

struct Runner {
  const Options& options;
  LoadSmsc& smsc;
  fs::path site;  // directory CSVs
  int serial = 0;

  RunFigures run(const std::string& name, MoPlan plan, bool sample_rss) {
    RunFigures f;
    f.name = name;
    f.count = plan.frames.size();
    testing::TempDir temp;
    fs::path dir = temp.path();
    if (options.keep) {
      dir = *options.keep / (name + "-" + std::to_string(++serial));
      fs::create_directories(dir);
    }
    for (const char* file :
         {"grids.csv", "members.csv", "residents.csv", "teams.csv", "duty_desks.csv"})
      fs::copy_file(site / file, dir / file, fs::copy_options::overwrite_existing);
    testing::SiteConfig config;
    config.smsc_port = smsc.port();
    config.service_number = kServiceNumber;
    config.synchronous_full = options.sync_full;
    config.window = options.smpp_window;
    config.log_level = options.log_level;
    config.duplicate_join = "0m";
    const fs::path config_path = testing::write_site_config(dir, config);

    auto state = std::make_shared<RunState>(std::move(plan));
    smsc.prepare(state);
    testing::ChildProcess daemon({options.lianxind, "--config", config_path.string()},
                                 dir / "lianxind.log");
    const auto bind_deadline = SteadyClock::now() + 20s;
    while (!state->bound && SteadyClock::now() < bind_deadline && daemon.running())
      std::this_thread::sleep_for(5ms);
    if (!state->bound) {
      f.error = "lianxind never bound; its log:\n" + daemon.log();
      return f;
    }
    std::this_thread::sleep_for(300ms);  // settle after start-up
    f.idle_rss_kb = proc_status(daemon.pid()).rss_kb;

    const double cpu_before = proc_cpu_seconds(daemon.pid());
    const auto start = SteadyClock::now();
    smsc.start();
    const auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                                      std::chrono::duration<double>(options.timeout_s));
    const std::size_t count = f.count;
    while (state->done < count && SteadyClock::now() < deadline) {
      if (!daemon.running()) {
        f.error = "lianxind exited during the run; its log (tail):\n" + daemon.log();
        break;
      }
      std::this_thread::sleep_for(sample_rss ? 50ms : 20ms);
      if (sample_rss) {
        Sample s;
        s.t_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
        s.acked = state->acked;
        s.done = state->done;
        s.rss_kb = proc_status(daemon.pid()).rss_kb;
        f.samples.push_back(s);
      }
      f.max_backlog =
          std::max(f.max_backlog, state->acked - std::min(state->acked.load(), state->done.load()));
    }
    if (state->done > 0)
      f.cpu_ms_per_report = (proc_cpu_seconds(daemon.pid()) - cpu_before) * 1000 /
                            static_cast<double>(state->done.load());
    if (f.error.empty() && state->done < count)
      f.error = "timed out after " + fixed(options.timeout_s, 0) + " s with " +
                std::to_string(state->done) + " of " + std::to_string(count) + " reports done";
    if (sample_rss) std::this_thread::sleep_for(1s);  // after the drain: idle again
    const ProcStatus status = proc_status(daemon.pid());
    f.hwm_kb = status.hwm_kb;
    f.after_rss_kb = status.rss_kb;

    RunResult result = smsc.finish();
    daemon.signal(SIGTERM);
    f.exit_code = daemon.wait_exit(30s).value_or(-1);
    if (f.error.empty() && !result.error.empty()) f.error = result.error;
    f.tickets_in_db = count_rows(dir / "lianxin.db", "SELECT count(*) FROM tickets");

    f.done = result.latency_ns.size();
    f.rejected = result.rejected;
    f.other_sms = result.other_sms;
    f.unmatched = result.unmatched;
    f.p50 = percentile_ms(result.latency_ns, 50);
    f.p99 = percentile_ms(result.latency_ns, 99);
    f.max = percentile_ms(result.latency_ns, 100);
    f.ack_p50 = percentile_ms(result.ack_ns, 50);
    f.ack_p99 = percentile_ms(result.ack_ns, 99);
    std::vector<std::int64_t>& at = result.done_at_ns;
    std::sort(at.begin(), at.end());
    if (!at.empty()) {
      f.seconds = static_cast<double>(at.back() - result.first_sent_ns) / 1e9;
      f.rate_overall = static_cast<double>(at.size()) / f.seconds;
      const auto rate_between = [&](double from, double to) {
        const std::size_t a = static_cast<std::size_t>(from * static_cast<double>(at.size() - 1));
        const std::size_t b = static_cast<std::size_t>(to * static_cast<double>(at.size() - 1));
        const double span = static_cast<double>(at[b] - at[a]) / 1e9;
        return span > 0 ? static_cast<double>(b - a) / span : std::nan("");
      };
      f.rate_middle = rate_between(0.1, 0.9);
      f.rate_first_tenth = rate_between(0.0, 0.1);
      f.rate_last_tenth = rate_between(0.9, 1.0);
    }
    const double sending_s = static_cast<double>(result.last_sent_ns - result.first_sent_ns) / 1e9;
    if (sending_s > 0) f.ack_rate = static_cast<double>(f.count) / sending_s;
    return f;
  }
};

void print_run(const RunFigures& f) {
  std::printf(
      "  %-12s %6zu reports in %6.2f s: %7.0f/s overall, %7.0f/s middle 80%% (first 10%%: %.0f/s, "
      "last 10%%: %.0f/s); MO intake %.0f/s; latency p50 %s ms p99 %s ms max %s ms; MO ack p50 %s "
      "ms p99 %s ms; CPU %s ms/report; VmHWM %ld kB; tickets in db %lld; exit %d\n",
      f.name.c_str(), f.done, f.seconds, f.rate_overall, f.rate_middle, f.rate_first_tenth,
      f.rate_last_tenth, f.ack_rate, fixed(f.p50, 2).c_str(), fixed(f.p99, 2).c_str(),
      fixed(f.max, 1).c_str(), fixed(f.ack_p50, 2).c_str(), fixed(f.ack_p99, 2).c_str(),
      fixed(f.cpu_ms_per_report, 3).c_str(), f.hwm_kb, f.tickets_in_db, f.exit_code);
  if (f.rejected || f.other_sms || f.unmatched)
    std::printf("  %-12s note: %zu MOs refused, %zu other SMS, %zu SMS not matched to a report\n",
                "", f.rejected, f.other_sms, f.unmatched);
  if (!f.error.empty()) std::printf("  %-12s ERROR: %s\n", "", f.error.substr(0, 4000).c_str());
  std::fflush(stdout);
}

double median(std::vector<double> values) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace
}  // namespace lianxin::bench::e2e

using namespace lianxin::bench::e2e;

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  ::signal(SIGPIPE, SIG_IGN);
  std::printf("e2e_bench: lianxind %s (build %s)\n", options.lianxind.c_str(), LIANXIN_BUILD_TYPE);
  std::printf(
      "  storage: SQLite WAL, synchronous=%s (%s); directory: %zu grids, %zu members, %zu "
      "residents; "
      "log_level %s (to a file)\n",
      options.sync_full ? "FULL" : "NORMAL",
      options.sync_full ? "every commit survives power loss" : "survives kill -9, not power loss",
      options.shape.grids, options.shape.grids * options.shape.members_per_grid,
      options.shape.residents, options.log_level.c_str());
  std::printf(
      "  load SMSC: in-process, loopback, TCP_NODELAY, window %zu MOs; lianxind SMPP window %zu\n",
      options.window, options.smpp_window);
  std::printf("  machine: %u CPUs, load average %s\n", std::thread::hardware_concurrency(),
              load_average().c_str());
  std::fflush(stdout);

  testing::TempDir site;
  testing::write_site_directory(site.path(), options.shape);
  LoadSmsc smsc;
  Runner runner{options, smsc, site.path()};
  bool failed = false;

  std::vector<double> sustained_rates, sustained_cpu;
  std::vector<RunFigures> sustained;
  if (options.sustained) {
    std::printf("\n1. sustained: %zu reports as fast as lianxind acknowledges them, %d runs\n",
                options.count, options.runs);
    for (int r = 0; r < options.runs; ++r) {
      RunFigures f = runner.run(
          "sustained", make_plan(options.count, 0, options.shape.residents, options.window, 0),
          false);
      print_run(f);
      failed = failed || !f.error.empty();
      if (f.error.empty()) {
        sustained_rates.push_back(f.rate_overall);
        sustained_cpu.push_back(f.cpu_ms_per_report);
      }
      sustained.push_back(std::move(f));
    }
  }

  std::optional<RunFigures> paced;
  if (options.paced) {
    std::printf("\n2. paced: %zu reports at a steady %.0f/s, each from a different resident\n",
                options.paced_count, options.rate);
    paced = runner.run("paced",
                       make_plan(std::min(options.paced_count, options.shape.residents), 0,
                                 options.shape.residents, options.window, options.rate),
                       false);
    print_run(*paced);
    failed = failed || !paced->error.empty();
  }

  std::optional<RunFigures> backlog;
  if (options.backlog) {
    std::printf("\n3. backlog: %zu reports as fast as they are acknowledged; VmRSS sampled\n",
                options.burst);
    backlog = runner.run(
        "backlog", make_plan(options.burst, 0, options.shape.residents, options.window, 0), true);
    print_run(*backlog);
    failed = failed || !backlog->error.empty();
    std::printf(
        "  %-12s idle VmRSS %ld kB before; max backlog %zu reports acknowledged, not yet done\n",
        "", backlog->idle_rss_kb, backlog->max_backlog);
    if (!backlog->samples.empty()) {
      std::printf("  %-12s %8s %8s %8s %10s\n", "", "t (s)", "acked", "done", "VmRSS kB");
      const std::size_t step = std::max<std::size_t>(1, backlog->samples.size() / 10);
      for (std::size_t i = 0; i < backlog->samples.size(); i += step) {
        const Sample& s = backlog->samples[i];
        std::printf("  %-12s %8.1f %8zu %8zu %10ld\n", "", s.t_s, s.acked, s.done, s.rss_kb);
      }
      const Sample& s = backlog->samples.back();
      std::printf("  %-12s %8.1f %8zu %8zu %10ld\n", "", s.t_s, s.acked, s.done, s.rss_kb);
    }
    std::printf("  %-12s after the drain: VmRSS %ld kB, VmHWM %ld kB\n", "", backlog->after_rss_kb,
                backlog->hwm_kb);
  }

  // ---- the table ----
  std::printf("\n%-46s %16s %18s %s\n", "figure", "measured", "target", "");
  const auto row = [](const std::string& what, const std::string& measured,
                      const std::string& target, std::optional<bool> met) {
    std::printf("%-46s %16s %18s %s\n", what.c_str(), measured.c_str(), target.c_str(),
                !met   ? ""
                : *met ? "met"
                       : "MISSED");
  };
  long peak_kb = -1;
  for (const RunFigures& f : sustained) peak_kb = std::max(peak_kb, f.hwm_kb);
  if (paced) peak_kb = std::max(peak_kb, paced->hwm_kb);
  if (options.sustained) {
    const double rate = median(sustained_rates);
    row("sustained reports/s, first MO to last done (median of " +
            std::to_string(sustained_rates.size()) + ")",
        fixed(rate, 0), ">= 15000 (aim 20000)",
        std::isnan(rate) ? std::optional<bool>(false) : rate >= 15000);
    const double cpu = median(sustained_cpu);
    row("CPU per report at full speed (ms, median)", fixed(cpu, 3), "<= 0.08",
        !std::isnan(cpu) && cpu <= 0.08);
  }
  if (paced) {
    row("latency p50 at " + fixed(options.rate, 0) + "/s (ms)", fixed(paced->p50, 2), "",
        std::nullopt);
    row("latency p99 at " + fixed(options.rate, 0) + "/s (ms)", fixed(paced->p99, 2), "<= 2",
        paced->p99 <= 2.0);
    row("CPU per report at " + fixed(options.rate, 0) + "/s (ms)",
        fixed(paced->cpu_ms_per_report, 3), "<= 0.45",
        !std::isnan(paced->cpu_ms_per_report) && paced->cpu_ms_per_report <= 0.45);
  }
  if (peak_kb >= 0)
    row("peak RSS, sustained/paced runs (MB)", fixed(static_cast<double>(peak_kb) / 1024, 1),
        "<= 48", peak_kb <= 48 * 1024);
  if (backlog) {
    row("peak RSS, " + std::to_string(options.burst) + " backlog (MB)",
        fixed(static_cast<double>(backlog->hwm_kb) / 1024, 1), "<= 48, flat",
        backlog->hwm_kb >= 0 && backlog->hwm_kb <= 48 * 1024);
    row("RSS after the backlog drained (MB)",
        fixed(static_cast<double>(backlog->after_rss_kb) / 1024, 1), "", std::nullopt);
  }
  std::printf("load average at the end: %s\n", load_average().c_str());
  return failed ? 1 : 0;
}
