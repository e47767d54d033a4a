#pragma once
// The browser playground's configuration (web/main.cpp), here so the native tests check the
// very options the page runs with: the tasks that offer a web_query (and those queries as their
// defaults), sizes capped at what one tab affords, no device or path fields, errors in the
// page's own bar, running from the first frame.
#include "ui/playground.hpp"

namespace soma::ui {

PlaygroundOptions web_options();

}  // namespace soma::ui
