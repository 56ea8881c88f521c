/*
 * afile.c -- atomic file writes (see afile.h).
 *
 * Design: the temporary is created with mkstemp in the target's own directory, named
 * ".<base>.tmp.XXXXXX", so that rename(2) stays within one filesystem and is atomic. Commit
 * runs fflush, fsync, fclose, rename and finally fsync on the directory, so that the rename
 * itself survives a crash. Any failure removes the temporary; the target is never touched
 * until the rename. Invariant: af->done is set once the afile has released everything, which
 * makes a second commit/abort a no-op.
 */
#include "afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Splits path into directory (for the temporary and the directory fsync) and base name.
 * Returns 0 or ST_EINPUT when the pieces do not fit. */
static int afile_split(const char *path, char *dir, size_t dn, const char **base)
{
    const char *slash = strrchr(path, '/');
    if (!slash) {
        *base = path;
        return snprintf(dir, dn, ".") < (int)dn ? 0 : ST_EINPUT;
    }
    *base = slash + 1;
    size_t len = (size_t)(slash - path);
    if (len == 0)
        len = 1; /* "/file" lives in "/" */
    if (len >= dn)
        return ST_EINPUT;
    memcpy(dir, path, len);
    dir[len] = '\0';
    return 0;
}

/* The mode for the new file: the existing target's mode when replacing a file, else
 * 0666 minus the umask. The umask is read from /proc/self/status because umask(2) can only
 * be read by changing it, which would race with other threads creating files. */
static mode_t afile_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    mode_t um = 022;
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "Umask:", 6) == 0) {
                char *end;
                unsigned long v = strtoul(line + 6, &end, 8);
                if (end != line + 6)
                    um = (mode_t)(v & 0777);
                break;
            }
        }
        fclose(f);
    }
    return 0666 & ~um;
}

FILE *afile_open(afile *af, const char *path, char *err)
{
    memset(af, 0, sizeof *af);
    af->done = 1; /* until fully opened, abort/commit have nothing to do */
    if (!path || !*path) {
        st_err(err, ST_EINPUT, "output path is empty");
        return NULL;
    }
    if (strcmp(path, "-") == 0) {
        snprintf(af->path, sizeof af->path, "-");
        af->f = stdout;
        af->is_stdout = 1;
        af->done = 0;
        return stdout;
    }
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        /* A device or FIFO: there is nothing to replace atomically (see afile.h). */
        if (strlen(path) >= sizeof af->path) {
            st_err(err, ST_EINPUT, "%.200s...: path too long", path);
            return NULL;
        }
        af->f = fopen(path, "w");
        if (!af->f) {
            st_err(err, ST_EENV, "%s: cannot open for writing: %s", path, strerror(errno));
            return NULL;
        }
        snprintf(af->path, sizeof af->path, "%s", path);
        af->is_direct = 1;
        af->done = 0;
        return af->f;
    }
    char dir[4096];
    const char *base;
    if (strlen(path) >= sizeof af->path || afile_split(path, dir, sizeof dir, &base) != 0) {
        st_err(err, ST_EINPUT, "%.200s...: path too long", path);
        return NULL;
    }
    if (!*base) {
        st_err(err, ST_EINPUT, "%s: is a directory, expected a file path", path);
        return NULL;
    }
    int n = snprintf(af->tmp, sizeof af->tmp, "%s/.%s.tmp.XXXXXX", dir, base);
    if (n < 0 || (size_t)n >= sizeof af->tmp) {
        st_err(err, ST_EINPUT, "%.200s...: path too long", path);
        return NULL;
    }
    snprintf(af->path, sizeof af->path, "%s", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        st_err(err, ST_EENV, "%s: cannot create temporary file in %s: %s", path, dir,
               strerror(errno));
        return NULL;
    }
    /* mkstemp creates 0600; a written file should get the mode a plain fopen would give. */
    if (fchmod(fd, afile_mode(path)) != 0) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        st_err(err, ST_EENV, "%s: cannot set mode of %s: %s", path, af->tmp, strerror(e));
        return NULL;
    }
    af->f = fdopen(fd, "w");
    if (!af->f) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        st_err(err, ST_EENV, "%s: fdopen failed: %s", path, strerror(e));
        return NULL;
    }
    af->done = 0;
    return af->f;
}

/* fsyncs the directory holding the target so the rename is durable. Returns 0 or ST_EENV. */
static int afile_sync_dir(const char *path, char *err)
{
    char dir[4096];
    const char *base;
    if (afile_split(path, dir, sizeof dir, &base) != 0)
        return st_err(err, ST_EINPUT, "%.200s...: path too long", path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return st_err(err, ST_EENV, "%s: cannot open directory %s: %s", path, dir, strerror(errno));
    int rc = 0;
    /* Some filesystems refuse fsync on a directory (EINVAL); the rename is then as durable
     * as that filesystem can make it, which is not our error to report. */
    if (fsync(fd) != 0 && errno != EINVAL)
        rc = st_err(err, ST_EENV, "%s: fsync of directory %s failed: %s", path, dir,
                    strerror(errno));
    close(fd);
    return rc;
}

int afile_commit(afile *af, char *err)
{
    if (af->done)
        return st_err(err, ST_EINPUT, "afile_commit: file already committed or aborted");
    af->done = 1;
    if (af->is_stdout) {
        int bad = ferror(stdout);
        if (fflush(stdout) != 0 || bad)
            return st_err(err, ST_EENV, "writing to standard output failed: %s",
                          bad ? "stream error" : strerror(errno));
        af->f = NULL;
        return 0;
    }
    FILE *f = af->f;
    af->f = NULL;
    if (af->is_direct) {
        int bad = ferror(f);
        int e = fflush(f) != 0 ? errno : 0;
        if (fclose(f) != 0 && !e)
            e = errno;
        if (bad || e)
            return st_err(err, ST_EENV, "%s: write failed: %s", af->path,
                          e ? strerror(e) : "stream error");
        return 0;
    }
    if (ferror(f)) {
        fclose(f);
        unlink(af->tmp);
        return st_err(err, ST_EENV, "%s: write failed (stream error)", af->path);
    }
    if (fflush(f) != 0) {
        int e = errno;
        fclose(f);
        unlink(af->tmp);
        return st_err(err, ST_EENV, "%s: write failed: %s", af->path, strerror(e));
    }
    if (fsync(fileno(f)) != 0) {
        int e = errno;
        fclose(f);
        unlink(af->tmp);
        return st_err(err, ST_EENV, "%s: fsync failed: %s", af->path, strerror(e));
    }
    if (fclose(f) != 0) {
        int e = errno;
        unlink(af->tmp);
        return st_err(err, ST_EENV, "%s: close failed: %s", af->path, strerror(e));
    }
    if (rename(af->tmp, af->path) != 0) {
        int e = errno;
        unlink(af->tmp);
        return st_err(err, ST_EENV, "%s: cannot rename %s into place: %s", af->path, af->tmp,
                      strerror(e));
    }
    return afile_sync_dir(af->path, err);
}

void afile_abort(afile *af)
{
    if (af->done)
        return;
    af->done = 1;
    if (af->is_stdout) {
        fflush(stdout);
        af->f = NULL;
        return;
    }
    if (af->f)
        fclose(af->f);
    af->f = NULL;
    if (!af->is_direct)
        unlink(af->tmp);
}

int afile_write_all(const char *path, const void *buf, size_t n, char *err)
{
    afile af;
    FILE *f = afile_open(&af, path, err);
    if (!f)
        return ST_EENV;
    if (n && fwrite(buf, 1, n, f) != n) {
        int e = errno;
        afile_abort(&af);
        return st_err(err, ST_EENV, "%s: write failed: %s", path, strerror(e));
    }
    return afile_commit(&af, err);
}
