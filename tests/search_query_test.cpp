#include "chatterbox/protocol/search_query.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace chatterbox {
namespace {

search_query parsed(std::string_view text, int tz_offset = 0) {
  auto result = parse_search_query(text, tz_offset);
  if (const auto* error = std::get_if<search_query_error>(&result)) {
    ADD_FAILURE() << text << ": " << error->message;
    return {};
  }
  return std::get<search_query>(std::move(result));
}

std::string refused(std::string_view text, int tz_offset = 0) {
  const auto result = parse_search_query(text, tz_offset);
  if (const auto* error = std::get_if<search_query_error>(&result)) return error->message;
  ADD_FAILURE() << text << " was accepted";
  return {};
}

search_term word(std::string text) { return {std::move(text), false, false}; }
search_term prefix(std::string text) { return {std::move(text), true, false}; }
search_term phrase(std::string text) { return {std::move(text), false, true}; }

constexpr std::int64_t day_ms = 86'400'000;
constexpr std::int64_t nov_1_2026 = 20'758 * day_ms;  // 2026-11-01T00:00Z

TEST(search_query_test, WordsPrefixesAndPhrases) {
  const auto q = parsed("deploy  deplo* \"release notes\" x*");
  EXPECT_EQ(q.terms, (std::vector{word("deploy"), prefix("deplo"), phrase("release notes"),
                                  word("x")}));
  EXPECT_EQ(fts5_match(q.terms), R"("deploy" "deplo"* "release notes" "x")");
}

TEST(search_query_test, AnUnbalancedQuoteRunsToTheEnd) {
  EXPECT_EQ(parsed("ship \"it now").terms, (std::vector{word("ship"), phrase("it now")}));
  EXPECT_EQ(parsed("a\"b c\"d").terms, (std::vector{word("a"), phrase("b c"), word("d")}));
  EXPECT_EQ(refused("\""), "nothing to search for");
}

TEST(search_query_test, OperatorsAreNotText) {
  const auto q = parsed("from:alice FROM:@Bob in:general in:#Design in:\"big room\" hi");
  EXPECT_EQ(q.authors, (std::vector<std::string>{"alice", "Bob"}));
  EXPECT_EQ(q.rooms, (std::vector<std::string>{"general", "Design", "big room"}));
  EXPECT_EQ(q.terms, std::vector{word("hi")});
}

TEST(search_query_test, OperatorsAloneAreAQuery) {
  const auto q = parsed("from:alice");
  EXPECT_TRUE(q.filters_only());
  EXPECT_EQ(q.authors, std::vector<std::string>{"alice"});
}

TEST(search_query_test, AnOperatorWithoutAValueIsText) {
  EXPECT_EQ(parsed("from: in:# to:bob").terms,
            (std::vector{word("from:"), word("in:#"), word("to:bob")}));
}

TEST(search_query_test, DatesAreDaysOfTheUsersZone) {
  auto q = parsed("after:2026-10-31");
  EXPECT_EQ(q.since_ms, nov_1_2026);
  EXPECT_FALSE(q.until_ms);
  q = parsed("before:2026-11-01");
  EXPECT_EQ(q.until_ms, nov_1_2026);
  q = parsed("on:2026-11-01", 540);  // Tokyo: the day starts at 15:00 UTC the day before
  EXPECT_EQ(q.since_ms, nov_1_2026 - 540 * 60'000);
  EXPECT_EQ(q.until_ms, nov_1_2026 + day_ms - 540 * 60'000);
  q = parsed("after:2026-01-01 before:2026-12-31 after:2026-10-31 before:2027-01-01");
  EXPECT_EQ(q.since_ms, nov_1_2026);  // the narrowest bounds win
  EXPECT_EQ(q.until_ms, nov_1_2026 + 60 * day_ms);
}

TEST(search_query_test, BadDatesAreRefused) {
  for (const auto* text : {"after:2026-02-30", "before:yesterday", "on:2026-1-1", "on:0000-01-01",
                           "after:2026-13-01", "on:2026-11-01T00:00"}) {
    EXPECT_EQ(refused(text), "dates are YYYY-MM-DD") << text;
  }
}

TEST(search_query_test, PunctuationOnlyWordsAreDropped) {
  EXPECT_EQ(parsed("(( deploy -- ^ :").terms, std::vector{word("deploy")});
  EXPECT_EQ(refused("(( ) -- * \"\" \"!!\""), "nothing to search for");
}

TEST(search_query_test, SearchSyntaxIsJustText) {
  const auto q = parsed("NEAR(a b) OR -x ^y col:z AND NOT");
  EXPECT_EQ(q.terms, (std::vector{word("NEAR(a"), word("b)"), word("OR"), word("-x"), word("^y"),
                                  word("col:z"), word("AND"), word("NOT")}));
}

TEST(search_query_test, LimitsTheNumberOfWordsAndOperators) {
  std::string words;
  for (int i = 0; i < 16; ++i) words += "w" + std::to_string(i) + " ";
  EXPECT_EQ(parsed(words).terms.size(), 16u);
  EXPECT_EQ(refused(words + "one-more"), "at most 16 words or phrases");
  std::string operators;
  for (int i = 0; i < 17; ++i) operators += "from:u" + std::to_string(i) + " ";
  EXPECT_EQ(refused(operators), "at most 16 operators");
}

TEST(search_query_test, QuotesInsideATermAreDoubled) {
  EXPECT_EQ(fts5_match({word("a\"b"), prefix("c\"")}), R"("a""b" "c"""*)");
}

// Whatever the user types, the MATCH expression is valid FTS5 syntax.
TEST(search_query_test, HostileQueriesNeverBreakFts5) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2');"
          "INSERT INTO t VALUES ('near the release notes, deploy it'), ('OR AND NOT ^ - : *')");
  std::vector<std::string> queries = {
      "\"", "\"\"", "\"\"\"", "NEAR(", "NEAR(a b, 2)", "*", "**", "a*", "de*", "OR", "AND b",
      "NOT", "-", "-release", "^deploy", ":", "text:deploy", "{text}: near", "(deploy", "deploy)",
      "\"release notes", "release\" notes", "a\"b\"c\"", "é*", "…", "«» ‹›", "deploy* *release",
      "\"NEAR(\" \"OR\"", "+deploy", "deploy^2", "in: from: on:", "'quoted'", "\\\"",
      std::string(500, '('), std::string(500, '"'), std::string(500, '*'),
  };
  std::string punctuation;
  for (int i = 0; i < 500; ++i) punctuation.push_back("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"[i % 32]);
  queries.push_back(punctuation);
  for (std::size_t i = 0; i + 2 < punctuation.size(); i += 31) {
    queries.push_back(punctuation.substr(0, i) + " word " + punctuation.substr(i));
  }
  SQLite::Statement search(db, "SELECT count(*) FROM t WHERE t MATCH ?");
  for (const auto& text : queries) {
    const auto result = parse_search_query(text, 0);
    const auto* q = std::get_if<search_query>(&result);
    if (q == nullptr || q->terms.empty()) continue;
    search.reset();
    search.bind(1, fts5_match(q->terms));
    EXPECT_NO_THROW(search.executeStep()) << text << " -> " << fts5_match(q->terms);
  }
}

TEST(search_query_test, OperatorsAreMatchedWholeAndFound) {
  SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='unicode61 remove_diacritics 2');"
          "INSERT INTO t VALUES ('Near the Résumé: deployed OR not')");
  SQLite::Statement search(db, "SELECT count(*) FROM t WHERE t MATCH ?");
  for (const auto* text : {"NEAR(", "resume", "deplo*", "OR", "\"the resume\"", "not\""}) {
    const auto q = parsed(text);
    search.reset();
    search.bind(1, fts5_match(q.terms));
    ASSERT_TRUE(search.executeStep());
    EXPECT_EQ(search.getColumn(0).getInt(), 1) << text;
  }
}

}  // namespace
}  // namespace chatterbox
