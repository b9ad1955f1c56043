/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tty.h"
#include "util/cleanup.h"
#include "util/proc.h"
#include "wait.h"

static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH,
                                 SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGALRM };

static int exit_code(int status)
{
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return 255;
}

int wait_foreground(pid_t pid, int master)
{
        sigset_t mask, old;
        sigemptyset(&mask);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(&mask, forwarded[i]);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, &old);
        _cleanup_close_ int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);

        struct termios saved;
        bool raw = master >= 0 && tty_raw_enter(master, &saved);
        int status = 0, code = -1;
        bool exited = false, master_open = master >= 0, stdin_open = master >= 0;

        for (;;) {
                if (!exited) {
                        pid_t w = waitpid(pid, &status, WNOHANG | __WALL);
                        if (w == pid) {
                                exited = true;
                                code = exit_code(status);
                        } else if (w < 0 && errno == ECHILD) {
                                exited = true;
                                code = 255;
                        }
                }
                if (exited && !master_open)
                        break;
                struct pollfd fds[3] = {
                        { .fd = sfd, .events = POLLIN },
                        { .fd = master_open ? master : -1, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                /* Once the child is gone, drain the pty without blocking forever. */
                int n = poll(fds, 3, exited ? 100 : -1);
                if (n < 0 && errno != EINTR)
                        break;
                if (n == 0 && exited)
                        break;
                if (fds[0].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof si) == sizeof si) {
                                if ((int) si.ssi_signo == SIGCHLD)
                                        continue;
                                if ((int) si.ssi_signo == SIGWINCH && master >= 0) {
                                        struct winsize ws;
                                        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                                                (void) ioctl(master, TIOCSWINSZ, &ws);
                                        continue;
                                }
                                (void) kill(pid, (int) si.ssi_signo);
                        }
                }
                if (fds[1].revents & (POLLIN | POLLHUP | POLLERR))
                        if (tty_copy_once(master, STDOUT_FILENO) <= 0)
                                master_open = false;
                if (fds[2].revents & (POLLIN | POLLHUP | POLLERR))
                        if (tty_copy_once(STDIN_FILENO, master) <= 0)
                                stdin_open = false;
        }
        if (!exited) {
                int r = wait_for_pid_status(pid, &status);
                code = r < 0 ? r : exit_code(status);
        }
        if (raw)
                tty_raw_leave(&saved);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return code;
}

int wait_pid_gone(pid_t pid, int timeout_ms)
{
        _cleanup_close_ int pfd = sys_pidfd_open(pid, 0);
        if (pfd < 0)
                return pfd == -ESRCH ? 0 : pfd;
        struct pollfd p = { .fd = pfd, .events = POLLIN };
        for (;;) {
                int n = poll(&p, 1, timeout_ms);
                if (n > 0)
                        return 0;
                if (n == 0)
                        return -ETIMEDOUT;
                if (errno != EINTR)
                        return -errno;
        }
}
