/*
 * html.h -- the page helpers of the self-contained HTML reports (modeler report, replay
 * report, replay search), next to the charts they hold (svg.h).
 *
 * Every helper appends to a capped dbuf and returns 0, ST_ENOMEM or ST_ELIMIT; text is
 * HTML-escaped, so model or scenario strings can never open a tag. A page is
 * html_page_begin, the caller's sections, html_page_end. HTML_TRY returns the first
 * non-zero code from a section function, which is how every section is written.
 */
#ifndef ST_HTML_H
#define ST_HTML_H

#include <stddef.h>

#include "dbuf.h"
#include "svg.h"

#define HTML_TRY(x) \
    do { \
        int rc_ = (x); \
        if (rc_) \
            return rc_; \
    } while (0)

/* A <!doctype html> head with the inline CSS both tools share, <main> and the <h1> title. */
int html_page_begin(dbuf *out, const char *title);
int html_page_end(dbuf *out);
/* <h2 id="ID">TEXT</h2>, or <h2>TEXT</h2> when id is NULL (id is not escaped: a constant). */
int html_h2(dbuf *b, const char *id, const char *text);
/* <p class="CLS">TEXT</p> (cls is not escaped: a constant). */
int html_para(dbuf *b, const char *cls, const char *text);
/* <li>TEXT</li> */
int html_li(dbuf *b, const char *text);
/* Renders the plot into b and frees it, whatever the outcome (the last step of every chart). */
int html_plot_done(svg_plot *p, dbuf *b);
/* A duration given in microseconds (the unit of the histograms), as units_fmt_duration. */
void html_fmt_us(char *buf, size_t n, double us);

#endif
