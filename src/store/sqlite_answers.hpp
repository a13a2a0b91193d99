#pragma once

#include "chatterbox/storage/write_batcher.hpp"
#include "chatterbox/store/chat_store.hpp"

#include <memory>

namespace chatterbox {

// A write's result lives until its answer: the closure that fills it in inside the transaction
// and the one that reports it after the commit share it.
template <class Result>
write_batcher::then_fn answering(std::shared_ptr<Result> result, chat_store::answer<Result> then) {
  return
      [result = std::move(result), then = std::move(then)](bool stored) { then(stored, *result); };
}

}  // namespace chatterbox
