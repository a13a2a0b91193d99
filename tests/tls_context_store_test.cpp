#include "chatterbox/tls/tls_context_store.hpp"

#include "support/temp_dir.hpp"
#include "support/tls_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <fstream>

namespace chatterbox {
namespace {

namespace fs = std::filesystem;
using test_support::make_certificate;

class tls_context_store_test : public test_support::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    const auto made = make_certificate(dir_.string(), "store-first");
    fs::copy_file(made.cert, file("live.crt"));
    fs::copy_file(made.key, file("live.key"));
  }
  tls_files live() const { return {file("live.crt"), file("live.key")}; }
};

TEST_F(tls_context_store_test, LoadsACertificateAndItsKey) {
  tls_context_store store(live());
  ASSERT_NE(store.current(), nullptr);
  EXPECT_NE(SSL_CTX_get0_certificate(store.current()->native_handle()), nullptr);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(store.current()->native_handle()), TLS1_2_VERSION);
}

TEST_F(tls_context_store_test, RefusesMissingOrMismatchedFiles) {
  EXPECT_THROW(tls_context_store({file("absent.crt"), file("live.key")}), std::runtime_error);
  const auto other = make_certificate(dir_.string(), "store-other");
  const auto mismatched = tls_context_store::load({other.cert, file("live.key")});
  ASSERT_TRUE(std::holds_alternative<std::string>(mismatched));
  EXPECT_NE(std::get<std::string>(mismatched).find("does not match"), std::string::npos);
}

TEST_F(tls_context_store_test, ReloadReplacesTheContextAndLeavesTheOldOneToItsHolders) {
  tls_context_store store(live());
  const auto held = store.current();  // as an open connection holds it
  const auto second = make_certificate(dir_.string(), "store-second");
  fs::copy_file(second.cert, file("live.crt"), fs::copy_options::overwrite_existing);
  fs::copy_file(second.key, file("live.key"), fs::copy_options::overwrite_existing);
  EXPECT_TRUE(store.reload());
  EXPECT_NE(store.current(), held);
  EXPECT_NE(SSL_CTX_get0_certificate(held->native_handle()), nullptr);  // still usable
}

TEST_F(tls_context_store_test, ReloadOfBadFilesKeepsTheCurrentContext) {
  tls_context_store store(live());
  const auto before = store.current();
  { std::ofstream(file("live.crt"), std::ios::trunc) << "not a certificate"; }
  EXPECT_FALSE(store.reload());
  EXPECT_EQ(store.current(), before);
  fs::remove(file("live.crt"));
  EXPECT_FALSE(store.reload());
  EXPECT_EQ(store.current(), before);
}

}  // namespace
}  // namespace chatterbox
