#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace chatterbox {

struct argon2_cost {
  unsigned long long ops_limit;
  std::size_t mem_limit_bytes;
};

// argon2id hashing and verification on a small thread pool, so a login never stalls the
// io_context. Completions run on the io_context. At most `max_pending` jobs are queued or
// running; beyond that the call returns false at once and nothing is queued, so a login flood
// cannot exhaust memory.
// async_hash, async_verify, stop and the destructor must be called on the io_context thread (or
// while it is not running): that is what keeps pending_ and the stop check free of races.
class password_hasher {
 public:
  password_hasher(boost::asio::io_context& io, argon2_cost cost, unsigned threads,
                  std::size_t max_pending);
  ~password_hasher();

  // on_done receives the crypto_pwhash_str string, or nullopt if hashing failed (out of memory).
  bool async_hash(std::string password, std::function<void(std::optional<std::string>)> on_done);
  bool async_verify(std::string hash, std::string password, std::function<void(bool)> on_done);

  // Waits for running jobs; later completions are dropped.
  void stop();

 private:
  boost::asio::io_context& io_;
  argon2_cost cost_;
  boost::asio::thread_pool pool_;
  std::size_t max_pending_;
  std::size_t pending_ = 0;  // only touched on the io_context thread
  // Shared with every job so a completion that outlives this object can see it must not run.
  // Atomic because queued jobs also read it on pool threads to skip work after stop().
  std::shared_ptr<std::atomic<bool>> alive_;
};

}  // namespace chatterbox
