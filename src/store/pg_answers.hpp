#pragma once

// How pg_chat_store reads the answers of pg_schema's write functions.

#include "chatterbox/postgres/pg_connection.hpp"
#include "chatterbox/protocol/client_command.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

namespace chatterbox::pg_answers {

// The functions' refusals (pg_schema) in the protocol's words, as SQLite's store says them.
inline protocol_error refusal(std::string_view outcome, nlohmann::json ref, std::string_view verb = "") {
  if (outcome == "no_room") return {"not_found", "no such room", std::move(ref)};
  if (outcome == "archived") return {"forbidden", "the room is archived", std::move(ref)};
  if (outcome == "no_original" || outcome == "not_found") {
    return {"not_found", "no such message", std::move(ref)};
  }
  if (outcome == "original_deleted" || outcome == "message_deleted") {
    return {"forbidden", "the message is deleted", std::move(ref)};
  }
  if (outcome == "already_deleted") return {"already_deleted", "the message is deleted", std::move(ref)};
  if (outcome == "no_file") return {"not_found", "no such file", std::move(ref)};
  if (outcome == "file_attached") return {"forbidden", "the file is already attached", std::move(ref)};
  if (outcome == "not_author") {
    return {"forbidden", "only the author can " + std::string(verb) + " a message", std::move(ref)};
  }
  if (outcome == "too_many") {
    return {"forbidden", "a message has at most 20 different reactions", std::move(ref)};
  }
  throw std::runtime_error("unknown outcome from PostgreSQL: " + std::string(outcome));
}

// Reads a write's one row into `result`; false (logged) when the row is not what the function
// returns, which would be a schema the binary does not know: the write is then reported as not
// stored, which is true of what this node can tell its client.
template <class Result, class Read>
bool read_answer(const pg_result& rows, Result& result, const char* what, Read read) {
  try {
    const auto& row = rows.rows.at(0);
    read(row, row.at(0).value());
    return true;
  } catch (const std::exception& e) {
    spdlog::error("{}: unexpected answer from PostgreSQL: {}", what, e.what());
    result = Result{};
    return false;
  }
}

}  // namespace chatterbox::pg_answers
