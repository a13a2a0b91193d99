#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// Who was online when a node alone on the database stopped, so that its restart shows nobody
// leaving and coming back (as SQLite's presence_snapshot). Nodes with a bus have their presence
// keys in Redis instead, which outlive a restart.
const std::string_view presence_snapshot = R"sql(
CREATE TABLE presence_snapshot (
  user_id  bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  saved_at bigint NOT NULL
);
)sql";

}  // namespace chatterbox::pg_steps
