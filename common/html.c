/*
 * html.c -- HTML page helpers for the reports (see html.h).
 */
#include "html.h"

#include "units.h"

/* The head is built in a scratch buffer and appended whole, so a page that hits the size
 * cap is left without half a head. */
int html_page_begin(dbuf *out, const char *title)
{
    static const char css[] =
        "body{margin:0;background:#fff;color:#1a1a1a;font:15px/1.5 system-ui,-apple-system,"
        "\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
        "main{max-width:980px;margin:0 auto;padding:16px 24px 48px}\n"
        "h1{font-size:1.6em;margin:.6em 0 .3em}h2{font-size:1.25em;margin:1.6em 0 .4em;"
        "border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1.05em}\n"
        "svg.st-chart{display:block;max-width:100%;height:auto;margin:8px 0 16px;"
        "font-family:inherit}\n"
        "table{border-collapse:collapse;margin:8px 0 16px;font-size:.92em}"
        "th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}"
        "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
        "th{background:#f4f4f4}\n"
        "code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}"
        "pre{background:#f6f6f6;padding:8px;overflow-x:auto}\n"
        ".ok{color:#1b7f3b}.bad{color:#b00020}.muted{color:#666}\n";
    dbuf tmp;
    dbuf_init(&tmp, out->cap - out->len);
    int rc = dbuf_adds(&tmp, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta "
                             "charset=\"utf-8\">\n<meta name=\"viewport\" "
                             "content=\"width=device-width, initial-scale=1\">\n<title>");
    if (!rc)
        rc = dbuf_add_html(&tmp, title ? title : "");
    if (!rc)
        rc = dbuf_printf(&tmp, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
    if (!rc)
        rc = dbuf_add_html(&tmp, title ? title : "");
    if (!rc)
        rc = dbuf_adds(&tmp, "</h1>\n");
    if (!rc)
        rc = dbuf_add(out, tmp.p ? tmp.p : "", tmp.len);
    dbuf_free(&tmp);
    return rc;
}

int html_page_end(dbuf *out)
{
    return dbuf_adds(out, "</main>\n</body>\n</html>\n");
}

int html_h2(dbuf *b, const char *id, const char *text)
{
    HTML_TRY(id ? dbuf_printf(b, "<h2 id=\"%s\">", id) : dbuf_adds(b, "<h2>"));
    HTML_TRY(dbuf_add_html(b, text));
    return dbuf_adds(b, "</h2>\n");
}

int html_para(dbuf *b, const char *cls, const char *text)
{
    HTML_TRY(dbuf_printf(b, "<p class=\"%s\">", cls));
    HTML_TRY(dbuf_add_html(b, text));
    return dbuf_adds(b, "</p>\n");
}

int html_li(dbuf *b, const char *text)
{
    HTML_TRY(dbuf_adds(b, "<li>"));
    HTML_TRY(dbuf_add_html(b, text));
    return dbuf_adds(b, "</li>\n");
}

int html_plot_done(svg_plot *p, dbuf *b)
{
    int rc = svg_plot_render(p, b);
    svg_plot_free(p);
    return rc;
}

void html_fmt_us(char *buf, size_t n, double us)
{
    units_fmt_duration(buf, n, us / 1e6);
}
