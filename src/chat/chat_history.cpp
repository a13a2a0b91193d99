// chat_service: history pages read forwards (`after`) and around a message (`around`), the way
// a search result is opened in its room (docs/protocol.md, "history").

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"

#include <cstddef>
#include <vector>

namespace chatterbox {

using namespace chat_detail;

void chat_service::history_after(const std::shared_ptr<chat_peer>& peer,
                                 const history_command& command) {
  store_.page_after(
      command.room, *command.after, command.limit + 1, peer->identity().user_id,
      answering_peer<std::vector<message>>(
          peer, command.room, [this, command](chat_peer& peer, std::vector<message>& page) {
            bool has_more = page.size() > static_cast<std::size_t>(command.limit);
            if (has_more) page.pop_back();
            // Read forwards, the oldest of the page are kept: the client asks again after its
            // newest.
            const auto fit = fitting(page.begin(), page.end(), reply_bytes_);
            if (fit < page.size()) {
              page.resize(fit);
              has_more = true;
            }
            peer.deliver(frames::history_from(command.room, "after", *command.after, page,
                                              has_more, {}));
          }));
}

void chat_service::history_around(const std::shared_ptr<chat_peer>& peer,
                                  const history_command& command) {
  const auto older_wanted = static_cast<std::size_t>(command.limit / 2);
  const auto newer_wanted = static_cast<std::size_t>(command.limit) - 1 - older_wanted;
  store_.page_around(
      command.room, *command.around, static_cast<int>(older_wanted),
      static_cast<int>(newer_wanted), peer->identity().user_id,
      answering_peer<around_page>(peer, command.room, [this, command, older_wanted, newer_wanted](
                                                          chat_peer& peer, around_page& found) {
        if (!found.found) {
          return peer.deliver(frames::error("not_found", "no such message", command.room));
        }
        auto& older = found.older;
        auto& newer = found.newer;
        bool has_more = older.size() > older_wanted;
        if (has_more) older.erase(older.begin());
        bool has_newer = newer.size() > newer_wanted + 1;
        if (has_newer) newer.pop_back();

        // Over the reply budget, the messages furthest from the one asked for go first, from
        // the longer side; the message itself always stays.
        std::size_t used = frames::page_overhead;
        for (const auto* side : {&older, &newer}) {
          for (const auto& m : *side) used += frames::message_size(m) + 1;
        }
        std::size_t first_older = 0;
        std::size_t newer_count = newer.size();
        while (used > reply_bytes_ && (first_older < older.size() || newer_count > 1)) {
          const bool drop_older = newer_count <= 1 || (first_older < older.size() &&
                                                       older.size() - first_older >= newer_count - 1);
          if (drop_older) {
            used -= frames::message_size(older[first_older++]) + 1;
            has_more = true;
          } else {
            used -= frames::message_size(newer[--newer_count]) + 1;
            has_newer = true;
          }
        }
        std::vector<message> page(older.begin() + static_cast<std::ptrdiff_t>(first_older),
                                  older.end());
        page.insert(page.end(), newer.begin(),
                    newer.begin() + static_cast<std::ptrdiff_t>(newer_count));
        peer.deliver(frames::history_from(command.room, "around", *command.around, page,
                                          has_more, has_newer));
      }));
}

}  // namespace chatterbox
