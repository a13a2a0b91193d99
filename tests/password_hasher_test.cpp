#include "chatterbox/auth/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace chatterbox {
namespace {

// libsodium's floor, so each hash takes milliseconds.
constexpr argon2_cost cheap{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
// Generous bound: run_for returns as soon as the io_context runs out of work, so a passing test
// never waits for it; it only stops a broken one from hanging.
constexpr auto bound = std::chrono::seconds(60);

class PasswordHasher : public ::testing::Test {
 protected:
  // Runs until every job's completion has been delivered (the work guard keeps io busy until
  // then). stopped() distinguishes that from hitting the time bound.
  void drain() {
    io_.restart();
    io_.run_for(bound);
    ASSERT_TRUE(io_.stopped()) << "io_context still had work after " << bound.count() << "s";
  }

  std::string hash_of(password_hasher& hasher, std::string password) {
    std::optional<std::string> out;
    EXPECT_TRUE(hasher.async_hash(std::move(password), [&](auto h) { out = std::move(h); }));
    drain();
    EXPECT_TRUE(out.has_value());
    return out.value_or("");
  }

  boost::asio::io_context io_;
};

TEST_F(PasswordHasher, HashThenVerify) {
  password_hasher hasher(io_, cheap, 2, 8);
  const auto hash = hash_of(hasher, "correct horse battery");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;

  std::optional<bool> right, wrong, empty;
  EXPECT_TRUE(hasher.async_verify(hash, "correct horse battery", [&](bool ok) { right = ok; }));
  EXPECT_TRUE(hasher.async_verify(hash, "correct horse batterY", [&](bool ok) { wrong = ok; }));
  EXPECT_TRUE(hasher.async_verify(hash, "", [&](bool ok) { empty = ok; }));
  drain();
  EXPECT_EQ(right, true);
  EXPECT_EQ(wrong, false);
  EXPECT_EQ(empty, false);
}

TEST_F(PasswordHasher, SamePasswordHashesDifferentlyEachTime) {
  password_hasher hasher(io_, cheap, 1, 8);
  EXPECT_NE(hash_of(hasher, "password1"), hash_of(hasher, "password1"));
}

TEST_F(PasswordHasher, MalformedHashDoesNotVerify) {
  password_hasher hasher(io_, cheap, 1, 8);
  std::vector<bool> results;
  for (const auto& bad : std::vector<std::string>{"", "not a hash", std::string(200, '$'),
                                                  std::string("$argon2id$\0junk", 15)}) {
    EXPECT_TRUE(hasher.async_verify(bad, "password1", [&](bool ok) { results.push_back(ok); }));
  }
  drain();
  EXPECT_EQ(results, std::vector<bool>(4, false));
}

TEST_F(PasswordHasher, HashFailureIsReportedAsNullopt) {
  // Below libsodium's minimum memory cost crypto_pwhash_str refuses to run.
  password_hasher hasher(io_, argon2_cost{crypto_pwhash_OPSLIMIT_MIN, 1}, 1, 8);
  bool called = false;
  std::optional<std::string> out = "unset";
  EXPECT_TRUE(hasher.async_hash("password1", [&](auto h) {
    called = true;
    out = std::move(h);
  }));
  drain();
  EXPECT_TRUE(called);
  EXPECT_EQ(out, std::nullopt);
}

TEST_F(PasswordHasher, CompletionRunsOnTheIoThread) {
  password_hasher hasher(io_, cheap, 2, 8);
  std::vector<std::thread::id> ids;
  EXPECT_TRUE(
      hasher.async_hash("password1", [&](auto) { ids.push_back(std::this_thread::get_id()); }));
  EXPECT_TRUE(hasher.async_verify("x", "password1",
                                  [&](bool) { ids.push_back(std::this_thread::get_id()); }));
  drain();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0], std::this_thread::get_id());
  EXPECT_EQ(ids[1], std::this_thread::get_id());
}

TEST_F(PasswordHasher, IoContextStaysBusyWhileAJobIsInFlight) {
  password_hasher hasher(io_, cheap, 1, 8);
  bool called = false;
  EXPECT_TRUE(hasher.async_hash("password1", [&](auto) { called = true; }));
  // Nothing but the job is pending on io_; without a work guard run_for would return at once.
  io_.run_for(bound);
  EXPECT_TRUE(called);
}

TEST_F(PasswordHasher, FullQueueRefusesAtOnceAndFreesSlotsOnCompletion) {
  password_hasher hasher(io_, cheap, 1, 2);
  int done = 0;
  bool refused_called = false;
  EXPECT_TRUE(hasher.async_hash("password1", [&](auto) { ++done; }));
  EXPECT_TRUE(hasher.async_verify("x", "password1", [&](bool) { ++done; }));
  EXPECT_FALSE(hasher.async_hash("password1", [&](auto) { refused_called = true; }));
  EXPECT_FALSE(hasher.async_verify("x", "password1", [&](bool) { refused_called = true; }));
  drain();
  EXPECT_EQ(done, 2);
  EXPECT_FALSE(refused_called);

  EXPECT_TRUE(hasher.async_hash("password1", [&](auto) { ++done; }));
  EXPECT_TRUE(hasher.async_hash("password1", [&](auto) { ++done; }));
  drain();
  EXPECT_EQ(done, 4);
}

TEST_F(PasswordHasher, CompletionMayStartTheNextJob) {
  // The slot is released before on_done runs, so a completion can chain work even at capacity.
  password_hasher hasher(io_, cheap, 1, 1);
  std::optional<bool> verified;
  EXPECT_TRUE(hasher.async_hash("password1", [&](std::optional<std::string> hash) {
    ASSERT_TRUE(hash.has_value());
    EXPECT_TRUE(hasher.async_verify(*hash, "password1", [&](bool ok) { verified = ok; }));
  }));
  drain();
  EXPECT_EQ(verified, true);
}

TEST_F(PasswordHasher, ZeroMaxPendingRefusesEverything) {
  password_hasher hasher(io_, cheap, 1, 0);
  EXPECT_FALSE(hasher.async_hash("password1", [](auto) {}));
  EXPECT_FALSE(hasher.async_verify("x", "password1", [](bool) {}));
}

TEST_F(PasswordHasher, NoCallbackAfterStop) {
  password_hasher hasher(io_, cheap, 1, 8);
  int called = 0;
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(hasher.async_hash("password1", [&](auto) { ++called; }));
  }
  EXPECT_TRUE(hasher.async_verify("x", "password1", [&](bool) { ++called; }));
  hasher.stop();
  // drain() also proves every work guard was released: io_ runs out of work.
  drain();
  EXPECT_EQ(called, 0);
}

TEST_F(PasswordHasher, CallsAfterStopAreRefused) {
  password_hasher hasher(io_, cheap, 1, 8);
  hasher.stop();
  hasher.stop();  // idempotent
  bool called = false;
  EXPECT_FALSE(hasher.async_hash("password1", [&](auto) { called = true; }));
  EXPECT_FALSE(hasher.async_verify("x", "password1", [&](bool) { called = true; }));
  drain();
  EXPECT_FALSE(called);
}

TEST_F(PasswordHasher, NoCallbackAfterDestruction) {
  auto hasher = std::make_unique<password_hasher>(io_, cheap, 2, 8);
  bool called = false;
  EXPECT_TRUE(hasher->async_hash("password1", [&](auto) { called = true; }));
  EXPECT_TRUE(hasher->async_verify("x", "password1", [&](bool) { called = true; }));
  hasher.reset();
  drain();
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace chatterbox
