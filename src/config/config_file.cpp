#include "chatterbox/config_file.hpp"

#include "chatterbox/text/ascii.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chatterbox {

namespace {

// Far beyond any real configuration; a wrong --config (a log, a database) fails fast.
constexpr std::size_t max_file_bytes = 1024 * 1024;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

config_file_error error_at(std::string_view file, std::size_t line, const std::string& why) {
  std::string message(file);
  message.append(":").append(std::to_string(line)).append(": ").append(why);
  return {message};
}

}  // namespace

config_file_result parse_config_text(std::string_view text, std::string_view file) {
  std::vector<config_setting> settings;
  std::size_t number = 0;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    const auto line = ascii::trim(text.substr(0, eol), is_blank);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    ++number;
    if (line.empty() || line.front() == '#') continue;

    auto name_end = std::size_t{0};
    while (name_end < line.size() && !is_blank(line[name_end]) && line[name_end] != '=') {
      ++name_end;
    }
    const auto name = line.substr(0, name_end);
    auto rest = ascii::trim(line.substr(name_end), is_blank);
    if (rest.starts_with('=')) rest = ascii::trim(rest.substr(1), is_blank);
    if (name.empty()) return error_at(file, number, "expected `name = value`");
    if (name.starts_with("--")) {
      std::string why = "write '";
      why.append(name.substr(2)).append("' without the leading --");
      return error_at(file, number, why);
    }
    if (rest.empty()) {
      std::string why = "'";
      why.append(name).append("' needs a value");
      return error_at(file, number, why);
    }
    settings.push_back({std::string(name), std::string(rest), number});
  }
  return settings;
}

config_file_result read_config_file(const std::string& path) {
  const auto failed = [&path](const char* what) {
    std::string message = "configuration file ";
    message.append(path).append(": ").append(what);
    return config_file_error{message};
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return failed(std::strerror(errno));
  std::string text;
  char chunk[8192];
  for (;;) {
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      return failed(std::strerror(saved));
    }
    if (n == 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > max_file_bytes) {
      ::close(fd);
      return failed("larger than 1 MiB; is this really a configuration file?");
    }
  }
  ::close(fd);
  return parse_config_text(text, path);
}

}  // namespace chatterbox
