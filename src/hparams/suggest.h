// "Did you mean" for mistyped keys: the closest candidate by edit distance.
#pragma once
#include <string>
#include <vector>

namespace lf::hparams {

// Levenshtein distance (insert, delete, substitute; each costs 1).
size_t edit_distance(const std::string& a, const std::string& b);

// The closest candidate when it is plausibly a typo (distance at most a
// third of the word, and at least 2 allowed); "" otherwise.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace lf::hparams
