#include "tasks/framework/class_names.hpp"

namespace soma {

std::vector<std::string> image_class_names(const std::string& dataset) {
  if (dataset == "fashion-mnist")
    return {"T-shirt/top", "trouser", "pullover", "dress", "coat",
            "sandal",      "shirt",   "sneaker",  "bag",   "ankle boot"};
  if (dataset == "cifar10")
    return {"airplane", "automobile", "bird",  "cat",  "deer",
            "dog",      "frog",       "horse", "ship", "truck"};
  std::vector<std::string> digits;
  for (int d = 0; d < 10; ++d) digits.push_back("digit " + std::to_string(d));
  return digits;
}

}  // namespace soma
