#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chatterbox {

// One thing the text must contain: a word, a word's beginning (`deplo*`) or a phrase.
struct search_term {
  std::string text;
  bool prefix = false;  // `deplo*`
  bool phrase = false;  // `"release notes"`

  bool operator==(const search_term&) const = default;
};

// A search query as the user meant it (docs/protocol.md, "search"). Nothing in it is trusted
// text for the search engine: fts5_match turns the terms into quoted strings only.
struct search_query {
  std::vector<search_term> terms;  // all must match
  std::vector<std::string> authors;  // from: (any of them), as typed, without a leading @
  std::vector<std::string> rooms;    // in: (any of them), as typed, without a leading #
  std::optional<std::int64_t> since_ms;  // ts >= since_ms (after:, on:)
  std::optional<std::int64_t> until_ms;  // ts < until_ms (before:, on:)

  bool filters_only() const { return terms.empty(); }
};

inline constexpr std::size_t max_search_query_chars = 500;
inline constexpr std::size_t max_search_terms = 16;
inline constexpr std::size_t max_search_operators = 16;
inline constexpr int max_tz_offset_minutes = 840;

// The message of an invalid_field error (a query that asks for nothing, too much, or a bad date).
struct search_query_error {
  std::string message;
};

// Reads a query. `tz_offset_minutes` (east of UTC) says which days the date operators mean.
// Never fails on odd text: quotes, parentheses, `NEAR(`, `OR`, `-`, `^`, `:` are all just text.
std::variant<search_query, search_query_error> parse_search_query(std::string_view query,
                                                                  int tz_offset_minutes);

// The FTS5 MATCH expression of the terms: each a double-quoted FTS5 string (a `"` inside
// doubled), prefixes followed by `*`, separated by spaces (AND). Empty when there are none.
std::string fts5_match(const std::vector<search_term>& terms);

}  // namespace chatterbox
