#pragma once

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace chatterbox {

namespace http = boost::beast::http;
using http_request = http::request<http::string_body>;
using http_response = http::response<http::string_body>;

// Every response carries the security headers; building responses only through these helpers
// is what guarantees it.
http_response make_response(http::status status, const http_request& request);
http_response json_response(http::status status, const http_request& request,
                            const nlohmann::json& body);
// {"error": {"code": ..., "message": ...}}
http_response json_error(http::status status, const http_request& request, std::string_view code,
                         std::string_view message);
// 405 with the Allow header naming the methods the path takes.
http_response method_not_allowed(const http_request& request, std::string_view allow);
// 503 busy with Retry-After: the database refused the write this request needed (locked by
// another process, full, failing); nothing of it was stored.
http_response database_busy(const http_request& request);
// The request's body when it is a JSON object (nullopt otherwise: answer invalid_json).
std::optional<nlohmann::json> json_object_body(const http_request& request);
// 400 invalid_json: the body is not a JSON object.
http_response invalid_json(const http_request& request);
// A string member of a JSON object, "" when it is absent or not a string.
std::string string_field(const nlohmann::json& object, const char* name);
// For a request that could not be parsed (too large, malformed): no request to mirror.
http_response bare_json_error(http::status status, std::string_view code, std::string_view message);

}  // namespace chatterbox
