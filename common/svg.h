/*
 * svg.h -- small inline-SVG charts for the self-contained HTML reports of modeler and replay.
 *
 * A plot collects series (copied in), optional shaded x-ranges (bursts, flash crowds) and
 * axis options, then renders one <svg> element into a dbuf. Output is deterministic (fixed
 * number formatting), has no external assets and no script, and carries data-series /
 * data-points attributes so browser tests can check that every chart has data.
 * Log axes drop non-positive points (counted, never crash).
 */
#ifndef ST_SVG_H
#define ST_SVG_H

#include "dbuf.h"
#include "st.h"

enum svg_style { SVG_LINE = 0, SVG_POINTS = 1, SVG_BARS = 2, SVG_STEP = 3 };
enum svg_flags { SVG_LOGX = 1, SVG_LOGY = 2, SVG_XTIME = 4 /* x is epoch seconds */ };

typedef struct svg_plot svg_plot;

/* Returns NULL on ENOMEM. Strings are copied. width/height in px (0 = 720x260). */
svg_plot *svg_plot_new(const char *title, const char *xlabel, const char *ylabel, int width,
                       int height, unsigned flags);
void svg_plot_free(svg_plot *p);
int svg_plot_series(svg_plot *p, const char *name, const double *x, const double *y, size_t n,
                    enum svg_style style);
int svg_plot_shade(svg_plot *p, double x0, double x1, const char *label);
/* Horizontal reference line (e.g. a threshold). */
int svg_plot_hline(svg_plot *p, double y, const char *label);
int svg_plot_render(const svg_plot *p, dbuf *out);

/* A heat-map of an rows x cols matrix (row-major), labelled; values in [0, 1] are shaded. */
int svg_heatmap(dbuf *out, const char *title, const char *const *row_labels,
                const char *const *col_labels, const double *m, size_t rows, size_t cols);

/* The page around the charts (html_page_begin, headings, paragraphs) is html.h. */

#endif
