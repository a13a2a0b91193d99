#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chatterbox {

// What a message's text says after each `@` that starts a mention (docs/protocol.md,
// "Mentions"): the longest run of username characters there, as written. Resolving them to
// members, and trying a name without the `.`/`-` that ends a sentence, is the chat's job.
std::vector<std::string_view> mention_candidates(std::string_view text);

// `candidate` and what remains of it with trailing '.' and '-' removed one by one, longest
// first ("bob.." → "bob..", "bob.", "bob").
std::vector<std::string_view> mention_spellings(std::string_view candidate);

}  // namespace chatterbox
