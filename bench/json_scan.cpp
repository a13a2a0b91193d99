#include "json_scan.hpp"

#include <charconv>
#include <cstring>

namespace chatterbox::bench {
namespace {

constexpr auto npos = std::string_view::npos;

// One past the closing quote of the string whose opening quote is at `pos`.
std::size_t skip_string(std::string_view text, std::size_t pos) {
  ++pos;
  while (pos < text.size()) {
    const void* hit = std::memchr(text.data() + pos, '"', text.size() - pos);
    if (hit == nullptr) return npos;
    std::size_t quote = static_cast<const char*>(hit) - text.data();
    // An escaped quote has an odd number of backslashes right before it.
    std::size_t slashes = 0;
    while (quote - slashes > pos && text[quote - slashes - 1] == '\\') ++slashes;
    if (slashes % 2 == 0) return quote + 1;
    pos = quote + 1;
  }
  return npos;
}

std::size_t skip_nested(std::string_view text, std::size_t pos) {
  int depth = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (c == '"') {
      pos = skip_string(text, pos);
      if (pos == npos) return npos;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return pos + 1;
    }
    ++pos;
  }
  return npos;
}

}  // namespace

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() &&
         (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) {
    ++pos;
  }
  return pos;
}

std::size_t skip_value(std::string_view text, std::size_t pos) {
  if (pos >= text.size()) return npos;
  const char c = text[pos];
  if (c == '"') return skip_string(text, pos);
  if (c == '{' || c == '[') return skip_nested(text, pos);
  while (pos < text.size() && text[pos] != ',' && text[pos] != '}' && text[pos] != ']' &&
         text[pos] != ' ' && text[pos] != '\n' && text[pos] != '\r' && text[pos] != '\t') {
    ++pos;
  }
  return pos;
}

std::optional<std::string_view> find_field(std::string_view object, std::string_view key) {
  std::size_t pos = skip_space(object, 0);
  if (pos >= object.size() || object[pos] != '{') return std::nullopt;
  ++pos;
  while (true) {
    pos = skip_space(object, pos);
    if (pos >= object.size() || object[pos] == '}') return std::nullopt;
    if (object[pos] == ',') {
      ++pos;
      continue;
    }
    if (object[pos] != '"') return std::nullopt;
    const std::size_t key_end = skip_string(object, pos);
    if (key_end == npos) return std::nullopt;
    const std::string_view name = object.substr(pos + 1, key_end - pos - 2);
    pos = skip_space(object, key_end);
    if (pos >= object.size() || object[pos] != ':') return std::nullopt;
    pos = skip_space(object, pos + 1);
    const std::size_t value_end = skip_value(object, pos);
    if (value_end == npos) return std::nullopt;
    if (name == key) return object.substr(pos, value_end - pos);
    pos = value_end;
  }
}

std::optional<std::string_view> find_string(std::string_view object, std::string_view key) {
  const auto raw = find_field(object, key);
  if (!raw || raw->size() < 2 || raw->front() != '"') return std::nullopt;
  return raw->substr(1, raw->size() - 2);
}

std::optional<std::int64_t> find_int(std::string_view object, std::string_view key) {
  const auto raw = find_field(object, key);
  if (!raw) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), value);
  if (ec != std::errc() || end != raw->data() + raw->size()) return std::nullopt;
  return value;
}

std::optional<bool> find_bool(std::string_view object, std::string_view key) {
  const auto raw = find_field(object, key);
  if (!raw) return std::nullopt;
  if (*raw == "true") return true;
  if (*raw == "false") return false;
  return std::nullopt;
}

std::size_t count_messages(std::string_view event) {
  const auto messages = find_field(event, "messages");
  if (!messages) return 0;
  std::size_t n = 0;
  for (auto pos = messages->find("\"seq\":"); pos != std::string_view::npos;
       pos = messages->find("\"seq\":", pos + 6)) {
    ++n;
  }
  return n;
}

}  // namespace chatterbox::bench
