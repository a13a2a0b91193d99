#include "chatterbox/limits/login_throttle.hpp"

#include <algorithm>
#include <cmath>

namespace chatterbox {
namespace {

using std::chrono::milliseconds;

milliseconds round_up(login_throttle::clock::duration d) {
  return std::max(milliseconds(1), std::chrono::ceil<milliseconds>(d));
}

// Erases entries matching `pred` until at most `target` remain.
template <typename Map, typename Pred>
void erase_until(Map& map, std::size_t target, Pred pred) {
  for (auto it = map.begin(); it != map.end() && map.size() > target;) {
    it = pred(it->second) ? map.erase(it) : std::next(it);
  }
}

}  // namespace

std::string login_throttle::pair_key(std::string_view username, std::string_view address) {
  // Length-prefixed so no username and address pair can collide with another; the name is
  // lower-cased because "Alice" and "alice" are one account.
  std::string key = std::to_string(username.size());
  key += ':';
  for (char c : username) key += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  key += address;
  return key;
}

void login_throttle::decay(address_state& address, clock::time_point now) const {
  if (now <= address.updated) return;
  const std::chrono::duration<double> elapsed = now - address.updated;
  const double rate = policy_.address_failures_per_minute / 60.0;
  address.failures = std::max(0.0, address.failures - elapsed.count() * rate);
  address.updated = now;
}

bool login_throttle::forgotten(const pair_state& pair, clock::time_point now) const {
  return pair.pending == 0 && now >= pair.waits_until &&
         now - pair.last_failure >= policy_.forget_after;
}

bool login_throttle::pair_stale(const pair_state& pair, clock::time_point now) const {
  return pair.pending == 0 && (pair.failures == 0 || forgotten(pair, now)) &&
         now >= pair.waits_until;
}

bool login_throttle::address_stale(address_state& address, clock::time_point now) const {
  if (address.pending > 0) return false;
  decay(address, now);
  return address.failures <= 0.0;
}

void login_throttle::sweep(clock::time_point now, bool evict) {
  erase_until(pairs_, 0, [&](const pair_state& p) { return pair_stale(p, now); });
  erase_until(addresses_, 0, [&](address_state& a) { return address_stale(a, now); });
  if (!evict) return;
  // Still full: forget in order of least harm. A pair not waiting right now only remembers a
  // count; one that is waiting goes only when nothing else can; an attempt in progress never.
  const auto target = policy_.max_keys - policy_.max_keys / 8;
  if (pairs_.size() >= policy_.max_keys) {
    erase_until(pairs_, target,
                [&](const pair_state& p) { return p.pending == 0 && now >= p.waits_until; });
    erase_until(pairs_, target, [](const pair_state& p) { return p.pending == 0; });
  }
  if (addresses_.size() >= policy_.max_keys) {
    erase_until(addresses_, target, [](const address_state& a) { return a.pending == 0; });
  }
}

bool login_throttle::make_room(clock::time_point now) {
  const auto full = [&] {
    return pairs_.size() >= policy_.max_keys || addresses_.size() >= policy_.max_keys;
  };
  if (!full()) return true;
  sweep(now, false);
  if (full()) sweep(now, true);
  return !full();
}

login_throttle::decision login_throttle::admit(std::string_view username, std::string_view address,
                                               clock::time_point now) {
  // Amortised cleanup, so the tables shrink back after a burst of distinct keys.
  if (++admits_since_sweep_ >= 1024) {
    admits_since_sweep_ = 0;
    sweep(now, false);
  }
  const auto key = pair_key(username, address);
  const std::string address_key(address);

  if (auto p = pairs_.find(key); p != pairs_.end()) {
    auto& pair = p->second;
    if (forgotten(pair, now)) pair = pair_state{};
    if (now < pair.waits_until) return {verdict::pair_waiting, round_up(pair.waits_until - now)};
    // Past its free failures a pair gets one attempt at a time: the next delay depends on how
    // this one ends.
    if (pair.pending > 0 && pair.failures + pair.pending >= policy_.free_failures) {
      return {verdict::pair_waiting, milliseconds(1000)};
    }
  }
  if (auto a = addresses_.find(address_key); a != addresses_.end()) {
    auto& state = a->second;
    if (state.pending >= policy_.max_pending_per_address) {
      return {verdict::address_busy, milliseconds(1000)};
    }
    decay(state, now);
    const double limit = policy_.address_failures_per_minute;
    const double excess = state.failures + static_cast<double>(state.pending) + 1.0 - limit;
    if (excess > 0) {
      const auto wait = std::chrono::duration<double>(excess * 60.0 / limit);
      return {verdict::address_over_limit,
              round_up(std::chrono::duration_cast<clock::duration>(wait))};
    }
  }

  if (!pairs_.contains(key) || !addresses_.contains(address_key)) {
    if (!make_room(now)) return {verdict::address_busy, milliseconds(1000)};
  }
  ++pairs_[key].pending;
  auto& state = addresses_[address_key];
  if (state.updated == clock::time_point{}) state.updated = now;
  ++state.pending;
  return {verdict::allowed, milliseconds(0)};
}

void login_throttle::release(std::string_view username, std::string_view address,
                             clock::time_point now, bool failure, bool success) {
  if (auto p = pairs_.find(pair_key(username, address)); p != pairs_.end()) {
    auto& pair = p->second;
    if (pair.pending > 0) --pair.pending;
    if (failure) {
      if (forgotten(pair, now)) pair.failures = 0;
      ++pair.failures;
      pair.last_failure = now;
      const auto free_failures = std::max(policy_.free_failures, 1u);
      if (pair.failures >= free_failures) {
        const auto doublings = pair.failures - free_failures;
        auto delay = policy_.max_delay;
        if (doublings < 32 && policy_.first_delay * (1LL << doublings) < delay) {
          delay = policy_.first_delay * (1LL << doublings);
        }
        pair.waits_until = now + delay;
      }
    }
    if (success) pair = pair_state{0, pair.pending, {}, {}};
    if (pair_stale(pair, now)) pairs_.erase(p);
  }
  if (auto a = addresses_.find(std::string(address)); a != addresses_.end()) {
    auto& state = a->second;
    if (state.pending > 0) --state.pending;
    if (failure) {
      decay(state, now);
      state.failures += 1.0;
    }
    if (address_stale(state, now)) addresses_.erase(a);
  }
}

void login_throttle::succeeded(std::string_view username, std::string_view address,
                               clock::time_point now) {
  release(username, address, now, false, true);
}

void login_throttle::failed(std::string_view username, std::string_view address,
                            clock::time_point now) {
  release(username, address, now, true, false);
}

void login_throttle::abandoned(std::string_view username, std::string_view address,
                               clock::time_point now) {
  release(username, address, now, false, false);
}

}  // namespace chatterbox
