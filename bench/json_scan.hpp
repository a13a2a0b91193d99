#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

// Just enough JSON for the hot path: split a server frame into its events and pull single
// top-level fields out of one event, without building a document.
namespace chatterbox::bench {

// Calls `on_event(std::string_view object)` for every event in a server frame: the frame itself
// when it is one object, or each element when it is an array of objects (protocol v1 allows
// both). Returns false when the frame is neither.
template <typename F>
bool for_each_event(std::string_view frame, F&& on_event);

// The raw text of a top-level field's value in one JSON object (`"abc"` keeps its quotes,
// numbers/true/false/null as written, nested objects/arrays with their brackets).
std::optional<std::string_view> find_field(std::string_view object, std::string_view key);

// The characters inside a string value (no unescaping: our bench values need none).
std::optional<std::string_view> find_string(std::string_view object, std::string_view key);

std::optional<std::int64_t> find_int(std::string_view object, std::string_view key);

std::optional<bool> find_bool(std::string_view object, std::string_view key);

// Message objects in a `history`/`sync` event's "messages" array: each has exactly one "seq"
// key, and a JSON string cannot hold an unescaped `"seq":`.
std::size_t count_messages(std::string_view event);

// Index one past the end of the JSON value starting at `pos` (string, number, literal, object or
// array), or npos when it is cut short.
std::size_t skip_value(std::string_view text, std::size_t pos);

std::size_t skip_space(std::string_view text, std::size_t pos);

template <typename F>
bool for_each_event(std::string_view frame, F&& on_event) {
  std::size_t pos = skip_space(frame, 0);
  if (pos >= frame.size()) return false;
  if (frame[pos] == '{') {
    const std::size_t end = skip_value(frame, pos);
    if (end == std::string_view::npos) return false;
    on_event(frame.substr(pos, end - pos));
    return true;
  }
  if (frame[pos] != '[') return false;
  ++pos;
  while (true) {
    pos = skip_space(frame, pos);
    if (pos >= frame.size()) return false;
    if (frame[pos] == ']') return true;
    if (frame[pos] == ',') {
      ++pos;
      continue;
    }
    if (frame[pos] != '{') return false;
    const std::size_t end = skip_value(frame, pos);
    if (end == std::string_view::npos) return false;
    on_event(frame.substr(pos, end - pos));
    pos = end;
  }
}

}  // namespace chatterbox::bench
