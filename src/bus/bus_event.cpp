#include "chatterbox/bus/bus_event.hpp"

#include <charconv>

namespace chatterbox {
namespace {

// Reads a decimal number ending at `end` from the front of `text`, and the separator after it.
template <typename Number>
bool take_number(std::string_view& text, char end, Number& value) {
  const auto stop = text.find(end);
  if (stop == std::string_view::npos || stop == 0) return false;
  const auto [at, error] = std::from_chars(text.data(), text.data() + stop, value);
  if (error != std::errc() || at != text.data() + stop) return false;
  text.remove_prefix(stop + 1);
  return true;
}

}  // namespace

std::string encode_bus_batch(const std::vector<bus_event>& events) {
  std::size_t size = 0;
  for (const auto& e : events) size += e.frame.size() + 48;
  std::string out;
  out.reserve(size);
  for (const auto& e : events) {
    out.append(std::to_string(e.seq))
        .append(" ")
        .append(std::to_string(e.room))
        .append(" ")
        .append(std::to_string(e.frame.size()))
        .append("\n")
        .append(e.frame);
  }
  return out;
}

std::optional<std::vector<bus_event>> decode_bus_batch(std::string_view payload) {
  std::vector<bus_event> events;
  while (!payload.empty()) {
    bus_event e;
    std::size_t bytes = 0;
    if (!take_number(payload, ' ', e.seq) || !take_number(payload, ' ', e.room) ||
        !take_number(payload, '\n', bytes) || bytes > payload.size() || e.seq <= 0) {
      return std::nullopt;
    }
    e.frame.assign(payload.substr(0, bytes));
    payload.remove_prefix(bytes);
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace chatterbox
