#include "core/params/param_values.hpp"

namespace soma {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text, const std::string& source) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] != '%') {
      out += text[i];
    } else {
      int hi = i + 2 < text.size() ? hex_digit(text[i + 1]) : -1;
      int lo = hi >= 0 ? hex_digit(text[i + 2]) : -1;
      if (lo < 0) throw ParamError(source + ": bad %-escape in '" + std::string(text) + "'");
      out += char(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

}  // namespace

ParamValues::ParamValues(const ParamTable& table)
    : table_(std::make_shared<const ParamTable>(table)) {
  reset();
}

void ParamValues::reset() {
  values_.clear();
  for (const ParamSpec& s : *table_) values_.push_back(s.default_value);
}

size_t ParamValues::index(std::string_view name) const {
  int i = table_->find(name);
  if (i < 0) throw table_->unknown(name);
  return size_t(i);
}

const ParamValue& ParamValues::get(std::string_view name) const {
  return values_[index(name)];
}

const ParamValue& ParamValues::typed(std::string_view name, ParamType t1, ParamType t2) const {
  size_t i = index(name);
  ParamType t = table_->specs()[i].type;
  if (t != t1 && t != t2)
    throw ParamError::about("", name,
                            std::string("is a ") + type_name(t) + ", read as a " + type_name(t1));
  return values_[i];
}

bool ParamValues::get_bool(std::string_view name) const {
  return std::get<bool>(typed(name, ParamType::boolean, ParamType::boolean));
}

int64_t ParamValues::get_int(std::string_view name) const {
  return std::get<int64_t>(typed(name, ParamType::integer, ParamType::integer));
}

double ParamValues::get_float(std::string_view name) const {
  return std::get<double>(typed(name, ParamType::real, ParamType::real));
}

const std::string& ParamValues::get_string(std::string_view name) const {
  return std::get<std::string>(typed(name, ParamType::string, ParamType::choice));
}

void ParamValues::set(std::string_view name, const ParamValue& v, const std::string& source) {
  int i = table_->find(name);
  if (i < 0) throw table_->unknown(name, source);
  values_[size_t(i)] = check_value(table_->specs()[size_t(i)], v, source);
}

void ParamValues::set_from_string(std::string_view name, std::string_view text,
                                  const std::string& source) {
  int i = table_->find(name);
  if (i < 0) throw table_->unknown(name, source);
  values_[size_t(i)] = parse_value(table_->specs()[size_t(i)], text, source);
}

void ParamValues::apply_assignment(std::string_view assignment, const std::string& source) {
  size_t eq = assignment.find('=');
  if (eq == std::string_view::npos)
    throw ParamError((source.empty() ? "" : source + ": ") + "expected key=value, found '" +
                     std::string(assignment) + "'");
  set_from_string(assignment.substr(0, eq), assignment.substr(eq + 1), source);
}

void ParamValues::apply_query(std::string_view query, const std::string& source) {
  ParamValues next = *this;  // so that a bad part leaves every value as it was
  for (const auto& [key, value] : parse_query(query, source))
    next.set_from_string(key, value, source);
  values_ = std::move(next.values_);
}

std::string ParamValues::to_query() const {
  std::string q;
  for (size_t i = 0; i < values_.size(); ++i) {
    if (values_[i] == table_->specs()[i].default_value) continue;
    if (!q.empty()) q += '&';
    q += table_->specs()[i].name + "=" + url_encode(to_string(values_[i]));
  }
  return q;
}

bool ParamValues::is_default(std::string_view name) const {
  size_t i = index(name);
  return values_[i] == table_->specs()[i].default_value;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query,
                                                             const std::string& source) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      throw ParamError(source + ": expected key=value, found '" + std::string(part) + "'");
    out.emplace_back(url_decode(part.substr(0, eq), source),
                     url_decode(part.substr(eq + 1), source));
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

}  // namespace soma
