/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cuttle info (podman's shape: host, store, registries, plugins, version) and the output of
 * one object as JSON, a Go template or YAML (shared with `cuttle version`). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "commands.h"
#include "opts.h"
#include "state/db.h"
#include "storage/containers-conf.h"
#include "storage/manifest.h"
#include "storage/registries-conf.h"
#include "storage/store.h"
#include "template.h"
#include "util/fileio.h"
#include "util/json.h"
#include "util/strv.h"

/* ------------------------------------------------------------------ output */

/* JSON tag → Go field name where capitalising the first letter is not enough. */
static const char *const go_names[][2] = {
        { "cgroupVersion", "CgroupsVersion" }, { "cpus", "CPUs" }, { "ociRuntime", "OCIRuntime" },
        { "os", "OS" }, { "apparmorEnabled", "AppArmorEnabled" },
        { "seccompEnabled", "SECCOMPEnabled" }, { "seccompProfilePath", "SECCOMPProfilePath" },
        { "selinuxEnabled", "SELinuxEnabled" }, { "idMappings", "IDMappings" },
        { "cpuUtilization", "CPUUtilization" }, { "uidmap", "UIDMap" }, { "gidmap", "GIDMap" },
};
/* Members that are Go maps: their keys stay as they are. */
static const char *const map_members[] = { "registries", "graphStatus", "graphOptions", "plugins",
                                           NULL };

static json_t *go_style(json_t *v)
{
        if (json_is_array(v)) {
                json_t *a = json_array();
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e) json_array_append_new(a, go_style(e));
                return a;
        }
        if (!json_is_object(v))
                return json_incref(v);
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach(v, k, e) {
                char name[128];
                snprintf(name, sizeof(name), "%s", k);
                name[0] = (char) toupper((unsigned char) name[0]);
                for (size_t i = 0; i < ELEMENTSOF(go_names); i++)
                        if (strcmp(go_names[i][0], k) == 0)
                                snprintf(name, sizeof(name), "%s", go_names[i][1]);
                bool keep = strv_contains((char *const *) map_members, k);
                json_object_set_new(o, name, keep ? json_incref(e) : go_style(e));
        }
        return o;
}

static bool yaml_plain(const char *s)
{
        static const char *const special[] = { "true", "false", "yes", "no", "on", "off", "null",
                                               "y", "n", "~", NULL };
        if (!s[0] || isspace((unsigned char) s[0]) || isspace((unsigned char) s[strlen(s) - 1]))
                return false;
        if (strchr("-?:,[]{}#&*!|>'\"%@`", s[0]) || strstr(s, ": ") || strstr(s, " #") ||
            strchr(s, '\n') || strchr(s, '\t'))
                return false;
        for (size_t i = 0; special[i]; i++)
                if (strcasecmp(s, special[i]) == 0)
                        return false;
        char *end;
        (void) strtod(s, &end);
        return *end != 0; /* a number-looking string is quoted */
}

static void yaml_scalar(FILE *f, json_t *v)
{
        if (json_is_string(v)) {
                const char *s = json_string_value(v);
                if (yaml_plain(s))
                        fputs(s, f);
                else {
                        _cleanup_free_ char *q = json_dumps(v, JSON_ENCODE_ANY);
                        fputs(strempty(q), f);
                }
        } else if (json_is_null(v))
                fputs("null", f);
        else {
                _cleanup_free_ char *q = json_dumps(v, JSON_ENCODE_ANY);
                fputs(strempty(q), f);
        }
}

static int cmp_key(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static void yaml_value(FILE *f, json_t *v, int indent);

/* Members of an object, keys sorted (as Go's yaml does for maps). */
static void yaml_object(FILE *f, json_t *o, int indent)
{
        size_t n = json_object_size(o), i = 0;
        const char **keys = calloc(n + 1, sizeof(char *));
        if (!keys)
                return;
        const char *k;
        json_t *e;
        json_object_foreach(o, k, e) keys[i++] = k;
        qsort(keys, n, sizeof(char *), cmp_key);
        for (i = 0; i < n; i++) {
                e = json_object_get(o, keys[i]);
                fprintf(f, "%*s", indent, "");
                json_t *kj = json_string(keys[i]);
                yaml_scalar(f, kj);
                json_decref(kj);
                fputc(':', f);
                yaml_value(f, e, indent + 2);
        }
        free(keys);
}

/* After "key:" (or "- "): the value and its newline. */
static void yaml_value(FILE *f, json_t *v, int indent)
{
        if (json_is_object(v)) {
                if (json_object_size(v) == 0) {
                        fputs(" {}\n", f);
                        return;
                }
                fputc('\n', f);
                yaml_object(f, v, indent);
        } else if (json_is_array(v)) {
                if (json_array_size(v) == 0) {
                        fputs(" []\n", f);
                        return;
                }
                fputc('\n', f);
                size_t i;
                json_t *e;
                json_array_foreach(v, i, e) {
                        fprintf(f, "%*s-", indent - 2, "");
                        if (json_is_object(e) && json_object_size(e) > 0) {
                                fputc('\n', f);
                                yaml_object(f, e, indent);
                        } else
                                yaml_value(f, e, indent);
                }
        } else if (json_is_string(v) && strchr(json_string_value(v), '\n')) {
                fputs(" |-\n", f);
                _cleanup_strv_ char **lines = strv_split(json_string_value(v), "\n");
                for (char **l = lines; l && *l; l++)
                        fprintf(f, "%*s%s\n", indent, "", *l);
        } else {
                fputc(' ', f);
                yaml_scalar(f, v);
                fputc('\n', f);
        }
}

int cli_output_object(const char *format, json_t *obj, const char *type_name,
                      const char *json_indent, bool yaml)
{
        if (!format || !format[0]) {
                if (yaml) {
                        yaml_object(stdout, obj, 0);
                        return 0;
                }
                format = "json";
        }
        if (template_is_json(format)) {
                _cleanup_free_ char *s = template_json_encode(obj, json_indent, false);
                if (!s)
                        return cli_failf(125, "out of memory");
                puts(s);
                return 0;
        }
        _cleanup_error_ struct cu_error *err = NULL;
        _cleanup_free_ char *text = template_normalize(format);
        if (!text)
                return cli_failf(125, "out of memory");
        _cleanup_template_ struct template *t = template_parse("format", text, &err);
        if (!t || (type_name && template_set_root_type(t, type_name) < 0))
                return t ? cli_failf(125, "out of memory") : cli_fail(125, err);
        _cleanup_json_ json_t *data = go_style(obj);
        if (template_execute_file(t, data, stdout, &err) < 0)
                return cli_fail(125, err);
        return 0;
}

/* ------------------------------------------------------------------ host */

/* The first line of `path --version` (at most 4 KiB), or NULL. */
static char *runtime_version(const char *path)
{
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
                return NULL;
        pid_t pid = fork();
        if (pid < 0) {
                close(fds[0]);
                close(fds[1]);
                return NULL;
        }
        if (pid == 0) {
                dup2(fds[1], STDOUT_FILENO);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        dup2(null, STDERR_FILENO);
                }
                execl(path, path, "--version", (char *) NULL);
                _exit(127);
        }
        close(fds[1]);
        char buf[4096];
        ssize_t n = read_all(fds[0], buf, sizeof(buf) - 1);
        close(fds[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return NULL;
        buf[n] = 0;
        while (n > 0 && buf[n - 1] == '\n')
                buf[--n] = 0;
        return strdup(buf);
}

static json_t *oci_runtime(const struct containers_conf *conf)
{
        if (!conf->runtime[0] || strcmp(conf->runtime, "cuttle") == 0) {
                char self[PATH_MAX];
                ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
                self[n > 0 ? n : 0] = 0;
                return json_pack("{s:s, s:s, s:s, s:s}", "name", "cuttle", "package", "",
                                 "path", self, "version", "cuttle version " CUTTLE_VERSION
                                 " (built-in runtime)");
        }
        _cleanup_free_ char *path = NULL, *version = NULL;
        if (containers_conf_runtime_path(conf, conf->runtime, &path, NULL) == 0)
                version = runtime_version(path);
        const char *slash = strrchr(conf->runtime, '/');
        return json_pack("{s:s, s:s, s:s, s:s}", "name", slash ? slash + 1 : conf->runtime,
                         "package", "", "path", strempty(path), "version", strempty(version));
}

static char *read_line_file(const char *path)
{
        char *s = NULL;
        size_t n = 0;
        if (read_full_file(path, &s, &n, NULL) < 0)
                return NULL;
        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                s[--n] = 0;
        return s;
}

static json_t *distribution(void)
{
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        json_t *d = json_object();
        if (read_full_file("/etc/os-release", &text, &n, NULL) < 0 &&
            read_full_file("/usr/lib/os-release", &text, &n, NULL) < 0)
                return d;
        static const char *const keys[][2] = { { "ID", "distribution" }, { "VARIANT_ID", "variant" },
                                               { "VERSION_ID", "version" },
                                               { "VERSION_CODENAME", "codename" } };
        _cleanup_strv_ char **lines = strv_split(text, "\n");
        for (size_t k = 0; k < ELEMENTSOF(keys); k++)
                for (char **l = lines; l && *l; l++) {
                        size_t kl = strlen(keys[k][0]);
                        if (strncmp(*l, keys[k][0], kl) != 0 || (*l)[kl] != '=')
                                continue;
                        _cleanup_free_ char *v = strdup(*l + kl + 1);
                        size_t vl = v ? strlen(v) : 0;
                        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
                                v[vl - 1] = 0;
                                memmove(v, v + 1, vl - 1);
                        }
                        if (v)
                                json_object_set_new(d, keys[k][1], json_string(v));
                }
        return d;
}

static bool cgroup2(void)
{
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == 0x63677270;
}

static json_t *cgroup_controllers(bool v2)
{
        json_t *a = json_array();
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        if (v2) {
                if (read_full_file("/sys/fs/cgroup/cgroup.controllers", &text, &n, NULL) == 0) {
                        _cleanup_strv_ char **l = strv_split(text, " \n");
                        for (char **i = l; i && *i; i++)
                                json_array_append_new(a, json_string(*i));
                }
                return a;
        }
        if (read_full_file("/proc/cgroups", &text, &n, NULL) < 0)
                return a;
        _cleanup_strv_ char **lines = strv_split(text, "\n");
        for (char **l = lines; l && *l; l++) {
                char name[64];
                unsigned h, cg, en;
                if ((*l)[0] == '#' || sscanf(*l, "%63s %u %u %u", name, &h, &cg, &en) != 4)
                        continue;
                char dir[128];
                snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s", name);
                if (en && access(dir, F_OK) == 0)
                        json_array_append_new(a, json_string(name));
        }
        return a;
}

static char *uptime_text(void)
{
        _cleanup_free_ char *s = read_line_file("/proc/uptime");
        double up = s ? strtod(s, NULL) : 0;
        long h = (long) (up / 3600), m = (long) (up / 60) % 60;
        double sec = up - (double) (h * 3600 + m * 60);
        char *out = NULL;
        if (asprintf(&out, "%ldh %ldm %.2fs (Approximately %.2f days)", h, m, sec, up / 86400) < 0)
                return NULL;
        return out;
}

static json_t *security(const struct containers_conf *conf)
{
        _cleanup_strv_ char **caps = NULL;
        for (char **c = conf->default_capabilities; c && *c; c++) {
                char *s = NULL;
                if (asprintf(&s, "%s%s", strncasecmp(*c, "CAP_", 4) == 0 ? "" : "CAP_", *c) < 0 ||
                    strv_push(&caps, s) < 0)
                        return NULL;
                for (char *p = s; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
        }
        _cleanup_free_ char *capstr = strv_join(caps, ",");
        _cleanup_free_ char *aa = read_line_file("/sys/module/apparmor/parameters/enabled");
        return json_pack("{s:b, s:s, s:b, s:b, s:s, s:b}", "apparmorEnabled", aa && aa[0] == 'Y',
                         "capabilities", strempty(capstr), "rootless", geteuid() != 0,
                         "seccompEnabled", prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0 || errno != EINVAL,
                         "seccompProfilePath", "", "selinuxEnabled",
                         access("/sys/fs/selinux/enforce", F_OK) == 0);
}

static json_t *host_info(const struct containers_conf *conf)
{
        struct utsname u;
        uname(&u);
        struct sysinfo si = { 0 };
        sysinfo(&si);
        bool v2 = cgroup2();
        _cleanup_free_ char *up = uptime_text();
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        uint64_t unit = si.mem_unit ? si.mem_unit : 1;
        return json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:s, s:s, s:{s:n, s:n}, s:s, s:s, s:I, "
                         "s:I, s:s, s:o, s:s, s:o, s:b, s:I, s:I, s:s}",
                         "arch", host_oci_arch(), "cgroupManager", conf->cgroup_manager,
                         "cgroupVersion", v2 ? "v2" : "v1", "cgroupControllers", cgroup_controllers(v2),
                         "cpus", (int) cpus, "distribution", distribution(),
                         "eventLogger", conf->events_logger, "hostname", u.nodename,
                         "idMappings", "gidmap", "uidmap", "kernel", u.release,
                         "logDriver", conf->log_driver,
                         "memFree", (json_int_t) (si.freeram * unit),
                         "memTotal", (json_int_t) (si.totalram * unit),
                         "networkBackend", "cuttle", "ociRuntime", oci_runtime(conf), "os", "linux",
                         "security", security(conf), "serviceIsRemote", false,
                         "swapFree", (json_int_t) (si.freeswap * unit),
                         "swapTotal", (json_int_t) (si.totalswap * unit), "uptime", strempty(up));
}

/* ------------------------------------------------------------------ store */

static bool have_table(struct db *db, const char *name)
{
        sqlite3_stmt *st = db_stmt(db, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", NULL);
        if (!st)
                return false;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        bool have = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
        sqlite3_reset(st);
        return have;
}

static int count(struct db *db, const char *sql)
{
        sqlite3_stmt *st = db_stmt(db, sql, NULL);
        if (!st)
                return 0;
        int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        sqlite3_reset(st);
        return n;
}

static const char *fs_name(long type)
{
        switch ((unsigned long) type) {
        case 0xEF53: return "extfs";
        case 0x58465342: return "xfs";
        case 0x9123683E: return "btrfs";
        case 0x01021994: return "tmpfs";
        case 0x794c7630: return "overlayfs";
        case 0x2FC12FC1: return "zfs";
        default: return "<unknown>";
        }
}

static json_t *store_info(struct cli_ctx *c, struct store *s, const struct containers_conf *conf)
{
        int total = 0, running = 0, paused = 0;
        if (have_table(s->db, "containers")) {
                total = count(s->db, "SELECT COUNT(*) FROM containers");
                running = count(s->db, "SELECT COUNT(*) FROM containers WHERE state = 'running'");
                paused = count(s->db, "SELECT COUNT(*) FROM containers WHERE state = 'paused'");
        }
        int images = have_table(s->db, "images") ? count(s->db, "SELECT COUNT(*) FROM images") : 0;
        struct statvfs vfs = { 0 };
        statvfs(s->root, &vfs);
        struct statfs fs = { 0 };
        statfs(s->root, &fs);
        json_t *opts = json_object();
        for (char **o = c->storage_opts; o && *o; o++) {
                const char *eq = strchr(*o, '=');
                _cleanup_free_ char *k = eq ? strndup(*o, (size_t) (eq - *o)) : strdup(*o);
                if (k)
                        json_object_set_new(opts, k, json_string(eq ? eq + 1 : ""));
        }
        const char *tmp = getenv("TMPDIR");
        return json_pack("{s:s, s:{s:i, s:i, s:i, s:i}, s:s, s:o, s:s, s:I, s:I, s:{s:s}, s:s, "
                         "s:{s:i}, s:s, s:s}",
                         "configFile", c->sconf && c->sconf->file ? c->sconf->file : "",
                         "containerStore", "number", total, "paused", paused, "running", running,
                         "stopped", total - running - paused,
                         "graphDriverName", store_driver_name(s->driver), "graphOptions", opts,
                         "graphRoot", s->root,
                         "graphRootAllocated", (json_int_t) (vfs.f_blocks * vfs.f_frsize),
                         "graphRootUsed", (json_int_t) ((vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize),
                         "graphStatus", "Backing Filesystem", fs_name(fs.f_type),
                         "imageCopyTmpDir", tmp && tmp[0] ? tmp : "/var/tmp",
                         "imageStore", "number", images, "runRoot", s->runroot,
                         "volumePath", conf->volume_path);
}

static json_t *registries_info(struct cli_ctx *c)
{
        _cleanup_registries_conf_ struct registries_conf *r = registries_conf_load(c->registries_conf, NULL);
        json_t *o = json_object();
        if (r && r->search && r->search[0]) {
                json_t *a = json_array();
                for (char **s = r->search; *s; s++)
                        json_array_append_new(a, json_string(*s));
                json_object_set_new(o, "search", a);
        }
        return o;
}

int cmd_info(struct cli_ctx *c, int argc, char **argv)
{
        const char *format = NULL;
        bool debug = false;
        struct opt opts[] = {
                { .name = "debug", .shorthand = 'D', .type = OPT_BOOL, .value = &debug,
                  .help = "Display additional debug information", .flags = OPT_HIDDEN },
                { .name = "format", .shorthand = 'f', .type = OPT_STRING, .value = &format,
                  .help = "Change the output format to JSON or a Go template" },
                { 0 },
        };
        struct opts_cmd cmd = { .use = "cuttle info [options]",
                                .short_desc = "Display cuttle system information",
                                .long_desc = "Display information pertaining to the host, current storage stats, and build of cuttle.\n\n"
                                             "  Useful for the user and when reporting issues.",
                                .opts = opts };
        struct opts_args args = { 0 };
        _cleanup_error_ struct cu_error *err = NULL;
        int r = cli_opts_parse(c, &cmd, argc - 1, argv + 1, &args, &err);
        bool help = args.help;
        size_t npos = args.n;
        opts_args_done(&args);
        if (r < 0)
                return cli_fail(125, err);
        if (help) {
                _cleanup_free_ char *h = opts_help(&cmd);
                fputs(strempty(h), stdout);
                return 0;
        }
        if (npos > 0)
                return cli_failf(125, "`cuttle info` takes no arguments");
        const struct containers_conf *conf = NULL;
        struct store *s = NULL;
        if (cli_ctx_config(c, &conf, &err) < 0 || cli_ctx_store(c, &s, &err) < 0)
                return cli_fail(125, err);
        _cleanup_json_ json_t *info = json_pack(
                "{s:o, s:o, s:o, s:{s:[s], s:[s, s], s:[s, s, s], s:n}, s:o}",
                "host", host_info(conf), "store", store_info(c, s, conf),
                "registries", registries_info(c),
                "plugins", "volume", "local", "network", "bridge", "macvlan",
                "log", "k8s-file", "none", "passthrough", "authorization",
                "version", cli_version_json());
        if (!info)
                return cli_failf(125, "collecting system information failed");
        return cli_output_object(format, info, "define.Info", "  ", true);
}
