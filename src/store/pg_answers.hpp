#pragma once

// How pg_chat_store reads the answers of pg_schema's write functions.

#include "chatterbox/postgres/pg_batcher.hpp"
#include "chatterbox/postgres/pg_connection.hpp"
#include "chatterbox/protocol/client_command.hpp"
#include "chatterbox/store/chat_store.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chatterbox::pg_answers {

// The functions' refusals (pg_schema) in the protocol's words, as SQLite's store says them.
inline protocol_error refusal(std::string_view outcome, nlohmann::json ref,
                              std::string_view verb = "") {
  if (outcome == "no_room") return {"not_found", "no such room", std::move(ref)};
  if (outcome == "archived") return {"forbidden", "the room is archived", std::move(ref)};
  if (outcome == "no_original" || outcome == "not_found") {
    return {"not_found", "no such message", std::move(ref)};
  }
  if (outcome == "original_deleted" || outcome == "message_deleted") {
    return {"forbidden", "the message is deleted", std::move(ref)};
  }
  if (outcome == "already_deleted")
    return {"already_deleted", "the message is deleted", std::move(ref)};
  if (outcome == "no_file") return {"not_found", "no such file", std::move(ref)};
  if (outcome == "file_attached")
    return {"forbidden", "the file is already attached", std::move(ref)};
  if (outcome == "not_author") {
    return {"forbidden", "only the author can " + std::string(verb) + " a message", std::move(ref)};
  }
  if (outcome == "too_many") {
    return {"forbidden", "a message has at most 20 different reactions", std::move(ref)};
  }
  throw std::runtime_error("unknown outcome from PostgreSQL: " + std::string(outcome));
}

using pg_row = std::vector<std::optional<std::string>>;

// The answer to a statement, as `then` of a pg_batcher: `read(result, rows)` fills the result
// in. Rows the binary does not understand (a schema it does not know) are logged and answered
// as a failure (not stored, not read), which is true of what this node can tell its client.
template <class Result, class Read>
pg_batcher::then_fn answer_rows(const char* what, chat_store::answer<Result> then, Read read) {
  return [what, then = std::move(then), read = std::move(read)](const pg_result* rows) {
    Result result{};
    if (rows == nullptr) return then(false, result);
    try {
      read(result, *rows);
    } catch (const std::exception& e) {
      spdlog::error("{}: unexpected answer from PostgreSQL: {}", what, e.what());
      result = Result{};
      return then(false, result);
    }
    then(true, result);
  };
}

// The answer to a write that returns one row, its first column the outcome: `read(result, row,
// outcome)` fills the result in.
template <class Result, class Read>
pg_batcher::then_fn answer_row(const char* what, chat_store::answer<Result> then, Read read) {
  return answer_rows<Result>(what, std::move(then),
                             [read = std::move(read)](Result& result, const pg_result& rows) {
                               const auto& row = rows.rows.at(0);
                               read(result, row, row.at(0).value());
                             });
}

}  // namespace chatterbox::pg_answers
