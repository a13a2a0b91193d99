#pragma once

// The PostgreSQL schema's steps (pg_schema.cpp lists them in order), one file each.

#include <string_view>

namespace chatterbox::pg_steps {

extern const std::string_view tables;
extern const std::string_view message_writes;
extern const std::string_view room_and_reaction_writes;
extern const std::string_view member_writes;
extern const std::string_view account_writes;
extern const std::string_view admin_writes;
extern const std::string_view presence_snapshot;

}  // namespace chatterbox::pg_steps
