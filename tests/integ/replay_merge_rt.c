/*
 * replay_merge_rt.c -- round trip of results_read: results_build(results_read(x)) must write
 * x again byte for byte. Usage: replay_merge_rt RESULTS.json OUT.json (then cmp them).
 * Exit 0 when read and rebuilt, 2 when the file was refused (message on stderr).
 */
#include <stdio.h>

#include "jsonio.h"
#include "merge.h"

int main(int argc, char **argv)
{
    rr_result r;
    char err[ST_ERRLEN];
    json_t *doc;
    int rc;
    if (argc != 3) {
        fprintf(stderr, "usage: replay_merge_rt RESULTS.json OUT.json\n");
        return 2;
    }
    if (results_read_file(&r, argv[1], err)) {
        fprintf(stderr, "replay_merge_rt: %s\n", err);
        return 2;
    }
    doc = merge_build_doc(&r);
    rc = !doc || jsonio_save(argv[2], doc, err);
    if (rc)
        fprintf(stderr, "replay_merge_rt: %s\n", doc ? err : "out of memory");
    json_decref(doc);
    results_read_term(&r);
    return rc ? 3 : 0;
}
