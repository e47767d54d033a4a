#pragma once
// The ten class names of the image data sets, in label order, for legends (read-out voltages):
// Fashion-MNIST's garments, CIFAR-10's objects, and "digit 0" ... "digit 9" for any other (MNIST).
#include <string>
#include <vector>

namespace soma {

std::vector<std::string> image_class_names(const std::string& dataset);

}  // namespace soma
