/*
 * fit_run.h -- everything between the streaming pass and the model: series and profile,
 * dispersion, then the Hawkes, burst, think-time and WebSocket fits, honouring the
 * data-quality verdict (quantised timestamps refuse the timing fits, with the reason).
 *
 * fit_run fills a caller-owned fit_result (whose g, files, command, seed, k_min and
 * max_routes the caller sets first); fit_result_term frees what fit_run allocated.
 */
#ifndef MODELER_FIT_RUN_H
#define MODELER_FIT_RUN_H

#include "model_write.h"

int fit_run(fit_result *fr, char *err); /* 0 or ST_ENOMEM */
void fit_result_term(fit_result *fr);

#endif
