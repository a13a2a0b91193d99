#pragma once

#include <string>
#include <variant>
#include <vector>

namespace chatterbox::bench {

// A flat list of named results, printed as an aligned table for people and as one JSON object
// for scripts (run.sh reads the JSON).
class report {
 public:
  explicit report(std::string scenario);

  void add(std::string name, double value, std::string unit = "");
  void add(std::string name, std::string value);

  std::string table() const;
  std::string json() const;

 private:
  struct row {
    std::string name;
    std::variant<double, std::string> value;
    std::string unit;
  };
  std::string scenario_;
  std::vector<row> rows_;
};

// Prints the table to stdout and the JSON to stdout (one line starting with `{`) and to `path`
// when it is not empty.
void publish(const report& r, const std::string& json_path);

}  // namespace chatterbox::bench
