// sqlite_chat_store: reads, answered before the call returns. A read that fails throws to the
// caller (chat_service answers that request `error internal`), as it did before the seam.

#include "chatterbox/store/sqlite_chat_store.hpp"

#include "chatterbox/chat/room_directory.hpp"
#include "chatterbox/storage/read_snapshot.hpp"

#include <algorithm>

namespace chatterbox {

namespace {

// Changes read per statement while looking for those a user may see.
constexpr int change_chunk = 1000;

// Answers a read at once.
template <class Result>
void answer_now(const chat_store::answer<Result>& then, Result result) {
  then(true, result);
}

}  // namespace

void sqlite_chat_store::marks_of(std::int64_t user_id, answer<std::vector<room_marks>> then) {
  const read_snapshot snapshot(storage_.db);  // every count of one state
  std::vector<room_marks> out;
  for (auto& m : storage_.rooms.memberships_of(user_id)) {
    room_marks marks{m.room_id, m.marker, std::move(m.notify), 0, 0};
    // Nothing after the marker: nothing to count (the common case costs no query).
    const auto* room = rooms_.find(m.room_id);
    if (room != nullptr && room->last_id > marks.marker) {
      marks.unread = storage_.messages.unread(m.room_id, user_id, marks.marker, unread_cap);
      marks.mentions = storage_.mentions.count(user_id, m.room_id, marks.marker, unread_cap);
    }
    out.push_back(std::move(marks));
  }
  answer_now(then, std::move(out));
}

void sqlite_chat_store::unread_after(std::int64_t room_id, std::int64_t user_id,
                                     std::int64_t marker, answer<room_marks> then) {
  const read_snapshot snapshot(storage_.db);  // both counts of one state
  room_marks marks{room_id, marker, "", 0, 0};
  marks.unread = storage_.messages.unread(room_id, user_id, marker, unread_cap);
  marks.mentions = storage_.mentions.count(user_id, room_id, marker, unread_cap);
  answer_now(then, std::move(marks));
}

void sqlite_chat_store::page_before(std::int64_t room_id, std::optional<std::int64_t> before,
                                    int limit, std::int64_t viewer,
                                    answer<std::vector<message>> then) {
  const read_snapshot snapshot(storage_.db);  // the page and its reactions of one state
  auto page = storage_.messages.page_before(room_id, before, limit);
  storage_.reactions.attach(page, viewer);
  answer_now(then, std::move(page));
}

void sqlite_chat_store::page_after(std::int64_t room_id, std::int64_t after, int limit,
                                   std::int64_t viewer, answer<std::vector<message>> then) {
  const read_snapshot snapshot(storage_.db);
  auto page = storage_.messages.page_after(room_id, after, limit);
  storage_.reactions.attach(page, viewer);
  answer_now(then, std::move(page));
}

void sqlite_chat_store::page_around(std::int64_t room_id, std::int64_t id, int older_limit,
                                    int newer_limit, std::int64_t viewer,
                                    answer<around_page> then) {
  const read_snapshot snapshot(storage_.db);
  around_page page;
  const auto owner = storage_.messages.find_owner(id);
  page.found = owner && owner->room == room_id;
  if (page.found) {
    page.older = storage_.messages.page_before(room_id, id, older_limit + 1);
    // From the message itself on: it is the first of these.
    page.newer = storage_.messages.page_after(room_id, id - 1, newer_limit + 2);
    std::vector<message*> both;  // one run of ids: one read of their reactions
    for (auto* side : {&page.older, &page.newer}) {
      for (auto& m : *side) both.push_back(&m);
    }
    storage_.reactions.attach(both, viewer);
  }
  answer_now(then, std::move(page));
}

void sqlite_chat_store::changes_since(std::int64_t since, std::int64_t viewer, room_filter visible,
                                      std::size_t max_messages, std::size_t max_scan,
                                      answer<change_page> then) {
  const read_snapshot snapshot(storage_.db);  // the chunks of one page read one state
  change_page page;
  page.cursor = since;
  std::size_t scanned = 0;
  bool full = false;
  while (!full && !page.exhausted && scanned < max_scan) {
    auto chunk = storage_.messages.changed_since(page.cursor, change_chunk);
    for (auto& m : chunk) {
      ++scanned;
      page.cursor = m.seq;
      if (visible(m.room)) page.messages.push_back(std::move(m));
      if (page.messages.size() > max_messages) {
        full = true;
        break;
      }
    }
    page.exhausted = !full && chunk.size() < static_cast<std::size_t>(change_chunk);
  }
  storage_.reactions.attach(page.messages, viewer);
  answer_now(then, std::move(page));
}

void sqlite_chat_store::departures(std::int64_t user_id, std::int64_t since, std::int64_t until,
                                   answer<std::vector<std::int64_t>> then) {
  answer_now(then, storage_.rooms.departures(user_id, since, until));
}

void sqlite_chat_store::members(std::int64_t room_id, bool open, std::string prefix, int limit,
                                answer<std::vector<std::pair<std::int64_t, std::string>>> then) {
  answer_now(then, storage_.rooms.members(room_id, open, prefix, limit));
}

void sqlite_chat_store::seen_by(std::int64_t room_id, std::int64_t message_id, std::int64_t except,
                                int limit, answer<std::optional<std::vector<std::string>>> then) {
  std::optional<std::vector<std::string>> users;
  const auto owner = storage_.messages.find_owner(message_id);
  if (owner && owner->room == room_id) {
    users = storage_.rooms.seen_by(room_id, message_id, except, limit);
  }
  answer_now(then, std::move(users));
}

void sqlite_chat_store::load(answer<chat_snapshot> then) {
  chat_snapshot snapshot;
  const read_snapshot reading(storage_.db);
  snapshot.users = storage_.users.all_names();
  snapshot.rooms = storage_.rooms.all_rooms();
  snapshot.closed_members = storage_.rooms.members_of_closed_rooms();
  snapshot.markers = storage_.rooms.nonzero_markers();
  for (const auto& room : snapshot.rooms) {
    snapshot.last_ids.emplace_back(room.id, storage_.messages.last_id(room.id));
  }
  snapshot.last_seq = last_seq_;
  answer_now(then, std::move(snapshot));
}

void sqlite_chat_store::search(search_request request, std::vector<search_term> terms,
                               answer<search_page> then) {
  request.match = fts5_match(terms);
  const read_snapshot snapshot(storage_.db);  // the hits and their reactions of one state
  auto page = search_.search(request);
  std::vector<message*> found;
  found.reserve(page.hits.size());
  for (auto& hit : page.hits) found.push_back(&hit.found);
  storage_.reactions.attach(found, request.user_id);
  answer_now(then, std::move(page));
}

}  // namespace chatterbox
