/*
 * gen_kinds.c -- the list of generator kinds (see gen_kind.h), indexed by enum gkind. The
 * order of the list is the order of the names in messages ("expected one of ...").
 */
#include "gen_kind.h"

extern const gkind_def gk_sequence, gk_permutation, gk_const, gk_uniform, gk_normal, gk_lognormal,
    gk_exponential, gk_zipf, gk_categorical, gk_histogram, gk_bool, gk_timestamp, gk_text, gk_uuid,
    gk_ref, gk_parent, gk_line, gk_switch, gk_activity, gk_distinct, gk_dep;

/* clang-format off */
const gkind_def *const gk_kinds[] = {
    [G_SEQUENCE] = &gk_sequence,     [G_PERMUTATION] = &gk_permutation,
    [G_CONST] = &gk_const,           [G_UNIFORM] = &gk_uniform,
    [G_NORMAL] = &gk_normal,         [G_LOGNORMAL] = &gk_lognormal,
    [G_EXPONENTIAL] = &gk_exponential, [G_ZIPF] = &gk_zipf,
    [G_CATEGORICAL] = &gk_categorical, [G_HISTOGRAM] = &gk_histogram,
    [G_BOOL] = &gk_bool,             [G_TIMESTAMP] = &gk_timestamp,
    [G_TEXT] = &gk_text,             [G_UUID] = &gk_uuid,
    [G_REF] = &gk_ref,               [G_PARENT] = &gk_parent,
    [G_LINE] = &gk_line,             [G_SWITCH] = &gk_switch,
    [G_ACTIVITY] = &gk_activity,     [G_DISTINCT] = &gk_distinct,
    [G_DEP] = &gk_dep,
};
/* clang-format on */

_Static_assert(sizeof gk_kinds / sizeof gk_kinds[0] == G_NKINDS, "one row per enum gkind value");

const gkind_def *gk_def(int kind)
{
    return kind >= 0 && kind < G_NKINDS ? gk_kinds[kind] : NULL;
}

int gk_late(int kind)
{
    return kind == G_DISTINCT;
}
