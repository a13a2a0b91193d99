#include "chatterbox/auth/password_hasher.hpp"

#include "chatterbox/auth/sodium_init.hpp"

#include <sodium.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <array>
#include <utility>

namespace chatterbox {

namespace {

// Holds the password on the heap so moving the job between queues never leaves a stray copy
// behind (a moved-from short std::string keeps its bytes in its inline buffer), and wipes it
// whether the job ran or was discarded.
class secret {
 public:
  explicit secret(std::string& source) : value_(std::make_unique<std::string>(source)) {
    sodium_memzero(source.data(), source.size());
  }
  secret(secret&&) noexcept = default;
  secret& operator=(secret&&) = delete;
  ~secret() {
    if (value_) sodium_memzero(value_->data(), value_->size());
  }

  const std::string& get() const { return *value_; }

 private:
  std::unique_ptr<std::string> value_;
};

// Runs `work` on the pool and hands its result to `on_done` on the io_context. `skipped` is the
// result reported when the hasher stopped before the job started, so stop() never waits for
// queued argon2 runs that nobody will see.
template <typename Result, typename Work>
void submit(boost::asio::io_context& io, boost::asio::thread_pool& pool,
            const std::shared_ptr<std::atomic<bool>>& alive, std::size_t& pending, Work work,
            std::function<void(Result)> on_done, Result skipped) {
  ++pending;
  boost::asio::post(pool, [&io, alive, &pending, work = std::move(work),
                           on_done = std::move(on_done), skipped = std::move(skipped),
                           // Keeps io.run() from returning while the result is still on its way.
                           guard = boost::asio::make_work_guard(io)]() mutable {
    Result result = alive->load() ? work() : std::move(skipped);
    boost::asio::post(
        io, [alive, &pending, on_done = std::move(on_done), result = std::move(result)]() mutable {
          // Checked here, on the io thread, because the hasher (and pending) may be gone by now.
          if (!alive->load()) return;
          --pending;
          on_done(std::move(result));
        });
  });
}

}  // namespace

password_hasher::password_hasher(boost::asio::io_context& io, argon2_cost cost, unsigned threads,
                                 std::size_t max_pending)
    : io_(io),
      cost_(cost),
      // A pool with no threads would accept jobs and never run them.
      pool_(threads == 0 ? 1 : threads),
      max_pending_(max_pending),
      alive_(std::make_shared<std::atomic<bool>>(true)) {
  ensure_sodium();
}

password_hasher::~password_hasher() { stop(); }

bool password_hasher::async_hash(std::string password,
                                 std::function<void(std::optional<std::string>)> on_done) {
  secret pw(password);
  if (!alive_->load() || pending_ >= max_pending_) return false;
  auto work = [pw = std::move(pw), cost = cost_]() -> std::optional<std::string> {
    std::array<char, crypto_pwhash_STRBYTES> out{};
    // Fails only when the memory limit cannot be allocated.
    if (crypto_pwhash_str(out.data(), pw.get().data(), pw.get().size(), cost.ops_limit,
                          cost.mem_limit_bytes) != 0) {
      return std::nullopt;
    }
    return std::string(out.data());
  };
  submit<std::optional<std::string>>(io_, pool_, alive_, pending_, std::move(work),
                                     std::move(on_done), std::nullopt);
  return true;
}

bool password_hasher::async_verify(std::string hash, std::string password,
                                   std::function<void(bool)> on_done) {
  secret pw(password);
  if (!alive_->load() || pending_ >= max_pending_) return false;
  auto work = [pw = std::move(pw), hash = std::move(hash)]() {
    // libsodium reads the hash as a C string of at most STRBYTES; anything longer (or with an
    // embedded NUL) was not produced by crypto_pwhash_str and cannot match.
    if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string::npos) {
      return false;
    }
    return crypto_pwhash_str_verify(hash.c_str(), pw.get().data(), pw.get().size()) == 0;
  };
  submit<bool>(io_, pool_, alive_, pending_, std::move(work), std::move(on_done), false);
  return true;
}

void password_hasher::stop() {
  if (!alive_->exchange(false)) return;
  // Jobs already running finish (argon2 cannot be interrupted); queued ones see alive_ false
  // and return at once. Their completions are dropped on the io thread.
  pool_.join();
}

}  // namespace chatterbox
