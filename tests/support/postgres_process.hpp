#pragma once

#include "support/child_process.hpp"
#include "support/redis_process.hpp"
#include "support/run_command.hpp"

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>

namespace chatterbox::test_support {

// PostgreSQL cannot run on this machine at all (not a failure of the code under test): the
// tests that need it say why and skip.
struct postgres_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Debian's PostgreSQL 15 on a free loopback port, in a fresh cluster of its own (initdb), run as
// `nobody` (PostgreSQL refuses to run as root), trusting local connections, without fsync (a
// test's data need not survive the machine). Gone, with its files, when this is destroyed.
class postgres_process : public child_process {
 public:
  explicit postgres_process(std::uint16_t port = free_tcp_port()) : port_(port) {
    // A root directory only root may enter (a chroot made in a `mktemp -d` folder, as
    // ../shared/tools/fresh-debian.sh does) leaves `nobody` unable to load any program.
    if (run_command(as_nobody() + "test -x " + bin("postgres")).status != 0) {
      throw postgres_unavailable("user nobody cannot run " + bin("postgres") +
                                 " here (is '/' readable by others?)");
    }
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("chatterbox-pg-" + std::to_string(random()) + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    run_command("chown nobody:nogroup '" + dir_.string() + "'");
    const auto init =
        run_command("cd / && " + as_nobody() + bin("initdb") + " -D '" + dir_.string() +
                    "' -A trust -U postgres -E UTF8 --locale=C" + " --no-sync --no-instructions");
    if (init.status != 0) throw std::runtime_error("initdb failed:\n" + init.output);
    start_again();
  }

  // After stop_immediately(): the same cluster on the same port, once it has recovered.
  void start_again() {
    start({"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
           bin("postgres"), "-D", dir_.string(), "-p", std::to_string(port_), "-k", dir_.string(),
           "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"});
    if (!wait_for_nth_output("database system is ready to accept connections", ++starts_,
                             std::chrono::seconds(30))) {
      throw std::runtime_error("postgres did not start; output:\n" + output());
    }
  }

  ~postgres_process() {
    stop_now();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // `pg_ctl stop -m immediate`: the postmaster ends every backend at once, without a checkpoint.
  void stop_immediately() { terminate(std::chrono::seconds(20), SIGQUIT); }

  std::uint16_t port() const { return port_; }

  // A new, empty database (a test of its own on the suite's server); its URL.
  std::string create_database(const std::string& name) {
    const auto made = run_command(bin("createdb") + " -h 127.0.0.1 -p " + std::to_string(port_) +
                                  " -U postgres '" + name + "'");
    if (made.status != 0) throw std::runtime_error("createdb " + name + " failed:\n" + made.output);
    return url(name);
  }
  // The first column of the first row of `sql` (no quotes in it), run by psql on `url`.
  std::string value(const std::string& url, const std::string& sql) const {
    const auto ran = run_command(bin("psql") + " -X -q -t -A -d '" + url + "' -c \"" + sql + "\"");
    if (ran.status != 0) throw std::runtime_error("psql failed:\n" + ran.output);
    auto out = ran.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }
  std::string url(const std::string& database = "postgres") const {
    return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
  }

 private:
  static std::string bin(const std::string& name) { return "/usr/lib/postgresql/15/bin/" + name; }
  static std::string as_nobody() {
    return "/usr/bin/setpriv --reuid=nobody --regid=nogroup --clear-groups -- ";
  }

  std::uint16_t port_;
  std::filesystem::path dir_;
  int starts_ = 0;
};

}  // namespace chatterbox::test_support
