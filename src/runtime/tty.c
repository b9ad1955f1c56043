/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "tty.h"
#include "util/fd.h"
#include "util/fileio.h"

int tty_setup_console(int console_sock, const struct oci_process *p, bool mount_console,
                      struct cu_error **err)
{
        _cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return cu_error_set(err, errno, "opening /dev/ptmx");
        int unlock = 0;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return cu_error_set(err, errno, "unlocking pty");
        unsigned ptn = 0;
        if (ioctl(master, TIOCGPTN, &ptn) < 0)
                return cu_error_set(err, errno, "getting pty number");
        char slave_path[64];
        snprintf(slave_path, sizeof slave_path, "/dev/pts/%u", ptn);
        _cleanup_close_ int slave = open(slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return cu_error_set(err, errno, "opening %s", slave_path);

        if (p->has_console_size) {
                struct winsize ws = { .ws_row = (unsigned short) p->console_size.height,
                                      .ws_col = (unsigned short) p->console_size.width };
                if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
                        return cu_error_set(err, errno, "setting console size");
        }

        if (mount_console) {
                int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && errno != EEXIST)
                        return cu_error_set(err, errno, "creating /dev/console");
                safe_close(fd);
                if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
                        return cu_error_set(err, errno, "mounting %s on /dev/console", slave_path);
        }

        int r = send_fd(console_sock, master, "console", 7);
        if (r < 0)
                return cu_error_set(err, -r, "sending the pty master over the console socket");

        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return cu_error_set(err, errno, "dup2 of the console to %d", i);
        if (ioctl(0, TIOCSCTTY, 0) < 0)
                return cu_error_set(err, errno, "setting the controlling terminal");
        return 0;
}

int tty_copy_once(int from, int to)
{
        char buf[8192];
        ssize_t k = read(from, buf, sizeof buf);
        if (k < 0)
                return errno == EINTR || errno == EAGAIN ? 1 : -errno;
        if (k == 0)
                return 0;
        return write_all(to, buf, (size_t) k) < 0 ? -EIO : 1;
}

bool tty_raw_enter(int master, void *saved_termios)
{
        struct termios *saved = saved_termios;
        if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved) < 0)
                return false;
        struct winsize ws;
        if (master >= 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
        struct termios t = *saved;
        cfmakeraw(&t);
        t.c_oflag = saved->c_oflag;
        return tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
}

void tty_raw_leave(const void *saved_termios)
{
        (void) tcsetattr(STDIN_FILENO, TCSANOW, (const struct termios *) saved_termios);
}
