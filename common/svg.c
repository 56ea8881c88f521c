/*
 * svg.c -- deterministic inline-SVG charts and the HTML page frame (see svg.h).
 *
 * Design: a plot is a plain list of copied series, shaded x-ranges and reference lines.
 * Rendering computes the data range (after dropping points a log axis cannot show, and
 * non-finite ones), picks "nice" ticks (steps of 1, 2 or 5 times a power of ten; decades on
 * log axes; whole seconds, minutes, hours or days on time axes), then writes one <svg>. Every
 * coordinate is printed with "%.2f" after rounding, and nothing depends on the clock, the
 * locale of the data or hash order, so the same plot gives the same bytes.
 * The chart is rendered into a scratch buffer capped at the room left in `out` and appended
 * in one piece, so a chart that does not fit leaves `out` unchanged (ST_ELIMIT).
 * Each <svg> carries data-chart, data-series, data-points (points actually drawn) and
 * data-dropped, which the browser tests of the reports read.
 * Caps: SVG_MAX_SERIES series, SVG_MAX_POINTS points over all series, SVG_MAX_MARKS shades
 * and reference lines each; past a cap the add call returns ST_ELIMIT and changes nothing.
 */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SVG_MAX_SERIES 64
#define SVG_MAX_POINTS 1000000u
#define SVG_MAX_MARKS 256
#define SVG_DEF_W 720
#define SVG_DEF_H 260

/* A colour-blind-friendly palette (Okabe & Ito 2008), darkest first. Series past the eighth
 * reuse the colours with a dash pattern. */
static const char *const svg_palette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                          "#e69f00", "#56b4e9", "#000000", "#f0e442"};
#define SVG_NPAL 8

typedef struct svg_series {
    char *name;
    double *x, *y;
    size_t n;
    enum svg_style style;
} svg_series;

typedef struct svg_mark {
    double a, b; /* shade: x0, x1; hline: y */
    char *label;
} svg_mark;

struct svg_plot {
    char *title, *xlabel, *ylabel;
    int w, h;
    unsigned flags;
    svg_series series[SVG_MAX_SERIES];
    size_t nseries, npoints;
    svg_mark shades[SVG_MAX_MARKS], hlines[SVG_MAX_MARKS];
    size_t nshades, nhlines;
};

/* One axis after range selection: maps data values to pixels and lists tick values. */
typedef struct svg_axis {
    double lo, hi; /* data range (for log axes, still in data units) */
    double p0, p1; /* pixel positions of lo and hi */
    int log, time;
    double ticks[64];
    size_t nticks;
    double step; /* linear tick step, for label precision */
} svg_axis;

static char *svg_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

svg_plot *svg_plot_new(const char *title, const char *xlabel, const char *ylabel, int width,
                       int height, unsigned flags)
{
    svg_plot *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->title = svg_strdup(title);
    p->xlabel = svg_strdup(xlabel);
    p->ylabel = svg_strdup(ylabel);
    if (!p->title || !p->xlabel || !p->ylabel) {
        svg_plot_free(p);
        return NULL;
    }
    p->w = width > 0 ? width : SVG_DEF_W;
    p->h = height > 0 ? height : SVG_DEF_H;
    p->flags = flags;
    return p;
}

void svg_plot_free(svg_plot *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nseries; i++) {
        free(p->series[i].name);
        free(p->series[i].x);
        free(p->series[i].y);
    }
    for (size_t i = 0; i < p->nshades; i++)
        free(p->shades[i].label);
    for (size_t i = 0; i < p->nhlines; i++)
        free(p->hlines[i].label);
    free(p->title);
    free(p->xlabel);
    free(p->ylabel);
    free(p);
}

int svg_plot_series(svg_plot *p, const char *name, const double *x, const double *y, size_t n,
                    enum svg_style style)
{
    if (p->nseries >= SVG_MAX_SERIES || n > SVG_MAX_POINTS - p->npoints)
        return ST_ELIMIT;
    if (style < SVG_LINE || style > SVG_STEP || (n && (!x || !y)))
        return ST_EINPUT;
    svg_series *s = &p->series[p->nseries];
    s->name = svg_strdup(name);
    s->x = malloc((n ? n : 1) * sizeof *s->x);
    s->y = malloc((n ? n : 1) * sizeof *s->y);
    if (!s->name || !s->x || !s->y) {
        free(s->name);
        free(s->x);
        free(s->y);
        memset(s, 0, sizeof *s);
        return ST_ENOMEM;
    }
    if (n) {
        memcpy(s->x, x, n * sizeof *x);
        memcpy(s->y, y, n * sizeof *y);
    }
    s->n = n;
    s->style = style;
    p->nseries++;
    p->npoints += n;
    return 0;
}

/* Appends a shade or reference line to list (count *n). Returns 0, ST_ELIMIT or ST_ENOMEM. */
static int svg_add_mark(svg_mark *list, size_t *n, double a, double b, const char *label)
{
    if (*n >= SVG_MAX_MARKS)
        return ST_ELIMIT;
    char *l = svg_strdup(label);
    if (!l)
        return ST_ENOMEM;
    list[*n].a = a;
    list[*n].b = b;
    list[*n].label = l;
    (*n)++;
    return 0;
}

int svg_plot_shade(svg_plot *p, double x0, double x1, const char *label)
{
    if (!isfinite(x0) || !isfinite(x1))
        return ST_EINPUT;
    return svg_add_mark(p->shades, &p->nshades, fmin(x0, x1), fmax(x0, x1), label);
}

int svg_plot_hline(svg_plot *p, double y, const char *label)
{
    if (!isfinite(y))
        return ST_EINPUT;
    return svg_add_mark(p->hlines, &p->nhlines, y, 0, label);
}

/* ---- rendering helpers -------------------------------------------------------------- */

/* Rounds a pixel coordinate to the printed precision and removes negative zero, so that
 * "%.2f" never prints "-0.00". */
static double svg_px(double v)
{
    v = round(v * 100.0) / 100.0;
    return v == 0 ? 0 : v;
}

static double svg_map(const svg_axis *a, double v)
{
    double t0 = a->log ? log10(a->lo) : a->lo;
    double t1 = a->log ? log10(a->hi) : a->hi;
    double t = a->log ? log10(v) : v;
    return svg_px(a->p0 + (t - t0) / (t1 - t0) * (a->p1 - a->p0));
}

/* A point is drawable when finite and, on a log axis, positive. */
static int svg_ok(const svg_plot *p, double x, double y)
{
    if (!isfinite(x) || !isfinite(y))
        return 0;
    if ((p->flags & SVG_LOGX) && x <= 0)
        return 0;
    if ((p->flags & SVG_LOGY) && y <= 0)
        return 0;
    return 1;
}

/* Linear "nice" ticks: a step of 1, 2 or 5 x 10^k giving about `target` intervals; the range
 * is widened to whole steps unless `keep` is set. */
static void svg_ticks_linear(svg_axis *a, int target, int keep)
{
    double span = a->hi - a->lo;
    double raw = span / target;
    double mag = pow(10, floor(log10(raw)));
    double r = raw / mag;
    double step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    double first = ceil(a->lo / step - 1e-9) * step;
    if (!keep) {
        a->lo = floor(a->lo / step + 1e-9) * step;
        a->hi = ceil(a->hi / step - 1e-9) * step;
        first = a->lo;
    }
    a->step = step;
    a->nticks = 0;
    for (size_t i = 0; i < 64; i++) {
        double v = first + (double)i * step;
        if (v > a->hi + step * 1e-9)
            break;
        a->ticks[a->nticks++] = fabs(v) < step * 1e-9 ? 0 : v;
    }
}

/* Log ticks at powers of ten (every k-th decade when there are many); the range is widened
 * to whole decades. */
static void svg_ticks_log(svg_axis *a)
{
    double d0 = floor(log10(a->lo) + 1e-9), d1 = ceil(log10(a->hi) - 1e-9);
    if (d1 <= d0)
        d1 = d0 + 1;
    a->lo = pow(10, d0);
    a->hi = pow(10, d1);
    double k = ceil((d1 - d0) / 10);
    a->nticks = 0;
    for (double d = d0; d <= d1 && a->nticks < 64; d += k)
        a->ticks[a->nticks++] = pow(10, d);
}

/* Time ticks (epoch seconds) at whole seconds, minutes, hours or days, range kept. */
static void svg_ticks_time(svg_axis *a, int target)
{
    /* clang-format off */
    static const double steps[] = {1,    2,    5,    10,    15,    30,    60,    120,   300,
                                   600,  900,  1800, 3600,  7200,  10800, 21600, 43200, 86400,
                                   2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400};
    /* clang-format on */
    double span = a->hi - a->lo;
    if (span < target) {
        svg_ticks_linear(a, target, 1);
        return;
    }
    double step = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (span / steps[i] <= target) {
            step = steps[i];
            break;
        }
    }
    a->step = step;
    a->nticks = 0;
    for (double v = ceil(a->lo / step) * step; v <= a->hi && a->nticks < 64; v += step)
        a->ticks[a->nticks++] = v;
}

/* Formats a tick value: time of day for time axes, otherwise with as many decimals as the
 * step needs and a k/M/G suffix for large values. */
static void svg_tick_label(char *b, size_t n, const svg_axis *a, double v)
{
    if (a->time && a->step >= 1) {
        time_t t = (time_t)floor(v);
        struct tm tm;
        if (!gmtime_r(&t, &tm)) {
            snprintf(b, n, "?");
            return;
        }
        if (a->hi - a->lo > 2 * 86400)
            snprintf(b, n, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
        else
            snprintf(b, n, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
        return;
    }
    /* On a log axis each tick is scaled on its own; on a linear one by the axis size, with
     * a suffix only as large as the step allows, so 1700001000..1700004000 stays exact. */
    double big = a->log ? fabs(v) : fmax(fabs(a->lo), fabs(a->hi));
    double step = a->log ? fabs(v) : a->step;
    static const double divs[] = {1e9, 1e6, 1e3};
    static const char *const sufs[] = {"G", "M", "k"};
    double div = 1;
    const char *suf = "";
    for (size_t i = 0; big >= 1e4 && i < 3; i++) {
        if (divs[i] <= big && divs[i] <= step * 10) {
            div = divs[i];
            suf = sufs[i];
            break;
        }
    }
    double q = step / div;
    int dec = q >= 1 || q <= 0 ? 0 : (int)ceil(-log10(q) - 1e-9);
    if (dec > 6)
        dec = 6;
    double shown = v / div;
    if (fabs(shown) < 0.5 * pow(10, -dec))
        shown = 0;
    snprintf(b, n, "%.*f%s", dec, shown, suf);
}

/* Output helpers of both renderers: each appends to the scratch buffer `b` and records the
 * first error in the local `rc`, so a long run of writes needs one check at the end. */
#define OUT(...) \
    do { \
        if (!rc) \
            rc = dbuf_printf(b, __VA_ARGS__); \
    } while (0)
#define ESC(s) \
    do { \
        if (!rc) \
            rc = dbuf_add_html(b, (s)); \
    } while (0)

/* A plot's frame once its data range is known: sizes, axes and the point counts. */
typedef struct svg_frame {
    int w, h;
    double ml, mt; /* left and top margins */
    svg_axis ax, ay;
    size_t drawn, dropped;
    int bars; /* bar series, which share each x slot */
} svg_frame;

/* Data range over drawable points, counting the ones left out; a range that is empty or a
 * single value is widened so that the axes stay drawable. */
static void svg_data_range(const svg_plot *p, svg_frame *f, double r[4])
{
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t s = 0; s < p->nseries; s++) {
        const svg_series *se = &p->series[s];
        if (se->style == SVG_BARS)
            f->bars++;
        for (size_t i = 0; i < se->n; i++) {
            if (!svg_ok(p, se->x[i], se->y[i])) {
                f->dropped++;
                continue;
            }
            f->drawn++;
            xlo = fmin(xlo, se->x[i]);
            xhi = fmax(xhi, se->x[i]);
            ylo = fmin(ylo, se->y[i]);
            yhi = fmax(yhi, se->y[i]);
        }
    }
    for (size_t i = 0; i < p->nhlines; i++) {
        if (!(p->flags & SVG_LOGY) || p->hlines[i].a > 0) {
            ylo = fmin(ylo, p->hlines[i].a);
            yhi = fmax(yhi, p->hlines[i].a);
        }
    }
    if (!f->drawn) {
        for (size_t i = 0; i < p->nshades; i++) {
            xlo = fmin(xlo, p->shades[i].a);
            xhi = fmax(xhi, p->shades[i].b);
        }
    }
    int logx = (p->flags & SVG_LOGX) != 0, logy = (p->flags & SVG_LOGY) != 0;
    if (!(xlo <= xhi) || (logx && xlo <= 0))
        xlo = logx ? 1 : 0, xhi = logx ? 10 : 1;
    if (!(ylo <= yhi))
        ylo = logy ? 1 : 0, yhi = logy ? 10 : 1;
    if (f->bars && !logy)
        ylo = fmin(ylo, 0), yhi = fmax(yhi, 0);
    if (xlo == xhi)
        xlo = logx ? xlo / 10 : xlo - 1, xhi = logx ? xhi * 10 : xhi + 1;
    if (ylo == yhi)
        ylo = logy ? ylo / 10 : ylo - 1, yhi = logy ? yhi * 10 : yhi + 1;
    r[0] = xlo, r[1] = xhi, r[2] = ylo, r[3] = yhi;
}

/* Width of one legend item: swatch, gap and up to 40 characters of the name. */
static double svg_legend_item_w(const char *name)
{
    size_t nl = strlen(name);
    return 32 + 7.0 * (double)(nl > 40 ? 40 : nl);
}

/* Layout: title, a wrapped legend, the plot area, axis labels; then the axes' ticks. */
static void svg_layout(const svg_plot *p, svg_frame *f)
{
    double r[4];
    memset(f, 0, sizeof *f);
    svg_data_range(p, f, r);
    int logx = (p->flags & SVG_LOGX) != 0, logy = (p->flags & SVG_LOGY) != 0;
    int w = p->w;
    double lx = 64;
    size_t legend_rows = p->nseries ? 1 : 0;
    for (size_t s = 0; s < p->nseries; s++) {
        double iw = svg_legend_item_w(p->series[s].name);
        if (lx + iw > w - 16 && lx > 64)
            lx = 64, legend_rows++;
        lx += iw;
    }
    double mt = 28 + 16.0 * (double)legend_rows + 8, mb = 46, ml = 64, mr = 16;
    int h = p->h;
    if (h < mt + mb + 60)
        h = (int)(mt + mb + 60);
    f->w = w, f->h = h, f->ml = ml, f->mt = mt;
    f->ax = (svg_axis){.lo = r[0],
                       .hi = r[1],
                       .p0 = ml,
                       .p1 = w - mr,
                       .log = logx,
                       .time = (p->flags & SVG_XTIME) && !logx};
    f->ay = (svg_axis){.lo = r[2], .hi = r[3], .p0 = h - mb, .p1 = mt, .log = logy};
    int xt = (w - 80) / 110 > 2 ? (w - 80) / 110 : 2;
    if (f->ax.log)
        svg_ticks_log(&f->ax);
    else if (f->ax.time)
        svg_ticks_time(&f->ax, xt);
    else
        svg_ticks_linear(&f->ax, xt, 0);
    if (f->ay.log)
        svg_ticks_log(&f->ay);
    else
        svg_ticks_linear(&f->ay, 5, 0);
}

/* The <svg> element with its data-* attributes, the title and the legend. */
static int svg_write_head(const svg_plot *p, const svg_frame *f, dbuf *b)
{
    int rc = 0;
    int w = f->w, h = f->h;
    OUT("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"st-chart\" width=\"%d\" "
        "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
        w, h, w, h);
    ESC(p->title);
    OUT("\" data-chart=\"");
    ESC(p->title);
    OUT("\" data-series=\"%zu\" data-points=\"%zu\" data-dropped=\"%zu\">\n", p->nseries, f->drawn,
        f->dropped);
    OUT("<title>");
    ESC(p->title);
    OUT("</title>\n<text x=\"%.2f\" y=\"18\" class=\"t\" font-size=\"14\" "
        "font-weight=\"600\">",
        f->ml);
    ESC(p->title);
    OUT("</text>\n");

    double lx = 64, ly = 38;
    for (size_t s = 0; s < p->nseries; s++) {
        const svg_series *se = &p->series[s];
        double iw = svg_legend_item_w(se->name);
        if (lx + iw > w - 16 && lx > 64)
            lx = 64, ly += 16;
        OUT("<rect x=\"%.2f\" y=\"%.2f\" width=\"12\" height=\"10\" fill=\"%s\"/>"
            "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\">",
            lx, ly - 9, svg_palette[s % SVG_NPAL], lx + 16, ly);
        ESC(se->name);
        OUT("</text>\n");
        lx += iw;
    }
    return rc;
}

/* Shaded ranges (drawn first, so that data draws over them), grid, ticks and axes. */
static int svg_write_axes(const svg_plot *p, const svg_frame *f, dbuf *b)
{
    int rc = 0;
    const svg_axis *ax = &f->ax, *ay = &f->ay;
    for (size_t i = 0; i < p->nshades; i++) {
        double a = fmax(p->shades[i].a, ax->lo), bb = fmin(p->shades[i].b, ax->hi);
        if (!(a <= bb))
            continue;
        double x0 = svg_map(ax, a), x1 = svg_map(ax, bb);
        OUT("<rect class=\"shade\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
            "fill=\"#888888\" fill-opacity=\"0.18\"><title>",
            x0, ay->p1, svg_px(x1 - x0), svg_px(ay->p0 - ay->p1));
        ESC(p->shades[i].label);
        OUT("</title></rect><text x=\"%.2f\" y=\"%.2f\" font-size=\"10\" fill=\"#555\">",
            svg_px(x0 + 2), ay->p1 + 10);
        ESC(p->shades[i].label);
        OUT("</text>\n");
    }

    char lab[64];
    for (size_t i = 0; i < ay->nticks; i++) {
        double y = svg_map(ay, ay->ticks[i]);
        svg_tick_label(lab, sizeof lab, ay, ay->ticks[i]);
        OUT("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>"
            "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n",
            ax->p0, y, ax->p1, y, ax->p0 - 6, svg_px(y + 4), lab);
    }
    for (size_t i = 0; i < ax->nticks; i++) {
        double x = svg_map(ax, ax->ticks[i]);
        svg_tick_label(lab, sizeof lab, ax, ax->ticks[i]);
        OUT("<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#e5e5e5\"/>"
            "<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
            x, ay->p1, x, ay->p0, x, ay->p0 + 16, lab);
    }
    OUT("<path d=\"M%.2f %.2fV%.2fH%.2f\" fill=\"none\" stroke=\"#333\"/>\n", ax->p0, ay->p1,
        ay->p0, ax->p1);
    OUT("<text x=\"%.2f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">",
        svg_px((ax->p0 + ax->p1) / 2), f->h - 8);
    ESC(p->xlabel);
    if (ax->time)
        OUT("%s(UTC)", p->xlabel[0] ? " " : "");
    OUT("</text>\n<text transform=\"translate(14 %.2f) rotate(-90)\" font-size=\"12\" "
        "text-anchor=\"middle\">",
        svg_px((ay->p0 + ay->p1) / 2));
    ESC(p->ylabel);
    OUT("</text>\n");
    return rc;
}

/* One bar series, the bar_i-th of f->bars: the bars of all bar series share each x slot. */
static int svg_write_bars(const svg_plot *p, const svg_frame *f, const svg_series *se,
                          const char *col, size_t bar_i, dbuf *b)
{
    int rc = 0;
    const svg_axis *ax = &f->ax, *ay = &f->ay;
    double sxlo = INFINITY, sxhi = -INFINITY;
    size_t k = 0;
    for (size_t i = 0; i < se->n; i++)
        if (svg_ok(p, se->x[i], se->y[i]))
            sxlo = fmin(sxlo, se->x[i]), sxhi = fmax(sxhi, se->x[i]), k++;
    double slot = k > 1 ? (svg_map(ax, sxhi) - svg_map(ax, sxlo)) / (double)(k - 1)
                        : (ax->p1 - ax->p0) / 10;
    double bw = fmax(1, slot * 0.8 / (double)f->bars);
    double off = -slot * 0.4 + bw * (double)bar_i;
    double base = ay->log ? ay->p0 : svg_map(ay, fmin(fmax(0, ay->lo), ay->hi));
    for (size_t i = 0; i < se->n; i++) {
        if (!svg_ok(p, se->x[i], se->y[i]))
            continue;
        double x = svg_map(ax, se->x[i]) + (f->bars > 1 ? off : -bw / 2);
        double y = svg_map(ay, se->y[i]);
        OUT("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"/>", svg_px(x),
            fmin(y, base), svg_px(bw), svg_px(fabs(base - y)), col);
    }
    return rc;
}

/* One line, step or point series as a single path; dash marks series past the palette. */
static int svg_write_path(const svg_plot *p, const svg_frame *f, const svg_series *se,
                          const char *col, const char *dash, dbuf *b)
{
    int rc = 0;
    int pts = se->style == SVG_POINTS;
    OUT("<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s%s d=\"", col, pts ? "4" : "1.5",
        pts ? " stroke-linecap=\"round\"" : "", pts ? "" : dash);
    int first = 1;
    for (size_t i = 0; i < se->n; i++) {
        if (!svg_ok(p, se->x[i], se->y[i]))
            continue;
        double x = svg_map(&f->ax, se->x[i]), y = svg_map(&f->ay, se->y[i]);
        /* Points are zero-length subpaths with round caps: small output, one dot. */
        if (pts)
            OUT("M%.2f %.2fh0", x, y);
        else if (first)
            OUT("M%.2f %.2f", x, y);
        else if (se->style == SVG_STEP)
            OUT("H%.2fV%.2f", x, y);
        else
            OUT("L%.2f %.2f", x, y);
        first = 0;
    }
    OUT("\"/>\n");
    return rc;
}

/* Every series, each in its own <g> named after it. */
static int svg_write_series(const svg_plot *p, const svg_frame *f, dbuf *b)
{
    int rc = 0;
    size_t bar_i = 0;
    for (size_t s = 0; s < p->nseries && !rc; s++) {
        const svg_series *se = &p->series[s];
        const char *col = svg_palette[s % SVG_NPAL];
        const char *dash = s >= SVG_NPAL ? " stroke-dasharray=\"5 3\"" : "";
        OUT("<g class=\"series\" data-name=\"");
        ESC(se->name);
        OUT("\"><title>");
        ESC(se->name);
        OUT("</title>\n");
        if (!rc && se->style == SVG_BARS)
            rc = svg_write_bars(p, f, se, col, bar_i++, b);
        else if (!rc)
            rc = svg_write_path(p, f, se, col, dash, b);
        OUT("</g>\n");
    }
    return rc;
}

/* Reference lines over the data, labelled at the right end; the note on dropped points. */
static int svg_write_tail(const svg_plot *p, const svg_frame *f, dbuf *b)
{
    int rc = 0;
    const svg_axis *ax = &f->ax, *ay = &f->ay;
    for (size_t i = 0; i < p->nhlines; i++) {
        if (ay->log && p->hlines[i].a <= 0)
            continue;
        double y = svg_map(ay, p->hlines[i].a);
        OUT("<line class=\"ref\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
            "stroke=\"#b00020\" stroke-dasharray=\"6 4\"/><text x=\"%.2f\" y=\"%.2f\" "
            "font-size=\"11\" text-anchor=\"end\" fill=\"#b00020\">",
            ax->p0, y, ax->p1, y, ax->p1 - 2, svg_px(y - 4));
        ESC(p->hlines[i].label);
        OUT("</text>\n");
    }
    if (f->dropped)
        OUT("<text x=\"%.2f\" y=\"%d\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">"
            "%zu point%s not shown (non-positive on a log axis, or not finite)</text>\n",
            ax->p1, f->h - 8, f->dropped, f->dropped == 1 ? "" : "s");
    OUT("</svg>\n");
    return rc;
}

/* Renders p into b (a scratch buffer). Returns 0 or the first dbuf error. */
static int svg_render_into(const svg_plot *p, dbuf *b)
{
    svg_frame f;
    svg_layout(p, &f);
    int rc = svg_write_head(p, &f, b);
    if (!rc)
        rc = svg_write_axes(p, &f, b);
    if (!rc)
        rc = svg_write_series(p, &f, b);
    if (!rc)
        rc = svg_write_tail(p, &f, b);
    return rc;
}

/* Appends the scratch buffer to out in one piece. Returns 0 or ST_ELIMIT / ST_ENOMEM. */
static int svg_commit(dbuf *out, dbuf *tmp, int rc)
{
    if (!rc)
        rc = dbuf_add(out, tmp->p ? tmp->p : "", tmp->len);
    dbuf_free(tmp);
    return rc;
}

int svg_plot_render(const svg_plot *p, dbuf *out)
{
    dbuf tmp;
    dbuf_init(&tmp, out->cap - out->len);
    return svg_commit(out, &tmp, svg_render_into(p, &tmp));
}

/* Heat-map colour for v in [0, 1]: white to dark blue; grey for non-finite values. */
static void svg_heat_colour(char *b, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(b, n, "#cccccc");
        return;
    }
    v = fmin(1, fmax(0, v));
    int r = (int)lround(255 - v * (255 - 8));
    int g = (int)lround(255 - v * (255 - 48));
    int bl = (int)lround(255 - v * (255 - 107));
    snprintf(b, n, "#%02x%02x%02x", r, g, bl);
}

int svg_heatmap(dbuf *out, const char *title, const char *const *row_labels,
                const char *const *col_labels, const double *m, size_t rows, size_t cols)
{
    if (rows && cols && rows > SVG_MAX_POINTS / cols)
        return ST_ELIMIT;
    if (rows && cols && !m)
        return ST_EINPUT;
    size_t rl = 4, cl = 4;
    for (size_t r = 0; r < rows && row_labels; r++)
        rl = strlen(row_labels[r]) > rl ? strlen(row_labels[r]) : rl;
    for (size_t c = 0; c < cols && col_labels; c++)
        cl = strlen(col_labels[c]) > cl ? strlen(col_labels[c]) : cl;
    if (rl > 30)
        rl = 30;
    if (cl > 30)
        cl = 30;
    double left = 12 + 7.0 * (double)rl, top = 32 + 5.0 * (double)cl;
    double cw = cols ? fmin(40, fmax(10, (720 - left - 16) / (double)cols)) : 40;
    double ch = 18;
    double w = left + cw * (double)cols + 16, h = top + ch * (double)rows + 12;

    dbuf tmp;
    dbuf_init(&tmp, out->cap - out->len);
    dbuf *b = &tmp;
    int rc = 0;
    title = title ? title : "";
    OUT("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"st-chart st-heat\" width=\"%.2f\" "
        "height=\"%.2f\" viewBox=\"0 0 %.2f %.2f\" role=\"img\" aria-label=\"",
        w, h, w, h);
    ESC(title);
    OUT("\" data-chart=\"");
    ESC(title);
    OUT("\" data-series=\"%zu\" data-points=\"%zu\" data-dropped=\"0\">\n<title>", rows,
        rows * cols);
    ESC(title);
    OUT("</title>\n<text x=\"4\" y=\"18\" font-size=\"14\" font-weight=\"600\">");
    ESC(title);
    OUT("</text>\n");
    char num[32], colour[16];
    for (size_t c = 0; c < cols; c++) {
        double x = svg_px(left + cw * ((double)c + 0.5));
        OUT("<text transform=\"translate(%.2f %.2f) rotate(-45)\" font-size=\"10\">", x, top - 4);
        if (col_labels)
            ESC(col_labels[c]);
        else
            OUT("%zu", c + 1);
        OUT("</text>\n");
    }
    for (size_t r = 0; r < rows; r++) {
        double y = top + ch * (double)r;
        OUT("<text x=\"%.2f\" y=\"%.2f\" font-size=\"11\" text-anchor=\"end\">", svg_px(left - 4),
            svg_px(y + ch * 0.7));
        if (row_labels)
            ESC(row_labels[r]);
        else
            OUT("%zu", r + 1);
        OUT("</text>\n");
        for (size_t c = 0; c < cols; c++) {
            double v = m[r * cols + c];
            svg_heat_colour(colour, sizeof colour, v);
            if (isfinite(v))
                snprintf(num, sizeof num, "%.2f", v);
            else
                snprintf(num, sizeof num, "n/a");
            OUT("<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" "
                "stroke=\"#fff\"><title>",
                svg_px(left + cw * (double)c), svg_px(y), svg_px(cw), ch, colour);
            if (row_labels)
                ESC(row_labels[r]);
            else
                OUT("%zu", r + 1);
            OUT(" / ");
            if (col_labels)
                ESC(col_labels[c]);
            else
                OUT("%zu", c + 1);
            OUT(": %s</title></rect>\n", num);
        }
    }
    OUT("</svg>\n");
    return svg_commit(out, &tmp, rc);
}
