/*
 * fmt_auto.c -- `--format auto`: every preset is tried on a sample of the first lines and
 * the one that parses the largest share wins, if that share is at least LOGFMT_AUTO_SHARE.
 *
 * Ties, and near-ties within LOGFMT_AUTO_SLACK, go to the earlier preset in the table
 * (fmt_presets.c orders the stricter formats first): combined at 99.5% carries user agents
 * that common at 100% would drop. Directive lines (W3C #Fields:) count for no candidate, so a W3C
 * log is judged by its data lines. The three best candidates, each with its first failing line, are
 * kept for the message when nothing qualifies: a user can then see which preset is closest and
 * where it breaks, and adapt it (modeler formats).
 */
#include <stdio.h>
#include <string.h>

#include "fmt_internal.h"

/* Tries one preset on the sample; fills c. Returns 0, or -1 if it does not compile. */
static int auto_try(const logfmt_preset *p, size_t order, const char *const *lines,
                    const size_t *lens, const uint64_t *linenos, const int *too_long, size_t n,
                    const char *tf, const char *tz, logfmt_candidate *c)
{
    char err[ST_ERRLEN];
    logfmt *f = logfmt_new(p->name, err);
    if (!f)
        return -1;
    if (logfmt_set_time(f, tf, tz, err) < 0) {
        logfmt_free(f);
        return -1;
    }
    memset(c, 0, sizeof *c);
    c->name = p->name;
    c->order = order;
    for (size_t i = 0; i < n; i++) {
        if (lens[i] == 0 || (too_long && too_long[i]))
            continue;
        logrec r;
        int rc = logfmt_parse(f, lines[i], lens[i], &r);
        if (rc == LF_DIRECTIVE)
            continue;
        c->tried++;
        if (rc == LF_OK) {
            c->parsed++;
        } else if (!c->first_bad_line) {
            c->first_bad_line = linenos[i];
            c->reason = rc;
            c->column = logfmt_fail_col(f) + 1;
            snprintf(c->field, sizeof c->field, "%s", logfmt_fail_field(f));
        }
    }
    c->share = c->tried ? (double)c->parsed / (double)c->tried : 0;
    logfmt_free(f);
    return 0;
}

logfmt *logfmt_detect(const char *const *lines, const size_t *lens, const uint64_t *linenos,
                      const int *too_long, size_t n, const char *time_format, const char *tz,
                      logfmt_detection *det, char *err)
{
    memset(det, 0, sizeof *det);
    det->sample = n;
    for (size_t i = 0; logfmt_preset_at(i); i++) {
        logfmt_candidate c;
        if (auto_try(logfmt_preset_at(i), i, lines, lens, linenos, too_long, n, time_format, tz,
                     &c) < 0)
            continue;
        /* Insert into the top three; a later preset must do strictly better to pass. */
        size_t k = det->nbest;
        while (k > 0 && c.share > det->best[k - 1].share)
            k--;
        if (k >= LOGFMT_AUTO_TOP)
            continue;
        size_t last = det->nbest < LOGFMT_AUTO_TOP ? det->nbest : LOGFMT_AUTO_TOP - 1;
        for (size_t j = last; j > k; j--)
            det->best[j] = det->best[j - 1];
        det->best[k] = c;
        if (det->nbest < LOGFMT_AUTO_TOP)
            det->nbest++;
    }
    if (det->nbest == 0 || det->best[0].tried == 0) {
        st_err(err, ST_EINPUT, "--format auto: no request lines in the first %zu lines", n);
        return NULL;
    }
    if (det->best[0].share < LOGFMT_AUTO_SHARE) {
        st_err(err, ST_EINPUT,
               "--format auto: no preset parses %.0f%% of the first %zu lines (best: %s, %.1f%%)",
               100 * LOGFMT_AUTO_SHARE, n, det->best[0].name, 100 * det->best[0].share);
        return NULL;
    }
    /* The stricter of near-equals: the earliest preset within the slack of the best. */
    size_t pick = 0;
    for (size_t k = 1; k < det->nbest; k++)
        if (det->best[k].share >= LOGFMT_AUTO_SHARE &&
            det->best[k].share >= det->best[0].share - LOGFMT_AUTO_SLACK &&
            det->best[k].order < det->best[pick].order)
            pick = k;
    if (pick) {
        logfmt_candidate c = det->best[pick];
        memmove(&det->best[1], &det->best[0], pick * sizeof det->best[0]);
        det->best[0] = c;
    }
    logfmt *f = logfmt_new(det->best[0].name, err);
    if (f && logfmt_set_time(f, time_format, tz, err) < 0) {
        logfmt_free(f);
        return NULL;
    }
    return f;
}
