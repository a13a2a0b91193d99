#include "chatterbox/storage/history_export.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ctime>
#include <map>
#include <vector>

namespace chatterbox {
namespace {

using json = nlohmann::json;

// "2026-11-30" / "09:14" in UTC: an export is read anywhere, so its times say their zone.
std::string utc(std::int64_t ms, const char* format) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[64];
  const auto n = std::strftime(out, sizeof out, format, &tm);
  return std::string(out, n);
}

std::string title_of(const export_room& room) {
  if (room.kind == "dm") {
    std::string names;
    for (const auto& m : room.members) names.append(names.empty() ? "" : ", ").append(m);
    return "Direct message: " + names;
  }
  return (room.kind == "private" ? "Private room " : "#") + room.name;
}

// Each line of a message as Markdown that stays the message's: a line that would start a
// heading is escaped, so a message cannot restructure the export.
void write_markdown_text(std::ostream& out, const std::string& text) {
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    const auto line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.starts_with("#")) out << '\\';
    out << line << "  \n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
}

class exporter {
 public:
  exporter(history_source& source, std::ostream& out, export_format format, std::size_t max_bytes)
      : source_(source), out_(out), format_(format), max_bytes_(max_bytes) {}

  export_summary run(std::optional<std::int64_t> only, std::int64_t now_ms) {
    const auto rooms = source_.rooms(only);
    if (format_ == export_format::json) {
      out_ << "{\"exported_at\":" << now_ms << ",\"rooms\":[";
    } else {
      out_ << "# Chatterbox export\n\nExported " << utc(now_ms, "%Y-%m-%d %H:%M UTC")
           << ". Times are UTC.\n";
    }
    for (const auto& room : rooms) {
      write_room(room);
      ++summary_.rooms;
      if (summary_.too_large) break;
    }
    out_ << (format_ == export_format::json ? "]}\n" : "");
    return summary_;
  }

 private:
  void write_room(const export_room& room) {
    if (format_ == export_format::json) {
      json head{{"id", room.id}, {"kind", room.kind}, {"archived", room.archived},
                {"created_at", room.created_at}};
      if (room.kind != "dm") head["name"] = room.name;
      if (room.kind != "open") head["members"] = room.members;
      auto text = head.dump(-1, ' ', false, json::error_handler_t::replace);
      text.pop_back();  // the closing brace: the messages go in first
      out_ << (summary_.rooms > 0 ? "," : "") << text << ",\"messages\":[";
    } else {
      out_ << "\n# " << title_of(room) << (room.archived ? " (archived)" : "") << "\n";
    }
    std::size_t written = 0;
    std::string day;
    source_.messages(room.id, [&](const export_message& m) {
      if (format_ == export_format::json) {
        if (written > 0) out_ << ',';
        write_json(m);
      } else {
        if (const auto d = utc(m.ts, "%A, %d %B %Y"); d != day) {
          day = d;
          out_ << "\n## " << day << "\n";
        }
        write_markdown(m);
      }
      ++written;
      ++summary_.messages;
      if (max_bytes_ > 0 && static_cast<std::size_t>(out_.tellp()) > max_bytes_) {
        summary_.too_large = true;
        return false;
      }
      return true;
    });
    out_ << (format_ == export_format::json ? "]}" : "");
  }

  void write_json(const export_message& m) {
    json j{{"id", m.id}, {"user", m.user}, {"ts", m.ts}, {"text", m.text}};
    if (m.edited) j["edited"] = true;
    if (m.reply_to) j["reply_to"] = *m.reply_to;
    if (m.file_name) {
      j["file"] = {{"name", *m.file_name}, {"size", m.file_size}, {"type", m.file_type}};
    }
    if (!m.reactions.empty()) {
      auto reactions = json::object();
      for (const auto& [emoji, users] : m.reactions) reactions[emoji] = users;
      j["reactions"] = std::move(reactions);
    }
    out_ << j.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  void write_markdown(const export_message& m) {
    out_ << "\n**" << m.user << "** · " << utc(m.ts, "%H:%M") << (m.edited ? " (edited)" : "")
         << (m.reply_to ? " · in reply to message " + std::to_string(*m.reply_to) : "")
         << "  \n";
    if (!m.text.empty()) write_markdown_text(out_, m.text);
    if (m.file_name) out_ << "📎 " << *m.file_name << " (" << m.file_size << " bytes)  \n";
    for (const auto& [emoji, users] : m.reactions) {
      out_ << emoji << ' ';
      for (std::size_t i = 0; i < users.size(); ++i) out_ << (i > 0 ? ", " : "") << users[i];
      out_ << "  \n";
    }
  }

  history_source& source_;
  std::ostream& out_;
  export_format format_;
  std::size_t max_bytes_;
  export_summary summary_;
};

}  // namespace

std::optional<export_format> parse_export_format(std::string_view text) {
  if (text == "json") return export_format::json;
  if (text == "markdown" || text == "md") return export_format::markdown;
  return std::nullopt;
}

std::optional<std::int64_t> history_export::room_named(std::string_view name) {
  source_->begin();
  try {
    const auto id = source_->room_named(name);
    source_->end();
    return id;
  } catch (...) {
    source_->end();
    throw;
  }
}

export_summary history_export::write(std::ostream& out, export_format format,
                                     std::optional<std::int64_t> room, std::int64_t now_ms,
                                     std::size_t max_bytes) {
  // One read transaction: every room as of the same moment.
  source_->begin();
  try {
    exporter e(*source_, out, format, max_bytes);
    const auto summary = e.run(room, now_ms);
    source_->end();
    return summary;
  } catch (...) {
    source_->end();
    throw;
  }
}

}  // namespace chatterbox
