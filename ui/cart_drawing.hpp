#pragma once
// The cart-pole scene, shared by the cart-pole (REINFORCE) and DSQN panels: track +-2.4 m with
// its limits, the cart, and a 1 m pole (twice gym's half length) at angle theta.
#include "ui/plot_panel.hpp"

namespace soma::ui {

void draw_cart_pole(const PanelRect& r, float x, float theta);

}  // namespace soma::ui
