// chat_service: history pages read forwards (`after`) and around a message (`around`), the way
// a search result is opened in its room (docs/protocol.md, "history").

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"
#include "chatterbox/storage/read_snapshot.hpp"

#include <cstddef>
#include <vector>

namespace chatterbox {

using namespace chat_detail;

void chat_service::history_after(chat_peer& peer, const room_state& room,
                                 const history_command& command) {
  const read_snapshot snapshot(storage_.db);  // the page and its reactions of one state
  auto page = storage_.messages.page_after(room.id, *command.after, command.limit + 1);
  bool has_more = page.size() > static_cast<std::size_t>(command.limit);
  if (has_more) page.pop_back();
  storage_.reactions.attach(page, peer.identity().user_id);
  // Read forwards, the oldest of the page are kept: the client asks again after its newest.
  const auto fit = fitting(page.begin(), page.end(), reply_bytes_);
  if (fit < page.size()) {
    page.resize(fit);
    has_more = true;
  }
  peer.deliver(frames::history_from(room.id, "after", *command.after, page, has_more, {}));
}

void chat_service::history_around(chat_peer& peer, const room_state& room,
                                  const history_command& command) {
  const auto around = *command.around;
  const read_snapshot snapshot(storage_.db);
  const auto owner = storage_.messages.find_owner(around);
  if (!owner || owner->room != room.id) {
    return peer.deliver(frames::error("not_found", "no such message", room.id));
  }
  const auto older_wanted = static_cast<std::size_t>(command.limit / 2);
  const auto newer_wanted = static_cast<std::size_t>(command.limit) - 1 - older_wanted;
  auto older = storage_.messages.page_before(room.id, around, static_cast<int>(older_wanted) + 1);
  bool has_more = older.size() > older_wanted;
  if (has_more) older.erase(older.begin());
  // From the message itself on: it is the first of these.
  auto newer = storage_.messages.page_after(room.id, around - 1, static_cast<int>(newer_wanted) + 2);
  bool has_newer = newer.size() > newer_wanted + 1;
  if (has_newer) newer.pop_back();
  std::vector<message*> both;  // one run of ids: one read of their reactions
  for (auto* side : {&older, &newer}) {
    for (auto& m : *side) both.push_back(&m);
  }
  storage_.reactions.attach(both, peer.identity().user_id);

  // Over the reply budget, the messages furthest from the one asked for go first, from the
  // longer side; the message itself always stays.
  std::size_t used = frames::page_overhead;
  for (const auto* side : {&older, &newer}) {
    for (const auto& m : *side) used += frames::message_size(m) + 1;
  }
  std::size_t first_older = 0;
  std::size_t newer_count = newer.size();
  while (used > reply_bytes_ && (first_older < older.size() || newer_count > 1)) {
    const bool drop_older =
        newer_count <= 1 || (first_older < older.size() && older.size() - first_older >= newer_count - 1);
    if (drop_older) {
      used -= frames::message_size(older[first_older++]) + 1;
      has_more = true;
    } else {
      used -= frames::message_size(newer[--newer_count]) + 1;
      has_newer = true;
    }
  }
  std::vector<message> page(older.begin() + static_cast<std::ptrdiff_t>(first_older), older.end());
  page.insert(page.end(), newer.begin(), newer.begin() + static_cast<std::ptrdiff_t>(newer_count));
  peer.deliver(frames::history_from(room.id, "around", around, page, has_more, has_newer));
}

}  // namespace chatterbox
