#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace chatterbox {

// Puts the events of the store's one `seq` counter, as they arrive over a bus that may lose,
// repeat or reorder them, back into seq order, and hands each on exactly once.
//
// Nodes publish an event after its commit, so the bus brings seqs out of order (two nodes commit
// 10 and 11; 11 is published first) and with holes (a node died between commit and publish;
// Redis restarted). An event that follows the last one handed on goes at once; a later one waits
// for those before it for `gap_wait`, and then the store is asked for everything after the last
// one handed on: it is the authority, and its answer (read in one transaction, with the latest
// seq it had) settles every seq up to that latest. A seq the store no longer has is no loss: the
// row changed again since and has a newer seq, which the store's answer carries.
//
// The owner also tells the sequencer the store's latest seq now and then (`on_latest`): an event
// that was committed but never published is found that way, `gap_wait` after it is noticed.
//
// Pure logic: time comes in as arguments, the store is reached through `fetch`, and what the
// sequencer holds is bounded (`max_held` events, beyond which it forgets them and asks the store).
template <typename Event>  // has `std::int64_t seq`
class event_sequencer {
 public:
  using clock = std::chrono::steady_clock;
  using deliver_fn = std::function<void(const Event&)>;
  // Asks the store for the events after `after`; the answer comes to on_fetched (once per call).
  using fetch_fn = std::function<void(std::int64_t after)>;

  struct options {
    std::chrono::milliseconds gap_wait{100};
    std::size_t max_held = 10000;
  };

  event_sequencer(std::int64_t delivered, options opts, deliver_fn deliver, fetch_fn fetch)
      : delivered_(delivered),
        latest_(delivered),
        options_(opts),
        deliver_(std::move(deliver)),
        fetch_(std::move(fetch)) {}

  // An event from the bus.
  void on_published(Event event, clock::time_point now) {
    const auto seq = event.seq;
    if (seq <= delivered_ || held_.contains(seq)) {
      ++duplicates_;
      return;
    }
    latest_ = std::max(latest_, seq);
    if (seq == delivered_ + 1) {
      hand_on(event);
      drain_held();
    } else if (held_.size() < options_.max_held) {
      held_.emplace(seq, std::move(event));
    } else {
      // Too far behind to keep waiting in memory: the store has all of it.
      held_.clear();
      ++overflows_;
    }
    note_gap(now);
  }

  // The store's latest seq, read now.
  void on_latest(std::int64_t latest, clock::time_point now) {
    latest_ = std::max(latest_, latest);
    note_gap(now);
  }

  // Called now and then (a timer): asks the store once a gap has lasted `gap_wait`.
  void tick(clock::time_point now) {
    if (fetching_ || !gap_since_ || now - *gap_since_ < options_.gap_wait) return;
    fetching_ = true;
    ++fetches_;
    fetch_(delivered_);
  }

  // The store's answer to a fetch: its events after the `after` asked for, in seq order, and the
  // seq up to which that answer is complete (the store's latest when it read, or the last event
  // of a page that was cut short). Nothing is lost if the answer is `nullopt` (the store failed):
  // the gap stays, and the next tick asks again.
  void on_fetched(std::optional<std::pair<std::vector<Event>, std::int64_t>> answer,
                  clock::time_point now) {
    fetching_ = false;
    if (!answer) {
      gap_since_ = now;  // ask again after another gap_wait, not at once
      return;
    }
    auto& [events, complete_to] = *answer;
    // Held events the answer lacks go out too, in order among its own: a store may not be able
    // to say again every change it has (a room's membership before the change after it), while
    // the bus had carried that change.
    for (const auto& event : events) {
      if (event.seq <= delivered_ || event.seq > complete_to) continue;
      hand_on_held_before(event.seq);
      held_.erase(event.seq);
      hand_on(event);
    }
    hand_on_held_before(complete_to + 1);
    delivered_ = std::max(delivered_, complete_to);
    latest_ = std::max(latest_, complete_to);
    drain_held();
    gap_since_.reset();
    note_gap(now);
  }

  std::int64_t delivered() const { return delivered_; }
  std::size_t held() const { return held_.size(); }
  std::size_t duplicates() const { return duplicates_; }
  std::size_t fetches() const { return fetches_; }
  std::size_t overflows() const { return overflows_; }
  bool fetching() const { return fetching_; }

 private:
  void hand_on(const Event& event) {
    delivered_ = event.seq;
    deliver_(event);
  }

  void hand_on_held_before(std::int64_t seq) {
    while (!held_.empty() && held_.begin()->first < seq) {
      auto node = held_.extract(held_.begin());
      if (node.key() > delivered_) hand_on(node.mapped());
    }
  }

  void drain_held() {
    while (!held_.empty() && held_.begin()->first == delivered_ + 1) {
      auto node = held_.extract(held_.begin());
      hand_on(node.mapped());
    }
    held_.erase(held_.begin(), held_.upper_bound(delivered_));
  }

  // A gap is open while something is known to exist past what has been handed on.
  void note_gap(clock::time_point now) {
    if (latest_ <= delivered_) {
      gap_since_.reset();
    } else if (!gap_since_) {
      gap_since_ = now;
    }
  }

  std::int64_t delivered_;
  std::int64_t latest_;
  options options_;
  deliver_fn deliver_;
  fetch_fn fetch_;
  std::map<std::int64_t, Event> held_;
  std::optional<clock::time_point> gap_since_;
  bool fetching_ = false;
  std::size_t duplicates_ = 0;
  std::size_t fetches_ = 0;
  std::size_t overflows_ = 0;
};

}  // namespace chatterbox
