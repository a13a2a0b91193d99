#include "chatterbox/postgres/pg_schema.hpp"

#include "pg_steps.hpp"

#include <vector>

namespace chatterbox {

std::span<const migration> pg_migrations() {
  static const std::vector<migration> list = {
      {"tables", pg_steps::tables},
      {"message writes", pg_steps::message_writes},
      {"room and reaction writes", pg_steps::room_and_reaction_writes},
      {"member writes", pg_steps::member_writes},
      {"account writes", pg_steps::account_writes},
      {"admin writes", pg_steps::admin_writes},
      {"presence snapshot", pg_steps::presence_snapshot},
  };
  return list;
}

}  // namespace chatterbox
