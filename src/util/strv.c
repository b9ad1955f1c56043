/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

size_t strv_length(char *const *l)
{
        size_t n = 0;
        if (l)
                while (l[n])
                        n++;
        return n;
}

bool strv_contains(char *const *l, const char *s)
{
        if (l)
                for (; *l; l++)
                        if (strcmp(*l, s) == 0)
                                return true;
        return false;
}

char **strv_free(char **l)
{
        strv_freep(&l);
        return NULL;
}

char **strv_copy(char *const *l)
{
        size_t n = strv_length(l);
        char **c = calloc(n + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                c[i] = strdup(l[i]);
                if (!c[i])
                        return strv_free(c);
        }
        return c;
}

int strv_push(char ***l, char *s)
{
        size_t n = strv_length(*l);
        char **c = realloc(*l, (n + 2) * sizeof(char *));
        if (!c) {
                free(s);
                return -ENOMEM;
        }
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s)
{
        char *d = strdup(s);
        if (!d)
                return -ENOMEM;
        return strv_push(l, d);
}

const char *strv_env_get(char *const *env, const char *name)
{
        size_t n = strlen(name);
        if (env)
                for (; *env; env++)
                        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
                                return *env + n + 1;
        return NULL;
}

const char *strv_map_get(char *const *kv, const char *key)
{
        if (kv)
                for (; kv[0] && kv[1]; kv += 2)
                        if (strcmp(kv[0], key) == 0)
                                return kv[1];
        return NULL;
}

int strv_env_set(char ***env, const char *assignment)
{
        const char *eq = strchr(assignment, '=');
        size_t n = eq ? (size_t) (eq - assignment) : strlen(assignment);
        char *copy = strdup(assignment);
        if (!copy)
                return -ENOMEM;
        if (*env)
                for (char **e = *env; *e; e++)
                        if (strncmp(*e, assignment, n) == 0 && (*e)[n] == '=') {
                                free(*e);
                                *e = copy;
                                return 0;
                        }
        return strv_push(env, copy);
}

char *strv_join(char *const *l, const char *sep)
{
        size_t n = 0, sl = strlen(sep);
        for (size_t i = 0; l && l[i]; i++)
                n += strlen(l[i]) + sl;
        char *out = malloc(n + 1), *p = out;
        if (!out)
                return NULL;
        for (size_t i = 0; l && l[i]; i++) {
                if (i) {
                        memcpy(p, sep, sl);
                        p += sl;
                }
                size_t k = strlen(l[i]);
                memcpy(p, l[i], k);
                p += k;
        }
        *p = '\0';
        return out;
}

char **strv_split(const char *s, const char *seps)
{
        char **v = calloc(1, sizeof(char *));
        if (!v)
                return NULL;
        for (const char *p = s; p && *p;) {
                size_t n = strcspn(p, seps);
                if (n > 0) {
                        char *piece = strndup(p, n);
                        if (!piece || strv_push(&v, piece) < 0)
                                return strv_free(v);
                }
                p += n;
                if (*p)
                        p++;
        }
        return v;
}
