#include "train/loss_plot.h"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/error.h"

namespace lf::train {

std::vector<double> smooth_curve(const std::vector<double>& values) {
  if (values.empty()) return {};
  const double n = static_cast<double>(values.size());
  const double weight = 1.8 * (1.0 / (1.0 + std::exp(-0.05 * n)) - 0.5);
  std::vector<double> out;
  out.reserve(values.size());
  double last = values[0];
  for (double v : values) {
    last = last * weight + (1.0 - weight) * v;
    out.push_back(last);
  }
  return out;
}

namespace {

struct Frame {
  double left = 70, right = 20, top = 40, bottom = 50, width = 640, height = 480;
  double x0, x1, y0, y1;
  double px(double x) const { return left + (x - x0) / (x1 - x0) * (width - left - right); }
  double py(double y) const { return height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom); }
};

void draw_series(cairo_t* cr, const Frame& f, const std::vector<double>& xs,
                 const std::vector<double>& ys, double alpha, double line_width) {
  cairo_set_source_rgba(cr, 0.12, 0.47, 0.71, alpha);  // matplotlib's default blue
  cairo_set_line_width(cr, line_width);
  for (size_t i = 0; i < xs.size(); ++i) {
    if (i == 0) cairo_move_to(cr, f.px(xs[i]), f.py(ys[i]));
    else cairo_line_to(cr, f.px(xs[i]), f.py(ys[i]));
  }
  if (xs.size() == 1) cairo_arc(cr, f.px(xs[0]), f.py(ys[0]), 2.0, 0, 2 * M_PI);
  cairo_stroke(cr);
}

void text(cairo_t* cr, double x, double y, const std::string& s, double size, bool centre) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, s.c_str(), &ext);
  cairo_move_to(cr, centre ? x - ext.width / 2 : x - ext.width, y);
  cairo_show_text(cr, s.c_str());
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

}  // namespace

void plot_loss(const std::string& path, const std::string& title, const std::string& y_label,
               const std::vector<double>& steps, const std::vector<double>& values) {
  LF_CHECK(!steps.empty() && steps.size() == values.size(), "plot_loss: ", steps.size(),
           " steps for ", values.size(), " values");
  Frame f;
  auto [xmin, xmax] = std::minmax_element(steps.begin(), steps.end());
  auto [ymin, ymax] = std::minmax_element(values.begin(), values.end());
  f.x0 = *xmin;
  f.x1 = *xmax > *xmin ? *xmax : *xmin + 1;
  double pad = (*ymax - *ymin) * 0.05 + 1e-6;
  f.y0 = *ymin - pad;
  f.y1 = *ymax + pad;

  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32,
                                                        static_cast<int>(f.width),
                                                        static_cast<int>(f.height));
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);

  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, f.left, f.top, f.width - f.left - f.right, f.height - f.top - f.bottom);
  cairo_stroke(cr);
  for (int i = 0; i <= 4; ++i) {
    double xv = f.x0 + (f.x1 - f.x0) * i / 4.0, yv = f.y0 + (f.y1 - f.y0) * i / 4.0;
    cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, f.px(xv), f.height - f.bottom + 16, fmt(xv), 11, true);
    text(cr, f.left - 6, f.py(yv) + 4, fmt(yv), 11, false);
  }
  text(cr, f.width / 2, f.top - 14, title, 14, true);
  text(cr, f.width / 2, f.height - 12, "step", 12, true);
  text(cr, f.left - 8, f.top - 14, y_label, 12, false);

  draw_series(cr, f, steps, values, 0.4, 1.0);
  draw_series(cr, f, steps, smooth_curve(values), 1.0, 1.5);

  std::string tmp = path + ".tmp";
  cairo_status_t st = cairo_surface_write_to_png(surface, tmp.c_str());
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  LF_CHECK(st == CAIRO_STATUS_SUCCESS, "cannot write ", path, ": ", cairo_status_to_string(st),
           ". Check that output_dir is writable.");
  std::filesystem::rename(tmp, path);
}

}  // namespace lf::train
