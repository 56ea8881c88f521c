/*
 * formats.h -- the identifiers and versions of every file Stampede writes or reads.
 *
 * Each file carries {"format": ID, "version": N} (the trace carries them in its header line).
 * A writer stamps ST_FMT_X / ST_FMT_X_VERSION; a reader accepts exactly ST_FMT_X and any
 * version in [1, ST_FMT_X_VERSION] (jv_version). Raising a version is therefore a one-line
 * change here, and it moves the writer and every reader together: the files are contracts
 * between tools, so their numbers live in common/ and not in any one tool.
 * The documents behind them are in docs/formats/.
 */
#ifndef ST_FORMATS_H
#define ST_FORMATS_H

/* Traffic model: modeler fit writes it; modeler diff/report and replay init/plan/run read it
 * (common/tmodel.h). docs/formats/traffic-model.md */
#define ST_FMT_MODEL "stampede-traffic-model"
#define ST_FMT_MODEL_VERSION 1

/* Trace (NDJSON, header line first): modeler extract writes it, replay run --trace reads it.
 * docs/formats/trace.md */
#define ST_FMT_TRACE "stampede-trace"
#define ST_FMT_TRACE_VERSION 1

/* Scenario: replay init writes it, replay plan/run read it. */
#define ST_FMT_SCENARIO "stampede-scenario"
#define ST_FMT_SCENARIO_VERSION 1

/* Results of one run or segment: replay run writes them, replay merge/report read them. */
#define ST_FMT_RESULTS "stampede-replay-results"
#define ST_FMT_RESULTS_VERSION 1

/* Capacity search document: replay search writes it, replay merge/report read it. */
#define ST_FMT_SEARCH "stampede-replay-search"
#define ST_FMT_SEARCH_VERSION 1

/* PostgreSQL statistics probe, embedded in results ("db"). */
#define ST_FMT_DB_PROBE "stampede-db-probe"
#define ST_FMT_DB_PROBE_VERSION 1

/* Shape: datagen profile writes it (and fill --from-schema), datagen fill/compare read it. */
#define ST_FMT_SHAPE "stampede-shape"
#define ST_FMT_SHAPE_VERSION 1

/* Mergeable latency histogram (common/hist.h), embedded in results; the version is part of
 * the identifier because a histogram has no version key. */
#define ST_FMT_HIST "st-hist-1"

#endif
