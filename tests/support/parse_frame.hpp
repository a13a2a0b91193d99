#pragma once

#include "chatterbox/protocol/client_command.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string_view>
#include <variant>

namespace chatterbox::test_support {

// Parses a frame that must be valid and of command type T.
template <class T>
T parse_ok(std::string_view frame) {
  auto result = parse_client_frame(frame);
  if (const auto* error = std::get_if<protocol_error>(&result)) {
    ADD_FAILURE() << "frame " << frame << " rejected: " << error->code << " " << error->message;
    return T{};
  }
  auto& command = std::get<client_command>(result);
  if (auto* typed = std::get_if<T>(&command)) return std::move(*typed);
  ADD_FAILURE() << "frame " << frame << " parsed as variant index " << command.index();
  return T{};
}

// Parses a frame that must be refused; the error it gets.
inline protocol_error parse_error(std::string_view frame) {
  auto result = parse_client_frame(frame);
  if (auto* error = std::get_if<protocol_error>(&result)) return std::move(*error);
  ADD_FAILURE() << "frame " << frame << " was accepted";
  return {};
}

// The same, for a frame built as JSON (as `{{"type", "create"}, …}`).
template <class T>
T parse_json_ok(const nlohmann::json& frame) {
  return parse_ok<T>(std::string_view(frame.dump()));
}
inline protocol_error parse_json_error(const nlohmann::json& frame) {
  return parse_error(std::string_view(frame.dump()));
}

}  // namespace chatterbox::test_support
