#pragma once

#include <string_view>

namespace chatterbox {

// 1–32 of [A-Za-z0-9_.-].
bool valid_username(std::string_view username);
// 8–128 bytes.
bool valid_password(std::string_view password);

}  // namespace chatterbox
