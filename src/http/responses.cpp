#include "chatterbox/http/responses.hpp"

namespace chatterbox {
namespace {

void add_security_headers(http_response& response) {
  response.set(http::field::server, "chatterbox");
  response.set("Content-Security-Policy", "default-src 'self'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
}

nlohmann::json error_body(std::string_view code, std::string_view message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

}  // namespace

http_response make_response(http::status status, const http_request& request) {
  http_response response{status, request.version()};
  response.keep_alive(request.keep_alive());
  add_security_headers(response);
  return response;
}

http_response json_response(http::status status, const http_request& request,
                            const nlohmann::json& body) {
  auto response = make_response(status, request);
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  response.prepare_payload();
  return response;
}

http_response json_error(http::status status, const http_request& request, std::string_view code,
                         std::string_view message) {
  return json_response(status, request, error_body(code, message));
}

http_response bare_json_error(http::status status, std::string_view code,
                              std::string_view message) {
  http_response response{status, 11};
  response.keep_alive(false);
  add_security_headers(response);
  response.set(http::field::content_type, "application/json");
  response.body() = error_body(code, message).dump();
  response.prepare_payload();
  return response;
}

http_response method_not_allowed(const http_request& request, std::string_view allow) {
  auto response =
      json_error(http::status::method_not_allowed, request, "method_not_allowed",
                 "method not allowed");
  response.set(http::field::allow, allow);
  return response;
}

http_response database_busy(const http_request& request) {
  auto response = json_error(http::status::service_unavailable, request, "busy",
                             "the database is busy; retry shortly");
  response.set(http::field::retry_after, "1");
  return response;
}

std::optional<nlohmann::json> json_object_body(const http_request& request) {
  auto body = nlohmann::json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) return std::nullopt;
  return body;
}

http_response invalid_json(const http_request& request) {
  return json_error(http::status::bad_request, request, "invalid_json",
                    "body must be a JSON object");
}

std::string string_field(const nlohmann::json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace chatterbox
