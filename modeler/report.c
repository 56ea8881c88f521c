#include "report.h"
#include "afile.h"
#include "svg.h"
int report_render(const json_t *model, const char *title, dbuf *out, char *err)
{
    (void)model;
    if (html_page_begin(out, title) < 0 || html_page_end(out) < 0)
        return st_err(err, ST_ELIMIT, "report too large");
    return 0;
}
int report_write(const json_t *model, const char *path, char *err)
{
    dbuf b;
    dbuf_init(&b, 64u << 20);
    int rc = report_render(model, "traffic model", &b, err);
    if (rc == 0)
        rc = afile_write_all(path, b.p, b.len, err);
    dbuf_free(&b);
    return rc;
}
