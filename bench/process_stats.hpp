#pragma once

#include <cstdint>
#include <optional>

namespace chatterbox::bench {

// CPU seconds (user + system) of this process, from getrusage.
double self_cpu_seconds();

// From /proc/<pid>: CPU seconds (utime + stime) and resident set size in bytes.
std::optional<double> process_cpu_seconds(int pid);
std::optional<std::uint64_t> process_rss_bytes(int pid);

// From /proc/<pid>/schedstat (0 = this process): seconds spent runnable but waiting for a CPU.
// A busy machine shows up here: the process wanted to run and could not.
std::optional<double> process_wait_seconds(int pid);

// Busy share of one core between two samples of CPU seconds over `wall_seconds`, in percent.
double cpu_percent(double cpu_before, double cpu_after, double wall_seconds);

}  // namespace chatterbox::bench
