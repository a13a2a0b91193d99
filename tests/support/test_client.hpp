#pragma once

// A protocol v1 test client. Only declarations here: the Beast/Asio code lives in
// test_client.cpp, compiled once instead of in every integration test file.

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/verb.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace chatterbox::test_support {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using json = nlohmann::json;
using namespace std::chrono_literals;

// Every wait in a test is bounded by this unless a test says otherwise.
inline constexpr auto wait_bound = std::chrono::seconds(10);

struct http_result {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lowercase names; repeats joined by "\n"
  std::string body;

  json body_json() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// One HTTP/1.1 request on a fresh connection, with a bounded wait.
http_result http_request(std::uint16_t port, http::verb method, const std::string& target,
                         const std::string& body = "",
                         const std::map<std::string, std::string>& headers = {});

http_result login(std::uint16_t port, const std::string& username,
                  const std::string& password = "password123");

// A token for `username`, creating the account if needed.
std::string token_for(std::uint16_t port, const std::string& username);

// A protocol v1 client. Server frames that are arrays are split into their events, so tests
// see one event at a time whichever way the server batched them.
class ws_client {
 public:
  struct options {
    std::optional<std::string> token;
    bool as_cookie = false;
    std::optional<std::string> origin;
  };

  ws_client(std::uint16_t port, options opts);
  ~ws_client();

  // Connects with a bearer token and consumes hello, history, presence and receipts.
  static std::unique_ptr<ws_client> join(std::uint16_t port, const std::string& token);

  bool connected() const;
  unsigned upgrade_status() const;

  void send(const json& frame);
  void send_text(const std::string& text, bool binary = false);

  // The next event, or nullopt when none arrived within `bound` or the connection ended.
  std::optional<json> next(std::chrono::steady_clock::duration bound = wait_bound);
  // The next event of `type`, skipping others; throws when none arrives in time.
  json expect(const std::string& type, std::chrono::steady_clock::duration bound = wait_bound);
  // Every event that arrives before the answer to a `history` request sent now. Because the
  // server handles one connection's frames in order, this proves what was (not) delivered
  // without waiting for a timeout.
  std::vector<json> drain();
  // Every event until the server closes the connection (bounded).
  std::vector<json> drain_until_closed(std::chrono::steady_clock::duration bound = wait_bound);
  // Waits for the server to close the connection; the close code, or nullopt on timeout.
  std::optional<std::uint16_t> wait_closed(std::chrono::steady_clock::duration bound = wait_bound);
  void close();

  // Stop reading without closing: the server sees a client whose receive window fills up.
  tcp::socket& raw_socket();
  std::string last_error() const;

  json hello, history, presence, receipts;
  std::vector<json> skipped;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace chatterbox::test_support
