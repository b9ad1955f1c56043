/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cuttle completion bash: a bash completion script generated from the command tables
 * (commands, groups and their subcommands, the global options).  A command's own options
 * are read, when first needed, from its `--help` (every command prints its option table
 * there), and image arguments complete from
 * `cuttle [--root …] images --format '{{.Repository}}:{{.Tag}}'`.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "opts.h"
#include "util/cleanup.h"

/* Command paths whose positional arguments are images (emitted if the tables have them). */
static const char *const image_arg_paths[] = {
        "rmi", "history", "save", "push", "tag", "untag", "run", "create", "inspect",
        "image rm", "image history", "image inspect", "image exists", "image mount", "image save",
        "image push", "image tag", "image untag", "image tree", NULL,
};

static const struct cli_command *lookup(const struct cli_command *t, const char *name)
{
        for (; t && t->name; t++)
                if (strcmp(t->name, name) == 0)
                        return t;
        return NULL;
}

static bool path_exists(const char *path)
{
        char first[64];
        const char *sp = strchr(path, ' ');
        snprintf(first, sizeof(first), "%.*s", sp ? (int) (sp - path) : (int) strlen(path), path);
        const struct cli_command *c = lookup(cli_commands, first);
        if (!c || !sp)
                return c != NULL;
        return lookup(c->sub, sp + 1) != NULL;
}

static void words(FILE *f, const struct cli_command *t)
{
        for (; t->name; t++)
                fprintf(f, " %s", t->name);
}

static const char script_body[] =
        "declare -gA __cuttle_flag_cache __cuttle_argflag_cache\n"
        "\n"
        "# __cuttle_load_flags BIN PATH…: the options of a command, from its --help.\n"
        "__cuttle_load_flags() {\n"
        "        local bin=$1 key line all='' witharg=''\n"
        "        shift\n"
        "        key=\"$*\"\n"
        "        [[ -n ${__cuttle_flag_cache[$key]+x} ]] && return\n"
        "        local re='^ +(-([a-zA-Z]), )?--([a-z0-9-]+)( [a-zA-Z]+)?( |$)'\n"
        "        while IFS= read -r line; do\n"
        "                [[ $line =~ $re ]] || continue\n"
        "                all+=\" --${BASH_REMATCH[3]}\"\n"
        "                [[ -n ${BASH_REMATCH[2]} ]] && all+=\" -${BASH_REMATCH[2]}\"\n"
        "                if [[ -n ${BASH_REMATCH[4]} ]]; then\n"
        "                        witharg+=\" --${BASH_REMATCH[3]}\"\n"
        "                        [[ -n ${BASH_REMATCH[2]} ]] && witharg+=\" -${BASH_REMATCH[2]}\"\n"
        "                fi\n"
        "        done < <(\"$bin\" \"$@\" --help 2>/dev/null)\n"
        "        __cuttle_flag_cache[$key]=$all\n"
        "        __cuttle_argflag_cache[$key]=$witharg\n"
        "}\n"
        "\n"
        "_cuttle() {\n"
        "        local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]}\n"
        "        local -a path=() globals=()\n"
        "        local i w expect_arg=0\n"
        "        [[ $bin == '~/'* ]] && bin=$HOME/${bin#'~/'}\n"
        "        for ((i = 1; i < COMP_CWORD; i++)); do\n"
        "                w=${COMP_WORDS[i]}\n"
        "                if ((expect_arg)); then\n"
        "                        expect_arg=0\n"
        "                        continue\n"
        "                fi\n"
        "                case $w in\n"
        "                --root | --runroot | --storage-driver | --storage-opt)\n"
        "                        globals+=(\"$w\" \"${COMP_WORDS[i + 1]}\")\n"
        "                        expect_arg=1\n"
        "                        continue\n"
        "                        ;;\n"
        "                --root=* | --runroot=* | --storage-driver=* | --storage-opt=*)\n"
        "                        globals+=(\"$w\")\n"
        "                        continue\n"
        "                        ;;\n"
        "                -*=*) continue ;;\n"
        "                -*)\n"
        "                        if [[ \" $__cuttle_global_arg_flags \" == *\" $w \"* ]]; then\n"
        "                                expect_arg=1\n"
        "                        elif ((${#path[@]})); then\n"
        "                                __cuttle_load_flags \"$bin\" \"${path[@]}\"\n"
        "                                [[ \" ${__cuttle_argflag_cache[${path[*]}]} \" == *\" $w \"* ]] && expect_arg=1\n"
        "                        fi\n"
        "                        continue\n"
        "                        ;;\n"
        "                esac\n"
        "                if ((${#path[@]} == 0)) ||\n"
        "                        { ((${#path[@]} == 1)) && [[ \" $__cuttle_groups \" == *\" ${path[0]} \"* ]]; }; then\n"
        "                        path+=(\"$w\")\n"
        "                fi\n"
        "        done\n"
        "        COMPREPLY=()\n"
        "        if ((expect_arg)); then\n"
        "                mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
        "                return\n"
        "        fi\n"
        "        if [[ $cur == -* ]]; then\n"
        "                local flags=\"$__cuttle_global_arg_flags $__cuttle_global_bool_flags\"\n"
        "                if ((${#path[@]})); then\n"
        "                        __cuttle_load_flags \"$bin\" \"${path[@]}\"\n"
        "                        flags+=\" ${__cuttle_flag_cache[${path[*]}]}\"\n"
        "                else\n"
        "                        flags+=\" --help -h --version -v\"\n"
        "                fi\n"
        "                mapfile -t COMPREPLY < <(compgen -W \"$flags\" -- \"$cur\")\n"
        "                return\n"
        "        fi\n"
        "        if ((${#path[@]} == 0)); then\n"
        "                mapfile -t COMPREPLY < <(compgen -W \"$(__cuttle_subcommands '')\" -- \"$cur\")\n"
        "                return\n"
        "        fi\n"
        "        if ((${#path[@]} == 1)) && [[ \" $__cuttle_groups \" == *\" ${path[0]} \"* ]]; then\n"
        "                mapfile -t COMPREPLY < <(compgen -W \"$(__cuttle_subcommands \"${path[0]}\")\" -- \"$cur\")\n"
        "                return\n"
        "        fi\n"
        "        case \" ${path[*]} \" in\n"
        "        ' help ') mapfile -t COMPREPLY < <(compgen -W \"$(__cuttle_subcommands '')\" -- \"$cur\") ;;\n"
        "        ' completion ') mapfile -t COMPREPLY < <(compgen -W 'bash' -- \"$cur\") ;;\n"
        "        *)\n"
        "                if [[ \"|$__cuttle_image_paths|\" == *\"|${path[*]}|\"* ]]; then\n"
        "                        local images\n"
        "                        images=$(\"$bin\" \"${globals[@]}\" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null |\n"
        "                                grep -v '<none>')\n"
        "                        mapfile -t COMPREPLY < <(compgen -W \"$images\" -- \"$cur\")\n"
        "                        if declare -F __ltrim_colon_completions >/dev/null; then\n"
        "                                __ltrim_colon_completions \"$cur\"\n"
        "                        fi\n"
        "                else\n"
        "                        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
        "                fi\n"
        "                ;;\n"
        "        esac\n"
        "}\n"
        "\n"
        "complete -F _cuttle cuttle\n";

static void bash_script(FILE *f)
{
        fputs("# bash completion for cuttle                                -*- shell-script -*-\n"
              "# Generated by `cuttle completion bash`: source it, or save it as\n"
              "# /usr/share/bash-completion/completions/cuttle.\n\n", f);
        /* the command tree */
        fputs("__cuttle_subcommands() {\n        case $1 in\n        '') echo '", f);
        words(f, cli_commands);
        fputs(" ' ;;\n", f);
        for (const struct cli_command *t = cli_commands; t->name; t++)
                if (t->sub) {
                        fprintf(f, "        %s) echo '", t->name);
                        words(f, t->sub);
                        fputs(" ' ;;\n", f);
                }
        fputs("        esac\n}\n\n__cuttle_groups='", f);
        for (const struct cli_command *t = cli_commands; t->name; t++)
                if (t->sub)
                        fprintf(f, " %s", t->name);
        _cleanup_free_ char *arg_flags = cli_ctx_global_flags(true);
        _cleanup_free_ char *bool_flags = cli_ctx_global_flags(false);
        fprintf(f, " '\n__cuttle_global_arg_flags='%s '\n__cuttle_global_bool_flags='%s '\n",
                strempty(arg_flags), strempty(bool_flags));
        fputs("__cuttle_image_paths='", f);
        bool first = true;
        for (size_t i = 0; image_arg_paths[i]; i++)
                if (path_exists(image_arg_paths[i])) {
                        fprintf(f, "%s%s", first ? "" : "|", image_arg_paths[i]);
                        first = false;
                }
        fputs("'\n\n", f);
        fputs(script_body, f);
}

int cmd_completion(struct cli_ctx *c, int argc, char **argv)
{
        struct opt opts[] = { { 0 } };
        struct opts_cmd cmd = { .use = "cuttle completion [options] bash",
                                .short_desc = "Generate shell autocompletions",
                                .long_desc = "Generate shell autocompletions.\n"
                                             "  Valid arguments are bash.",
                                .example = "  cuttle completion bash > /usr/share/bash-completion/completions/cuttle\n"
                                           "  source <(cuttle completion bash)",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        int r = cli_opts_parse(c, &cmd, argc - 1, argv + 1, &args, &err);
        int rc = 0;
        if (r < 0)
                rc = cli_fail(125, err);
        else if (args.help) {
                _cleanup_free_ char *h = opts_help(&cmd);
                fputs(strempty(h), stdout);
        } else if (args.n != 1)
                rc = cli_failf(125, "accepts 1 arg(s), received %zu", args.n);
        else if (strcmp(args.args[0], "bash") != 0)
                rc = cli_failf(125, "invalid argument \"%s\" for \"cuttle completion\": only bash is supported",
                               args.args[0]);
        else
                bash_script(stdout);
        opts_args_done(&args);
        return rc;
}
