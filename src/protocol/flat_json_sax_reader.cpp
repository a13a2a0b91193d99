#include "chatterbox/protocol/flat_json_sax_reader.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace chatterbox {
namespace {

using json = nlohmann::json;
using kind = flat_value::kind;

// nlohmann::json's SAX events, turned into top-level fields. Returning false stops the parse
// at once; parse errors arrive as an event too, so nothing throws.
class sax_handler {
 public:
  explicit sax_handler(flat_object& out) : out_(out) {}

  flat_json_status finish(bool parsed) const { return parsed ? flat_json_status::ok : failure_; }

  bool null() {
    return scalar([](flat_value& value) { value.type = kind::null; });
  }
  bool boolean(bool b) {
    return scalar([b](flat_value& value) {
      value.type = kind::boolean;
      value.boolean = b;
    });
  }
  bool number_integer(json::number_integer_t n) { return integer(n); }
  bool number_unsigned(json::number_unsigned_t n) {
    // Every non-negative integer arrives here; ids and seqs are int64, so larger ones are not.
    if (n > static_cast<json::number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return other();
    }
    return integer(static_cast<std::int64_t>(n));
  }
  bool number_float(json::number_float_t, const json::string_t&) { return other(); }
  bool string(json::string_t& s) {
    if (in_list()) {
      if (field_->strings.size() >= max_list_strings) return list_broken();
      field_->strings.push_back(s);
      return true;
    }
    return scalar([&s](flat_value& value) {
      value.type = kind::string;
      value.string = s;
    });
  }
  bool binary(json::binary_t&) { return other(); }  // never produced by JSON text

  bool start_object(std::size_t) {
    if (in_list()) list_broken();
    return open();
  }
  bool start_array(std::size_t) {
    if (depth_ == 0) return fail(flat_json_status::invalid_json);  // a frame is an object
    if (depth_ == 1) {
      // A top-level field holding an array: a list of strings until something else shows up.
      if (!open()) return false;
      field_->type = kind::string_list;
      field_->strings.clear();
      return true;
    }
    if (in_list()) list_broken();
    return open();
  }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    if (depth_ != 1) return true;  // a nested object's key is not a field
    // Counted before the value (and before the colon) are read, as the fast reader does.
    if (++members_ > max_frame_fields) return fail(flat_json_status::too_many_fields);
    field_ = out_.assign(name);
    return field_ != nullptr || fail(flat_json_status::too_many_fields);
  }

  bool parse_error(std::size_t, const std::string&, const json::exception&) {
    return fail(flat_json_status::invalid_json);
  }

 private:
  // A scalar value: stored when it is a top-level field's, dropped when nested.
  template <class Fill>
  bool scalar(Fill fill) {
    if (depth_ == 0) return fail(flat_json_status::invalid_json);  // a frame is an object
    if (depth_ == 1) fill(*field_);
    if (in_list()) list_broken();
    return true;
  }
  // Directly inside a top-level field's array that is still a list of strings.
  bool in_list() const {
    return depth_ == 2 && field_ != nullptr && field_->type == kind::string_list;
  }
  bool list_broken() {
    field_->type = kind::other;
    field_->strings.clear();
    return true;
  }
  bool integer(std::int64_t n) {
    return scalar([n](flat_value& value) {
      value.type = kind::integer;
      value.integer = n;
    });
  }
  bool other() {
    return scalar([](flat_value& value) { value.type = kind::other; });
  }

  bool open() {
    if (depth_ == 1) field_->type = kind::other;  // a top-level field holding an object
    if (++depth_ > max_frame_depth) return fail(flat_json_status::too_deep);
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  bool fail(flat_json_status status) {
    failure_ = status;
    return false;
  }

  flat_object& out_;
  flat_value* field_ = nullptr;  // the top-level field whose value comes next
  std::size_t depth_ = 0;        // 1 inside the frame object itself
  std::size_t members_ = 0;
  flat_json_status failure_ = flat_json_status::invalid_json;
};

}  // namespace

flat_json_status read_flat_object_sax(std::string_view text, flat_object& out) {
  out.clear();
  sax_handler handler(out);
  const bool parsed = json::sax_parse(text, &handler);
  return handler.finish(parsed);
}

}  // namespace chatterbox
