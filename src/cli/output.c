/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>
#include <time.h>

#include "output.h"

const char *human_size(uint64_t bytes, char buf[static 32])
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
        double v = (double) bytes;
        size_t i = 0;
        while (v >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
                v /= 1000.0;
                i++;
        }
        snprintf(buf, 32, "%.3g %s", v, units[i]);
        return buf;
}

const char *human_duration(int64_t ns, char buf[static 32])
{
        int64_t seconds = ns / 1000000000LL;
        int64_t minutes = seconds / 60;
        int64_t hours = (seconds + 1800) / 3600; /* rounded, as d.Round(time.Hour) */
        if (seconds < 1)
                snprintf(buf, 32, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, 32, "1 second");
        else if (seconds < 60)
                snprintf(buf, 32, "%lld seconds", (long long) seconds);
        else if (minutes == 1)
                snprintf(buf, 32, "About a minute");
        else if (minutes < 60)
                snprintf(buf, 32, "%lld minutes", (long long) minutes);
        else if (hours == 1)
                snprintf(buf, 32, "About an hour");
        else if (hours < 48)
                snprintf(buf, 32, "%lld hours", (long long) hours);
        else if (hours < 24 * 7 * 2)
                snprintf(buf, 32, "%lld days", (long long) (hours / 24));
        else if (hours < 24 * 30 * 2)
                snprintf(buf, 32, "%lld weeks", (long long) (hours / 24 / 7));
        else if (hours < 24 * 365 * 2)
                snprintf(buf, 32, "%lld months", (long long) (hours / 24 / 30));
        else
                snprintf(buf, 32, "%lld years", (long long) (seconds / 3600 / 24 / 365));
        return buf;
}

int64_t now_realtime_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *human_since(int64_t ns, char buf[static 48])
{
        char d[32];
        int64_t delta = now_realtime_ns() - ns;
        snprintf(buf, 48, "%s ago", human_duration(delta < 0 ? 0 : delta, d));
        return buf;
}

const char *go_time_string(int64_t ns, char buf[static 64])
{
        time_t t = (time_t) (ns / 1000000000LL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(buf, 64, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        return buf;
}
