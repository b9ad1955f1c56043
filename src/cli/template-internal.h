/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the Go text/template implementation (template*.c):
 *   template.c        the public helpers, the lexer and literal decoding
 *   template-parse.c  the parser (tokens → parse tree), as Go's text/template/parse
 *   template-exec.c   execution of a parse tree over jansson values
 *   template-funcs.c  the builtin and podman functions, fmt.Sprintf/Sprint
 *   template-json.c   Go-style value printing (%v and the other verbs), Go's JSON encoding
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/template.h"

#define OUTPUT_MAX (64u << 20) /* bytes one execution may produce */

/* ---- lexer (template.c) ---- */

enum tok {
        T_ERROR, T_EOF, T_TEXT, T_LEFT, T_RIGHT, T_SPACE, T_FIELD, T_VARIABLE, T_STRING,
        T_RAW, T_CHARCONST, T_NUMBER, T_BOOL, T_IDENT, T_PIPE, T_LPAREN, T_RPAREN, T_DECLARE,
        T_ASSIGN, T_CHAR,
        T_KEYWORD, /* keywords follow */
        T_DOT, T_NIL, T_IF, T_ELSE, T_END, T_RANGE, T_WITH, T_BREAK, T_CONTINUE, T_DEFINE,
        T_TEMPLATE, T_BLOCK,
};

struct token {
        enum tok type;
        size_t pos;
        char *val; /* text of the token (error message for T_ERROR) */
};

/* The tokens of text, ending with T_EOF (after a T_ERROR whose val is the message, when the
 * text does not lex).  0, or -ENOMEM. */
int tmpl_lex(const char *text, struct token **ret, size_t *ret_n);
void tmpl_tokens_free(struct token *t, size_t n);

/* ---- literals (template.c) ---- */

/* strconv.Unquote of "…", `…` or '…' (a char constant gives its UTF-8 text). */
int tmpl_unquote(const char *in, char **ret);
/* A number token's value (T_NUMBER or T_CHARCONST) as Go's parse.NumberNode takes it: an
 * integer when it fits int64, else a real; NULL when it is not a number. */
json_t *tmpl_parse_number(const char *s, enum tok type);
/* Writes cp as UTF-8 at *o (up to 4 bytes) and advances *o. */
void tmpl_put_utf8(char **o, uint32_t cp);
/* The code point at s and its length in *len (U+FFFD, length 1, for invalid UTF-8). */
uint32_t tmpl_utf8_decode(const char *s, size_t *len);

/* ---- parse tree (template-parse.c) ---- */

enum node_type {
        N_LIST, N_TEXT, N_ACTION, N_IF, N_RANGE, N_WITH, N_BREAK, N_CONTINUE, N_ELSE, N_END,
        N_PIPE, N_COMMAND, N_FIELD, N_VARIABLE, N_CHAIN, N_DOT, N_NIL, N_BOOL, N_NUMBER,
        N_STRING, N_IDENT,
};

struct node {
        enum node_type type;
        size_t pos;
        char *text;           /* TEXT, STRING (unquoted), NUMBER (as written), IDENT */
        char *quoted;         /* STRING as written */
        char **idents;        /* FIELD, VARIABLE ("$x", fields…), CHAIN (fields) */
        size_t n_idents;
        struct node **kids;   /* LIST items, PIPE commands, COMMAND args */
        size_t n_kids;
        struct node *pipe;    /* ACTION/IF/RANGE/WITH; CHAIN: the operand */
        struct node *list, *else_list;
        char **decl;          /* PIPE: declared variables */
        size_t n_decl;
        bool is_assign, bval;
        json_t *num;          /* NUMBER */
};

struct template {
        char *name, *root_type, *text;
        struct node *root;
        struct node **all; /* every node, for freeing */
        size_t n_all;
};

/* ---- values (template-json.c) ---- */

/* Go's type name of a value, for error texts. */
const char *tmpl_type_name(json_t *v);
/* Object keys (borrowed from o), sorted as Go prints and ranges over maps: a malloc'd
 * NULL-terminated array, NULL when out of memory. */
const char **tmpl_sorted_keys(json_t *o, size_t *ret_n);
/* Go's fmt %v of v. */
void tmpl_print_value(FILE *f, json_t *v);
/* text/template's truth: non-zero, non-empty. */
bool tmpl_truth(json_t *v);
/* Code points in s (n bytes). */
size_t tmpl_utf8_count(const char *s, size_t n);

struct fmtspec {
        bool plus, minus, sharp, space, zero;
        int width, prec; /* -1: none */
};

/* One argument of fmt.Sprintf formatted with verb and flags/width/precision sp. */
void tmpl_fmt_arg(FILE *f, const struct fmtspec *sp, json_t *v, char verb);

/* ---- functions (template-funcs.c) ---- */

enum ptype { P_ANY, P_STRING, P_INT, P_STRV };

struct func {
        const char *name;
        int nin;          /* fixed parameters */
        bool variadic;    /* then any number of vin */
        enum ptype in[3], vin;
        int (*fn)(json_t **argv, size_t argc, json_t **ret, char **msg);
};

/* The function named name (builtin or podman's), or NULL. */
const struct func *tmpl_func_lookup(const char *name);
/* "and" and "or": their fn; execution evaluates them lazily (recognized by this pointer). */
int tmpl_fn_and_or(json_t **a, size_t n, json_t **ret, char **msg);
