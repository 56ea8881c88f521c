/*
 * afile.h -- atomic file writes: temporary file in the target's directory, fsync, rename,
 * fsync of the directory. A reader sees either the old file or the complete new one, never
 * half a file, even across a crash.
 *
 * Usage:  afile af; FILE *f = afile_open(&af, path, err); ...write...; afile_commit(&af, err);
 * On any error path call afile_abort(&af) (removes the temporary). Commit and abort both
 * release everything; calling abort after commit is a harmless no-op.
 * path "-" means stdout: open returns stdout and commit just flushes. An existing path that is
 * not a regular file (/dev/null, a FIFO, a terminal) is opened and written in place: renaming
 * a temporary over it would replace the device with a plain file, which as root breaks the
 * whole machine's /dev/null.
 */
#ifndef ST_AFILE_H
#define ST_AFILE_H

#include <stdio.h>
#include "st.h"

typedef struct afile {
    FILE *f;
    char tmp[4096];
    char path[4096];
    int is_stdout;
    int is_direct; /* an existing non-regular file (/dev/null, a FIFO): written in place */
    int done;
} afile;

FILE *afile_open(afile *af, const char *path, char *err); /* NULL on failure */
int afile_commit(afile *af, char *err); /* checks ferror/fflush/fsync/fclose/rename */
void afile_abort(afile *af);

/* Writes buf to path atomically. */
int afile_write_all(const char *path, const void *buf, size_t n, char *err);

#endif
