/* sd_notify's datagram (common/sdnotify.c) as systemd receives it: on a
 * socket named by a path and on an abstract one ('@'), nothing without
 * $NOTIFY_SOCKET, and a refusal of a name that is neither. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

/* A datagram socket bound to name ('@' for the abstract namespace). */
static int listen_at(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t n = strlen(name);
    memcpy(addr.sun_path, name, n);
    if (name[0] == '@')
        addr.sun_path[0] = '\0';
    assert_int_equal(
        bind(fd, (struct sockaddr *)&addr, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)),
        0);
    return fd;
}

static void received(int fd, const char *want)
{
    char buf[64] = "";
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    assert_int_equal(n, (ssize_t)strlen(want));
    assert_string_equal(buf, want);
}

static void sends_to_a_path_and_to_an_abstract_name(void **state)
{
    (void)state;
    char dir[] = "/tmp/sertel-notify-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/notify", dir);
    int fd = listen_at(path);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_true(sdnotify("READY=1"));
    received(fd, "READY=1");
    close(fd);
    unlink(path);
    rmdir(dir);

    char abstract[64];
    snprintf(abstract, sizeof abstract, "@sertel-test-%ld", (long)getpid());
    fd = listen_at(abstract);
    setenv("NOTIFY_SOCKET", abstract, 1);
    assert_true(sdnotify("STOPPING=1"));
    received(fd, "STOPPING=1");
    close(fd);
    unsetenv("NOTIFY_SOCKET");
}

static void nothing_without_systemd_and_bad_names_refused(void **state)
{
    (void)state;
    unsetenv("NOTIFY_SOCKET");
    assert_true(sdnotify("READY=1"));
    setenv("NOTIFY_SOCKET", "relative/name", 1);
    assert_false(sdnotify("READY=1"));
    setenv("NOTIFY_SOCKET", "/nonexistent/sertel/notify", 1);
    assert_false(sdnotify("READY=1"));
    unsetenv("NOTIFY_SOCKET");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sends_to_a_path_and_to_an_abstract_name),
        cmocka_unit_test(nothing_without_systemd_and_bad_names_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
