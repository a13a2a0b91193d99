// chat_service: full-text search of the user's rooms (docs/protocol.md, "search").

#include "chatterbox/chat/chat_service.hpp"

#include "chat_internals.hpp"
#include "chatterbox/auth/credentials.hpp"
#include "chatterbox/protocol/search_frames.hpp"
#include "chatterbox/protocol/search_query.hpp"

#include <string>
#include <variant>
#include <vector>

namespace chatterbox {

using namespace chat_detail;

namespace {

// A filters-only result shows the start of the text.
constexpr std::size_t head_chars = 200;

}  // namespace

void chat_service::handle(const std::shared_ptr<chat_peer>& peer, search_command& command) {
  if (!admit_query(*peer)) return;
  const auto user_id = peer->identity().user_id;
  auto parsed = parse_search_query(command.query, command.tz_offset);
  if (const auto* error = std::get_if<search_query_error>(&parsed)) {
    return peer->deliver(frames::error("invalid_field", error->message, nullptr));
  }
  const auto& query = std::get<search_query>(parsed);

  search_request request;
  request.user_id = user_id;
  for (const auto& name : query.authors) {
    const auto id = valid_username(name) ? find_user(name) : std::nullopt;
    if (!id) return peer->deliver(frames::error("not_found", "no user called " + name, nullptr));
    request.authors.push_back(*id);
  }
  for (const auto& name : query.rooms) {
    // A room the user is not in is answered exactly like one that does not exist.
    const auto* room = rooms_.find_by_name(name);
    if (room == nullptr || rooms_.visible(room->id, user_id) == nullptr) {
      return peer->deliver(frames::error("not_found", "no room called " + name, nullptr));
    }
    request.rooms.push_back(room->id);
  }
  request.since_ms = query.since_ms;
  request.until_ms = query.until_ms;
  request.before = command.before;
  request.limit = command.limit + 1;
  store_.search(
      std::move(request), query.terms,
      answering_peer<search_page>(peer, 0, [this, command, user_id, filters_only = query.filters_only()](
                                               chat_peer& peer, search_page& page) {
        auto& hits = page.hits;
        // The store keeps to the user's rooms; the directory, which decides membership
        // everywhere else, must agree. Should they ever differ, nothing the user may not see
        // goes out.
        std::erase_if(hits, [&](const search_hit& hit) {
          return rooms_.visible(hit.found.room, user_id) == nullptr;
        });
        // Where the next page starts: after the last result sent, or, when the walk stopped at
        // its bound before a full page, where it stopped.
        std::optional<std::int64_t> next_before = page.stopped_at;
        if (hits.size() > static_cast<std::size_t>(command.limit)) {
          hits.resize(static_cast<std::size_t>(command.limit));
          next_before = hits.back().found.id;
        }
        std::vector<nlohmann::json> results;
        std::size_t used = frames::page_overhead + frames::dumped_size(command.query);
        for (const auto& hit : hits) {
          auto result = frames::search_result(
              hit.found, filters_only
                             ? std::vector<std::string>{frames::text_head(hit.found.text, head_chars)}
                             : frames::snippet_parts(hit.snippet));
          used += frames::dumped_size(result) + 1;
          if (used > reply_bytes_ && !results.empty()) {
            next_before = results.back()["id"].get<std::int64_t>();
            break;
          }
          results.push_back(std::move(result));
        }
        peer.deliver(frames::search(command.query, command.before, results, next_before));
      }));
}

}  // namespace chatterbox
