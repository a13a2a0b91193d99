#include "chatterbox/protocol/search_query.hpp"

#include "chatterbox/protocol/text.hpp"
#include "chatterbox/text/ascii.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace chatterbox {
namespace {

using ascii::is_space;
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Whether the search engine's tokenizer (unicode61) can find a word in `text`. ASCII
// punctuation never makes one; non-ASCII characters may (letters) or may not (`…`), and
// keeping one that does not only adds an empty phrase, which FTS5 ignores.
bool has_token(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    return is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80;
  });
}


constexpr std::int64_t ms_per_day = 86'400'000;

// The first millisecond of the day `text` (YYYY-MM-DD) in a zone `tz_offset_minutes` east of
// UTC; nullopt for anything else, impossible dates (2026-02-30) included.
std::optional<std::int64_t> day_start(std::string_view text, int tz_offset_minutes) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!is_digit(text[i])) return std::nullopt;
  }
  const auto number = [&](std::size_t at, std::size_t length) {
    int value = 0;
    for (std::size_t i = at; i < at + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  const std::chrono::year_month_day date{std::chrono::year{number(0, 4)},
                                         std::chrono::month{static_cast<unsigned>(number(5, 2))},
                                         std::chrono::day{static_cast<unsigned>(number(8, 2))}};
  if (!date.ok() || date.year() < std::chrono::year{1}) return std::nullopt;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  return static_cast<std::int64_t>(days) * ms_per_day -
         static_cast<std::int64_t>(tz_offset_minutes) * 60'000;
}

class query_reader {
 public:
  query_reader(std::string_view query, int tz_offset_minutes)
      : query_(query), tz_offset_minutes_(tz_offset_minutes) {}

  std::variant<search_query, search_query_error> read() {
    while (!error_) {
      while (at_ < query_.size() && is_space(query_[at_])) ++at_;
      if (at_ == query_.size()) break;
      if (query_[at_] == '"') {
        add_term({std::string(quoted()), false, true});
      } else {
        word();
      }
    }
    if (error_) return std::move(*error_);
    if (result_.terms.empty() && operators_ == 0) {
      return search_query_error{"nothing to search for"};
    }
    return std::move(result_);
  }

 private:
  // The text after an opening quote at at_, up to the closing one or the end of the query.
  std::string_view quoted() {
    const auto begin = at_ + 1;
    const auto end = std::min(query_.find('"', begin), query_.size());
    at_ = std::min(end + 1, query_.size());
    return query_.substr(begin, end - begin);
  }

  // Runs to a space or a quote: a quote always starts a phrase (or an operator's value).
  void word() {
    const auto begin = at_;
    while (at_ < query_.size() && !is_space(query_[at_]) && query_[at_] != '"') ++at_;
    const auto text = query_.substr(begin, at_ - begin);
    if (operation(text)) return;
    auto stem = text;
    while (!stem.empty() && stem.back() == '*') stem.remove_suffix(1);
    const bool prefix = stem.size() < text.size() && count_code_points(stem) >= 2;
    add_term({std::string(stem), prefix, false});
  }

  // An operator (`from:alice`, `in:"big room"`, `after:2026-11-01`) is handled and true;
  // anything else, `from:` without a value included, is text: false.
  bool operation(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    const auto name = ascii::lowered(text.substr(0, colon));
    if (name != "from" && name != "in" && name != "after" && name != "before" && name != "on") {
      return false;
    }
    std::string_view value = text.substr(colon + 1);
    const bool named = name == "from" || name == "in";
    if (value.empty() && named && at_ < query_.size() && query_[at_] == '"') value = quoted();
    if (named && !value.empty() && value.front() == (name == "from" ? '@' : '#')) {
      value.remove_prefix(1);
    }
    value = trim_whitespace(value);
    if (value.empty()) return false;
    if (++operators_ > max_search_operators) {
      fail("at most 16 operators");
    } else if (name == "from") {
      result_.authors.emplace_back(value);
    } else if (name == "in") {
      result_.rooms.emplace_back(value);
    } else {
      date(name, value);
    }
    return true;
  }

  void date(std::string_view name, std::string_view value) {
    const auto start = day_start(value, tz_offset_minutes_);
    if (!start) return fail("dates are YYYY-MM-DD");
    const auto lower = [&](std::int64_t bound) {
      result_.since_ms = std::max(result_.since_ms.value_or(bound), bound);
    };
    const auto upper = [&](std::int64_t bound) {
      result_.until_ms = std::min(result_.until_ms.value_or(bound), bound);
    };
    if (name == "after") {
      lower(*start + ms_per_day);
    } else if (name == "before") {
      upper(*start);
    } else {  // on
      lower(*start);
      upper(*start + ms_per_day);
    }
  }

  void add_term(search_term term) {
    if (!has_token(term.text)) return;
    if (result_.terms.size() == max_search_terms) return fail("at most 16 words or phrases");
    result_.terms.push_back(std::move(term));
  }

  void fail(std::string message) {
    if (!error_) error_ = search_query_error{std::move(message)};
  }

  std::string_view query_;
  int tz_offset_minutes_;
  std::size_t at_ = 0;
  std::size_t operators_ = 0;
  search_query result_;
  std::optional<search_query_error> error_;
};

}  // namespace

std::variant<search_query, search_query_error> parse_search_query(std::string_view query,
                                                                  int tz_offset_minutes) {
  return query_reader(query, tz_offset_minutes).read();
}

std::string fts5_match(const std::vector<search_term>& terms) {
  std::string out;
  for (const auto& term : terms) {
    if (!out.empty()) out.push_back(' ');
    out.push_back('"');
    for (const char c : term.text) {
      if (c == '"') out.push_back('"');
      out.push_back(c);
    }
    out.push_back('"');
    if (term.prefix) out.push_back('*');
  }
  return out;
}

}  // namespace chatterbox
