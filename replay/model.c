/*
 * model.c -- the draws replay makes from a loaded traffic model (see model.h); reading the
 * file is common/tmodel.c.
 */
#include "model.h"

#include <math.h>
#include <string.h>

double model_profile(const model *m, double epoch)
{
    int64_t h = (int64_t)floor(epoch / 3600);
    if (m->profile_kind == PROFILE_WEEK)
        return m->profile[((h + 72) % 168 + 168) % 168]; /* 1970-01-01 was a Thursday */
    if (m->profile_kind == PROFILE_DAY)
        return m->profile[(h % 24 + 24) % 24];
    return 1;
}

int model_route_index(const model *m, const char *template_)
{
    for (size_t i = 0; i < m->n_routes; i++)
        if (!strcmp(m->routes[i].template_, template_))
            return (int)i;
    return -1;
}

double model_think(const model *m, rng_stream *s)
{
    switch (m->think_dist) {
    case THINK_WEIBULL: return rng_weibull(s, m->think_a, m->think_b);
    case THINK_GAMMA: return rng_gamma(s, m->think_a, m->think_b);
    default: return rng_lognormal(s, m->think_a, m->think_b);
    }
}
