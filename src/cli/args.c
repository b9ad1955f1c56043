/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "util/strv.h"

static int set_value(struct arg_opt *o, const char *val, const char *shown, struct cu_error **err)
{
        o->set = true;
        switch (o->type) {
        case ARG_BOOL:
                if (!val || strcmp(val, "true") == 0 || strcmp(val, "1") == 0 || strcmp(val, "t") == 0 ||
                    strcmp(val, "T") == 0 || strcmp(val, "TRUE") == 0 || strcmp(val, "True") == 0)
                        *(bool *) o->ptr = true;
                else if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0 || strcmp(val, "f") == 0 ||
                         strcmp(val, "F") == 0 || strcmp(val, "FALSE") == 0 || strcmp(val, "False") == 0)
                        *(bool *) o->ptr = false;
                else
                        return cu_error_setx(err, EINVAL, "invalid argument \"%s\" for \"%s\" flag: "
                                             "strconv.ParseBool: parsing \"%s\": invalid syntax", val, shown, val);
                return 0;
        case ARG_STRING:
                *(const char **) o->ptr = val;
                return 0;
        case ARG_STRINGS:
                return strv_extend((char ***) o->ptr, val);
        }
        return -EINVAL;
}

static void shown_name(const struct arg_opt *o, char buf[static 96])
{
        if (o->shortname)
                snprintf(buf, 96, "-%c, --%s", o->shortname, o->name);
        else
                snprintf(buf, 96, "--%s", o->name);
}

int args_parse(struct arg_opt *opts, int argc, char **argv, bool stop_at_positional,
               int (*global)(void *ud, int argc, char **argv, int *i), void *ud, char ***ret_pos,
               bool *ret_help, struct cu_error **err)
{
        char **pos = calloc((size_t) argc + 1, sizeof(char *));
        size_t np = 0;
        if (!pos)
                return -ENOMEM;
        *ret_help = false;
        int i = 1;
        for (; i < argc; i++) {
                char *a = argv[i];
                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == '\0') {
                        pos[np++] = a;
                        if (stop_at_positional) {
                                i++;
                                break;
                        }
                        continue;
                }
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        *ret_help = true;
                        continue;
                }
                if (a[1] == '-') {
                        if (global) {
                                int g = global(ud, argc, argv, &i);
                                if (g < 0) {
                                        free(pos);
                                        return -EINVAL;
                                }
                                if (g > 0)
                                        continue;
                        }
                        const char *name = a + 2, *eq = strchr(name, '=');
                        size_t nl = eq ? (size_t) (eq - name) : strlen(name);
                        struct arg_opt *o = NULL;
                        for (struct arg_opt *k = opts; k && k->name; k++)
                                if (strlen(k->name) == nl && strncmp(k->name, name, nl) == 0)
                                        o = k;
                        if (!o) {
                                free(pos);
                                return cu_error_setx(err, EINVAL, "unknown flag: --%.*s", (int) nl, name);
                        }
                        char shown[96];
                        shown_name(o, shown);
                        const char *val = eq ? eq + 1 : NULL;
                        if (!val && o->type != ARG_BOOL) {
                                if (i + 1 >= argc) {
                                        free(pos);
                                        return cu_error_setx(err, EINVAL, "flag needs an argument: --%s", o->name);
                                }
                                val = argv[++i];
                        }
                        int r = set_value(o, val, shown, err);
                        if (r < 0) {
                                free(pos);
                                return r;
                        }
                        continue;
                }
                /* -abc, -nVALUE, -n VALUE */
                for (const char *c = a + 1; *c; c++) {
                        struct arg_opt *o = NULL;
                        for (struct arg_opt *k = opts; k && k->name; k++)
                                if (k->shortname == *c)
                                        o = k;
                        if (!o) {
                                free(pos);
                                return cu_error_setx(err, EINVAL, "unknown shorthand flag: '%c' in %s", *c, a);
                        }
                        char shown[96];
                        shown_name(o, shown);
                        int r;
                        if (o->type == ARG_BOOL) {
                                r = set_value(o, NULL, shown, err);
                        } else {
                                const char *val = c[1] ? c + 1 : NULL;
                                if (!val) {
                                        if (i + 1 >= argc) {
                                                free(pos);
                                                return cu_error_setx(err, EINVAL, "flag needs an argument: '%c' in %s",
                                                                     *c, a);
                                        }
                                        val = argv[++i];
                                }
                                r = set_value(o, val, shown, err);
                                c += strlen(c) - 1;
                        }
                        if (r < 0) {
                                free(pos);
                                return r;
                        }
                }
        }
        for (; i < argc; i++)
                pos[np++] = argv[i];
        *ret_pos = pos;
        return 0;
}

void args_help(const char *usage, const char *desc, const struct arg_opt *opts)
{
        printf("%s\n\nUsage:\n  %s\n", desc, usage);
        if (!opts || !opts->name)
                return;
        printf("\nOptions:\n");
        size_t width = 0;
        char buf[160];
        for (const struct arg_opt *o = opts; o->name; o++) {
                snprintf(buf, sizeof(buf), "%s%c%s--%s%s", o->shortname ? "-" : "   ", o->shortname ? o->shortname : ' ',
                         o->shortname ? ", " : " ", o->name,
                         o->type == ARG_BOOL ? "" : o->type == ARG_STRING ? " string" : " stringArray");
                if (strlen(buf) > width)
                        width = strlen(buf);
        }
        for (const struct arg_opt *o = opts; o->name; o++) {
                snprintf(buf, sizeof(buf), "%s%c%s--%s%s", o->shortname ? "-" : "   ", o->shortname ? o->shortname : ' ',
                         o->shortname ? ", " : " ", o->name,
                         o->type == ARG_BOOL ? "" : o->type == ARG_STRING ? " string" : " stringArray");
                printf("  %-*s   %s", (int) width, buf, o->help ? o->help : "");
                if (o->default_text)
                        printf(" (default %s)", o->default_text);
                putchar('\n');
        }
}

bool args_was_set(const struct arg_opt *opts, const char *name)
{
        for (const struct arg_opt *o = opts; o && o->name; o++)
                if (strcmp(o->name, name) == 0)
                        return o->set;
        return false;
}
