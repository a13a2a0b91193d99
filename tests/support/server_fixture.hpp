#pragma once

#include "support/server_process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_client.hpp"

#include <memory>

namespace chatterbox::test_support {

// A real server on an ephemeral port with a fresh database, restartable on the same file.
class server_test : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    start();
  }
  void TearDown() override {
    server_.reset();
    temp_dir_test::TearDown();
  }

  void start(std::vector<std::string> extra_args = {}, std::uint16_t port = 0) {
    server_ = std::make_unique<server_process>(file("chat.db"), std::move(extra_args), port);
  }
  void restart(std::vector<std::string> extra_args = {}) {
    ASSERT_EQ(server_->terminate(), 0) << server_->output();
    start(std::move(extra_args));
  }

  std::uint16_t port() const { return server_->port(); }
  // A connection of `username` (the account is created if needed), its hello consumed.
  std::unique_ptr<ws_client> connect(const std::string& username) {
    return ws_client::connect(port(), token_for(port(), username));
  }
  // The same (the name the rooms tests were written with).
  std::unique_ptr<ws_client> join(const std::string& username) { return connect(username); }

  std::unique_ptr<server_process> server_;
};

}  // namespace chatterbox::test_support
