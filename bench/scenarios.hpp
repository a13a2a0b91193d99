#pragma once

#include "options.hpp"

namespace chatterbox::bench {

// Each returns the process exit code: 0 when the run completed without errors, 1 otherwise.
int run_load(const bench_options& o);  // fanout, store, idle, rooms
int run_storm(const bench_options& o);
int run_hello(const bench_options& o);
int run_join(const bench_options& o);
int run_resume(const bench_options& o);
int run_search(const bench_options& o);
int run_seed(const bench_options& o);
int run_startup(const bench_options& o);

}  // namespace chatterbox::bench
