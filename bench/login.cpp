#include "login.hpp"

#include "http_client.hpp"
#include "json_scan.hpp"

#include <thread>

namespace chatterbox::bench {

login_result login(const std::string& host, std::uint16_t port, const std::string& username,
                   const std::string& password, std::chrono::milliseconds timeout) {
  // Names and passwords are ours ([A-Za-z0-9_.-]), so no escaping is needed.
  const std::string body = R"({"username":")" + username + R"(","password":")" + password + R"("})";
  login_result out;
  for (int tries = 0; tries < 20; ++tries) {
    const http_result a = http_call(host, port, "/api/login", body, timeout);
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
