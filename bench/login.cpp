#include "login.hpp"

#include "json_scan.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

namespace chatterbox::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;

struct attempt {
  unsigned status = 0;
  std::string body;
  std::string error;
};

attempt post_once(const std::string& host, std::uint16_t port, const std::string& body,
                  std::chrono::milliseconds timeout) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::string_body> request{http::verb::post, "/api/login", 11};
  request.set(http::field::host, host + ":" + std::to_string(port));
  request.set(http::field::content_type, "application/json");
  request.body() = body;
  request.prepare_payload();
  http::response<http::string_body> response;
  beast::flat_buffer buffer;
  attempt result;

  stream.expires_after(timeout);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host), port);
  stream.async_connect(endpoint, [&](beast::error_code ec) {
    if (ec) {
      result.error = "connect: " + ec.message();
      return;
    }
    http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
      if (ec) {
        result.error = "write: " + ec.message();
        return;
      }
      http::async_read(stream, buffer, response, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          result.error = "read: " + ec.message();
          return;
        }
        result.status = response.result_int();
        result.body = response.body();
      });
    });
  });
  io.run();
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return result;
}

}  // namespace

login_result login(const std::string& host, std::uint16_t port, const std::string& username,
                   const std::string& password, std::chrono::milliseconds timeout) {
  // Names and passwords are ours ([A-Za-z0-9_.-]), so no escaping is needed.
  const std::string body = R"({"username":")" + username + R"(","password":")" + password + R"("})";
  login_result out;
  for (int tries = 0; tries < 20; ++tries) {
    const attempt a = post_once(host, port, body, timeout);
    if (!a.error.empty()) {
      out.error = a.error;
      return out;
    }
    if (a.status == 503) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (a.status != 200 && a.status != 201) {
      out.error = "login " + username + ": HTTP " + std::to_string(a.status) + " " + a.body;
      return out;
    }
    const auto token = find_string(a.body, "token");
    if (!token) {
      out.error = "login " + username + ": no token in " + a.body;
      return out;
    }
    out.ok = true;
    out.token = std::string(*token);
    return out;
  }
  out.error = "login " + username + ": server stayed busy";
  return out;
}

}  // namespace chatterbox::bench
