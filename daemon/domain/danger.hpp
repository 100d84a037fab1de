// Danger described in plain words: fire and smoke, gas, live electricity, collapse, landslide,
// flood in a home, violence, a person hurt or ill alone, a missing person, drowning, an animal
// attacking. A lexicon of phrases villagers use for these, matched after the same clean-up as
// keywords (no spaces, half-width). It is the safety net beside the model's urgency output:
// either marks a report urgent (language.hpp). Kept short and specific: a phrase that also
// fits calm texts ("不见了" of a lost bicycle) belongs to the model, not here.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lianxin::domain {

struct DangerHit {
  std::string phrase;     // as found in the text
  std::string_view kind;  // "fire or smoke", "gas", ...
};

std::optional<DangerHit> find_danger(std::string_view text);

}  // namespace lianxin::domain
