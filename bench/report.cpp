#include "report.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace chatterbox::bench {
namespace {

std::string number(double v) {
  std::ostringstream out;
  if (std::isfinite(v) && std::floor(v) == v && std::fabs(v) < 1e15) {
    out << static_cast<long long>(v);
  } else if (std::isfinite(v)) {
    out << std::fixed << std::setprecision(3) << v;
  } else {
    out << "null";
  }
  return out.str();
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

report::report(std::string scenario) : scenario_(std::move(scenario)) {}

void report::add(std::string name, double value, std::string unit) {
  rows_.push_back({std::move(name), value, std::move(unit)});
}

void report::add(std::string name, std::string value) {
  rows_.push_back({std::move(name), std::move(value), ""});
}

std::string report::table() const {
  std::size_t width = 8;
  for (const auto& r : rows_) width = std::max(width, r.name.size());
  std::ostringstream out;
  out << "== " << scenario_ << " ==\n";
  for (const auto& r : rows_) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << r.name << "  ";
    if (const auto* d = std::get_if<double>(&r.value)) {
      out << std::right << std::setw(14) << number(*d);
      if (!r.unit.empty()) out << " " << r.unit;
    } else {
      out << std::get<std::string>(r.value);
    }
    out << "\n";
  }
  return out.str();
}

std::string report::json() const {
  std::ostringstream out;
  out << "{\"scenario\":" << quoted(scenario_);
  for (const auto& r : rows_) {
    out << "," << quoted(r.name) << ":";
    if (const auto* d = std::get_if<double>(&r.value)) {
      out << number(*d);
    } else {
      out << quoted(std::get<std::string>(r.value));
    }
  }
  out << "}";
  return out.str();
}

void publish(const report& r, const std::string& json_path) {
  std::cout << r.table() << r.json() << std::endl;
  if (!json_path.empty()) {
    std::ofstream file(json_path);
    file << r.json() << "\n";
  }
}

}  // namespace chatterbox::bench
