/*
 * test_afile.c -- unit tests of common/afile.c.
 *
 * Each test works in its own mkdtemp directory and, at the end, counts the directory's
 * entries: an atomic writer that leaves a ".x.tmp.*" behind on any path (commit, abort,
 * stream error) fails here. The original file must survive an aborted write byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"

typedef struct {
    char dir[256];
    char path[512];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/st-afile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/out.json", fx->dir);
    *state = fx;
    return 0;
}

/* Number of entries in dir other than . and .. */
static int count_entries(const char *dir, char *first, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int c = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (c == 0 && first)
            snprintf(first, n, "%s", e->d_name);
        c++;
    }
    closedir(d);
    return c;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
                unlink(p);
            }
        }
        closedir(d);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 4096);
    size_t n = fread(buf, 1, 4095, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_commit(void **state)
{
    fixture *fx = *state;
    char err[ST_ERRLEN] = "";
    afile af;
    mode_t old = umask(022);
    FILE *f = afile_open(&af, fx->path, err);
    assert_non_null(f);
    /* While open, the temporary sits next to the target with the documented name. */
    char name[256];
    assert_int_equal(count_entries(fx->dir, name, sizeof name), 1);
    assert_int_equal(strncmp(name, ".out.json.tmp.", 14), 0);
    assert_true(access(fx->path, F_OK) != 0);
    fprintf(f, "{\"a\": 1}\n");
    assert_int_equal(afile_commit(&af, err), 0);
    afile_abort(&af); /* harmless after commit */
    umask(old);
    char *s = slurp(fx->path);
    assert_string_equal(s, "{\"a\": 1}\n");
    free(s);
    assert_int_equal(count_entries(fx->dir, name, sizeof name), 1);
    assert_string_equal(name, "out.json");
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    /* A second commit is an error, not a crash. */
    assert_int_equal(afile_commit(&af, err), ST_EINPUT);
}

static void test_abort_keeps_original(void **state)
{
    fixture *fx = *state;
    char err[ST_ERRLEN] = "";
    assert_int_equal(afile_write_all(fx->path, "original\n", 9, err), 0);
    afile af;
    FILE *f = afile_open(&af, fx->path, err);
    assert_non_null(f);
    fprintf(f, "half a fi");
    afile_abort(&af);
    afile_abort(&af); /* twice is fine */
    char *s = slurp(fx->path);
    assert_string_equal(s, "original\n");
    free(s);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
}

static void test_replace_keeps_mode(void **state)
{
    fixture *fx = *state;
    char err[ST_ERRLEN] = "";
    assert_int_equal(afile_write_all(fx->path, "one", 3, err), 0);
    assert_int_equal(chmod(fx->path, 0600), 0);
    assert_int_equal(afile_write_all(fx->path, "two", 3, err), 0);
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *s = slurp(fx->path);
    assert_string_equal(s, "two");
    free(s);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
}

static void test_stream_error(void **state)
{
    fixture *fx = *state;
    char err[ST_ERRLEN] = "";
    assert_int_equal(afile_write_all(fx->path, "original\n", 9, err), 0);
    afile af;
    FILE *f = afile_open(&af, fx->path, err);
    assert_non_null(f);
    fputs("new content", f);
    /* Reading a write-only stream sets its error indicator, as a failed write would. */
    (void)fgetc(f);
    assert_true(ferror(f));
    assert_int_equal(afile_commit(&af, err), ST_EENV);
    assert_non_null(strstr(err, fx->path));
    char *s = slurp(fx->path);
    assert_string_equal(s, "original\n");
    free(s);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1);
}

static void test_unwritable(void **state)
{
    fixture *fx = *state;
    char err[ST_ERRLEN] = "";
    char p[600];
    snprintf(p, sizeof p, "%s/no-such-dir/out.json", fx->dir);
    afile af;
    assert_null(afile_open(&af, p, err));
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, "No such file or directory"));
    afile_abort(&af); /* safe after a failed open */
    assert_int_equal(afile_write_all(p, "x", 1, err), ST_EENV);

    /* A regular file where a directory should be: unwritable even for root. */
    char blocker[300];
    snprintf(blocker, sizeof blocker, "%s/plain", fx->dir);
    assert_int_equal(afile_write_all(blocker, "x", 1, err), 0);
    snprintf(p, sizeof p, "%s/out.json", blocker);
    assert_int_equal(afile_write_all(p, "x", 1, err), ST_EENV);
    assert_non_null(strstr(err, p));
    assert_non_null(strstr(err, "Not a directory"));
    assert_int_equal(unlink(blocker), 0);

    if (geteuid() != 0) { /* root ignores directory permissions */
        char ro[300];
        snprintf(ro, sizeof ro, "%s/ro", fx->dir);
        assert_int_equal(mkdir(ro, 0555), 0);
        snprintf(p, sizeof p, "%s/out.json", ro);
        assert_int_equal(afile_write_all(p, "x", 1, err), ST_EENV);
        assert_non_null(strstr(err, "Permission denied"));
        assert_non_null(strstr(err, p));
        rmdir(ro);
    }
    assert_null(afile_open(&af, "", err));
    snprintf(p, sizeof p, "%s/", fx->dir);
    assert_null(afile_open(&af, p, err)); /* names a directory */
    /* A directory in the target's place: the rename fails and the temporary goes away. */
    snprintf(p, sizeof p, "%s/sub", fx->dir);
    assert_int_equal(mkdir(p, 0755), 0);
    assert_int_equal(afile_write_all(p, "x", 1, err), ST_EENV);
    assert_non_null(strstr(err, p));
    assert_int_equal(rmdir(p), 0);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 0);
}

static void test_stdout(void **state)
{
    (void)state;
    char err[ST_ERRLEN] = "";
    afile af;
    FILE *f = afile_open(&af, "-", err);
    assert_ptr_equal(f, stdout);
    assert_int_equal(af.is_stdout, 1);
    assert_int_equal(afile_commit(&af, err), 0);
    afile_abort(&af);
}

/* An existing FIFO (standing in for /dev/null or a terminal) is written in place and stays a
 * FIFO: renaming a temporary over it would have replaced the device node with a plain file,
 * which is how a root test run once turned the machine's /dev/null into a regular file. */
static void test_special_file_in_place(void **state)
{
    fixture *fx = *state;
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s/pipe", fx->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int rfd = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(rfd >= 0);
    afile af;
    char err[ST_ERRLEN] = "";
    FILE *f = afile_open(&af, fifo, err);
    assert_non_null(f);
    fputs("through the pipe", f);
    assert_int_equal(afile_commit(&af, err), 0);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    char buf[64] = "";
    ssize_t n = read(rfd, buf, sizeof buf - 1);
    assert_int_equal(n, 16);
    assert_string_equal(buf, "through the pipe");
    close(rfd);
    assert_int_equal(count_entries(fx->dir, NULL, 0), 1); /* no temporary left behind */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_keeps_original, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replace_keeps_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stdout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_special_file_in_place, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
