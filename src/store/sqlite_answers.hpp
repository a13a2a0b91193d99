#pragma once

// How the SQLite stores answer: reads before the call returns, writes once the group commit
// has decided.

#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/chat_store.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <functional>
#include <memory>
#include <utility>

namespace chatterbox {

// A write's result lives until its answer: the closure that fills it in inside the transaction
// and the one that reports it after the commit share it.
template <class Result>
write_batcher::then_fn answering(std::shared_ptr<Result> result, chat_store::answer<Result> then) {
  return
      [result = std::move(result), then = std::move(then)](bool stored) { then(stored, *result); };
}

namespace sqlite_answers {

// A read on the loop: its answer, or not ok when SQLite throws (an I/O error, a corrupt page).
// `then` runs outside the try, so an exception of its own is not taken for the read's.
template <class Result, class Read>
void read_now(const char* what, const chat_store::answer<Result>& then, Read read) {
  Result result{};
  bool ok = true;
  try {
    result = read();
  } catch (const std::exception& e) {
    spdlog::error("{}: {}", what, e.what());
    ok = false;
    result = Result{};
  }
  then(ok, result);
}

// `write(result)` inside the group commit's transaction; `then` once it has committed (or not:
// then with an empty result).
template <class Result, class Write>
void write_then(write_batcher& writes, Write write, chat_store::answer<Result> then) {
  auto result = std::make_shared<Result>();
  writes.submit([result, write = std::move(write)] { write(*result); },
                [result, then = std::move(then)](bool stored) {
                  if (!stored) *result = Result{};
                  then(stored, *result);
                });
}

}  // namespace sqlite_answers
}  // namespace chatterbox
