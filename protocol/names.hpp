// One way to name the values of an enum (configuration words, log words, what lianxinctl
// prints): a table of (value, name) pairs read both ways, so a name is written once.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace lianxin {

template <class E, std::size_t N>
using Names = std::array<std::pair<E, std::string_view>, N>;

template <class E, std::size_t N>
constexpr std::string_view name_of(const Names<E, N>& names, E value) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return "?";
}

template <class E, std::size_t N>
constexpr std::optional<E> value_named(const Names<E, N>& names, std::string_view name) {
  for (const auto& [v, n] : names)
    if (n == name) return v;
  return std::nullopt;
}

// The names in table order (for "must be one of …" messages and choices).
template <class E, std::size_t N>
std::vector<std::string_view> names_in(const Names<E, N>& names) {
  std::vector<std::string_view> out;
  out.reserve(N);
  for (const auto& entry : names) out.push_back(entry.second);
  return out;
}

}  // namespace lianxin
