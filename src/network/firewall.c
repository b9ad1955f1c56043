/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "util/proc.h"
#include "firewall.h"
#include "util/fileio.h"
#include "util/log.h"

void fw_ctr_chain(const char *id, char out[32])
{
        snprintf(out, 32, "ctr-%.12s", id);
}

static void skeleton(FILE *f)
{
        fputs("add table inet " FW_TABLE "\n"
              "add chain inet " FW_TABLE " prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
              "add chain inet " FW_TABLE " output { type nat hook output priority -100; policy accept; }\n"
              "add chain inet " FW_TABLE " postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
              "add chain inet " FW_TABLE " forward { type filter hook forward priority filter; policy accept; }\n"
              "add chain inet " FW_TABLE " ports\n"
              "add set inet " FW_TABLE " bridges { type ifname; }\n",
              f);
}

static void net_chain_names(const char *bridge, char nat[64], char fwd[64], char in[64])
{
        snprintf(nat, 64, "nat-%s", bridge);
        snprintf(fwd, 64, "fwd-%s", bridge);
        snprintf(in, 64, "in-%s", bridge);
}

static void net_chains(FILE *f, const struct fw_net *n)
{
        char nat[64], fwd[64], in[64], b[CU_IP_STRLEN];
        net_chain_names(n->bridge, nat, fwd, in);
        const char *chains[] = { nat, fwd, in };
        for (size_t i = 0; i < 3; i++)
                fprintf(f, "add chain inet " FW_TABLE " %s\nflush chain inet " FW_TABLE " %s\n", chains[i], chains[i]);
        for (size_t i = 0; i < n->n_subnets && !n->internal; i++) {
                const char *fam = n->subnets[i].ip.family == AF_INET ? "ip" : "ip6";
                cu_cidr_format(n->subnets + i, b);
                fprintf(f, "add rule inet " FW_TABLE " %s %s saddr %s %s daddr != %s masquerade\n", nat, fam, b, fam, b);
        }
        if (n->internal) {
                fprintf(f, "add rule inet " FW_TABLE " %s oifname != \"%s\" drop\n", fwd, n->bridge);
                fprintf(f, "add rule inet " FW_TABLE " %s iifname != \"%s\" drop\n", in, n->bridge);
        } else if (n->isolate) {
                fprintf(f, "add rule inet " FW_TABLE " %s oifname != \"%s\" oifname @bridges drop\n", fwd, n->bridge);
                fprintf(f, "add rule inet " FW_TABLE " %s iifname != \"%s\" iifname @bridges drop\n", in, n->bridge);
        }
        fprintf(f, "add rule inet " FW_TABLE " %s accept\n", fwd);
        fprintf(f, "add rule inet " FW_TABLE " %s accept\n", in);
}

static void remove_chain(FILE *f, const char *name)
{
        fprintf(f, "add chain inet " FW_TABLE " %s\ndelete chain inet " FW_TABLE " %s\n", name, name);
}

static void ctr_rules(FILE *f, const struct fw_ctr *c)
{
        char chain[32], b[CU_IP_STRLEN];
        fw_ctr_chain(c->id, chain);
        fprintf(f, "add chain inet " FW_TABLE " %s\nflush chain inet " FW_TABLE " %s\n", chain, chain);
        for (size_t i = 0; i < c->n_ports; i++) {
                const struct port_mapping *m = c->ports + i;
                struct cu_ip hip = { 0 };
                if (*m->host_ip && cu_ip_parse(m->host_ip, &hip, NULL) < 0)
                        continue;
                for (unsigned p = PORT_TCP; p <= PORT_SCTP; p <<= 1) {
                        if (!(m->protocols & p))
                                continue;
                        for (int fam = 0; fam < 2; fam++) {
                                const struct cu_ip *to = fam == 0 ? &c->ip4 : &c->ip6;
                                if (!to->family || (hip.family && hip.family != to->family))
                                        continue;
                                const char *nf = fam == 0 ? "ip" : "ip6";
                                char match[CU_IP_STRLEN + 32] = "";
                                if (hip.family)
                                        snprintf(match, sizeof(match), "%s daddr %s ", nf, cu_ip_format(&hip, b));
                                else
                                        snprintf(match, sizeof(match), "meta nfproto %s ", fam == 0 ? "ipv4" : "ipv6");
                                cu_ip_format(to, b);
                                for (unsigned k = 0; k < m->range; k++)
                                        fprintf(f, "add rule inet " FW_TABLE " %s %smeta l4proto %s th dport %u "
                                                   "dnat %s to %s%s%s:%u\n",
                                                chain, match, ports_proto_name(p), m->host_port + k, nf,
                                                fam ? "[" : "", b, fam ? "]" : "", m->container_port + k);
                        }
                }
        }
}

static void dispatch(FILE *f, const struct fw_state *st)
{
        static const char *const base[] = { "prerouting", "output", "postrouting", "forward", "ports" };
        for (size_t i = 0; i < ELEMENTSOF(base); i++)
                fprintf(f, "flush chain inet " FW_TABLE " %s\n", base[i]);
        fputs("flush set inet " FW_TABLE " bridges\n", f);
        fputs("add rule inet " FW_TABLE " prerouting fib daddr type local jump ports\n"
              "add rule inet " FW_TABLE " output fib daddr type local jump ports\n"
              "add rule inet " FW_TABLE " postrouting meta nfproto ipv4 ip saddr 127.0.0.0/8 ct status dnat masquerade\n"
              "add rule inet " FW_TABLE " forward ct state established,related accept\n",
              f);
        for (size_t i = 0; i < st->n_nets; i++) {
                char nat[64], fwd[64], in[64];
                const char *br = st->nets[i].bridge;
                net_chain_names(br, nat, fwd, in);
                fprintf(f, "add element inet " FW_TABLE " bridges { \"%s\" }\n", br);
                fprintf(f, "add rule inet " FW_TABLE " postrouting iifname \"%s\" jump %s\n", br, nat);
                fprintf(f, "add rule inet " FW_TABLE " forward iifname \"%s\" jump %s\n", br, fwd);
                fprintf(f, "add rule inet " FW_TABLE " forward oifname \"%s\" jump %s\n", br, in);
        }
        for (size_t i = 0; i < st->n_ctrs; i++) {
                char chain[32];
                if (!st->ctrs[i].n_ports)
                        continue;
                fw_ctr_chain(st->ctrs[i].id, chain);
                /* a chain lost to `nft flush ruleset` comes back empty rather than failing */
                fprintf(f, "add chain inet " FW_TABLE " %s\n", chain);
                fprintf(f, "add rule inet " FW_TABLE " ports jump %s\n", chain);
        }
}

int fw_build(const struct fw_state *st, const struct fw_change *chg, char **ret, struct cu_error **err)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (!f)
                return cu_error_set(err, ENOMEM, "building the firewall rules");
        if (chg->reload)
                fputs("add table inet " FW_TABLE "\ndelete table inet " FW_TABLE "\n", f);
        skeleton(f);
        /* base chains first: they may jump to chains deleted below */
        fputs("flush chain inet " FW_TABLE " ports\n", f);
        for (size_t i = 0; i < st->n_nets; i++)
                net_chains(f, st->nets + i);
        if (chg->reload)
                for (size_t i = 0; i < st->n_ctrs; i++)
                        ctr_rules(f, st->ctrs + i);
        if (chg->add && !chg->reload)
                ctr_rules(f, chg->add);
        dispatch(f, st);
        if (chg->remove_id) {
                char chain[32];
                fw_ctr_chain(chg->remove_id, chain);
                remove_chain(f, chain);
        }
        for (size_t i = 0; chg->remove_bridges && chg->remove_bridges[i]; i++) {
                char nat[64], fwd[64], in[64];
                net_chain_names(chg->remove_bridges[i], nat, fwd, in);
                remove_chain(f, nat);
                remove_chain(f, fwd);
                remove_chain(f, in);
        }
        if (fclose(f) != 0) {
                free(out);
                return cu_error_set(err, ENOMEM, "building the firewall rules");
        }
        *ret = out;
        return 0;
}

char *fw_helper_path(void)
{
        return helper_program_path("cuttle-netfw", "CUTTLE_NETFW");
}

int fw_apply(const char *script, struct cu_error **err)
{
        _cleanup_free_ char *helper = fw_helper_path();
        if (!helper)
                return -ENOMEM;
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) < 0)
                return cu_error_set(err, errno, "creating a pipe");
        if (pipe2(out, O_CLOEXEC) < 0) {
                int e = errno;
                close(in[0]);
                close(in[1]);
                return cu_error_set(err, e, "creating a pipe");
        }
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(in[0]);
                close(in[1]);
                close(out[0]);
                close(out[1]);
                return cu_error_set(err, e, "forking");
        }
        if (pid == 0) {
                dup2(in[0], 0);
                dup2(out[1], 1);
                dup2(out[1], 2);
                char *argv[] = { helper, NULL };
                execv(helper, argv);
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        /* the script fits the pipe in practice; write it all, then read the answer */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old;
        sigaction(SIGPIPE, &ign, &old);
        int wr = write_all(in[1], script, strlen(script));
        close(in[1]);
        sigaction(SIGPIPE, &old, NULL);
        _cleanup_free_ char *msg = NULL;
        size_t mlen = 0;
        read_full_fd(out[0], &msg, &mlen);
        close(out[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return cu_error_set(err, errno, "waiting for %s", helper);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
                return cu_error_setx(err, ENOENT, "running the firewall helper %s failed (is it installed?)", helper);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || wr < 0) {
                while (msg && mlen && (msg[mlen - 1] == '\n' || msg[mlen - 1] == ' '))
                        msg[--mlen] = '\0';
                log_debug("nft script that failed:\n%s", script);
                return cu_error_setx(err, EIO, "applying firewall rules: %s", msg && *msg ? msg : "the helper failed");
        }
        return 0;
}

int fw_lock(const char *runroot, struct cu_error **err)
{
        int r = mkdir_p(runroot, 0700);
        if (r < 0)
                return cu_error_set(err, -r, "creating %s", runroot);
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/network.lock", runroot) < 0)
                return -ENOMEM;
        int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return cu_error_set(err, errno, "opening %s", p);
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR) {
                        int e = errno;
                        close(fd);
                        return cu_error_set(err, e, "locking %s", p);
                }
        return fd;
}

/* Asks nf_tables directly (NFT_MSG_GETCHAIN over nfnetlink, no helper exec): a few
 * microseconds instead of the helper's tens of milliseconds. */
int fw_net_installed(const char *bridge)
{
        char nat[64], fwd[64], in[64];
        net_chain_names(bridge, nat, fwd, in);
        struct {
                struct nlmsghdr nh;
                struct nfgenmsg nf;
                char attrs[256];
        } req = { 0 };
        size_t off = 0;
        const char *vals[] = { FW_TABLE, nat };
        const uint16_t types[] = { NFTA_CHAIN_TABLE, NFTA_CHAIN_NAME };
        for (size_t i = 0; i < 2; i++) {
                size_t l = strlen(vals[i]) + 1;
                struct nlattr *a = (struct nlattr *) (req.attrs + off);
                a->nla_type = types[i];
                a->nla_len = (uint16_t) (NLA_HDRLEN + l);
                memcpy(req.attrs + off + NLA_HDRLEN, vals[i], l);
                off += NLA_ALIGN(a->nla_len);
        }
        req.nh.nlmsg_len = (uint32_t) (NLMSG_LENGTH(sizeof(struct nfgenmsg)) + off);
        req.nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
        req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        req.nh.nlmsg_seq = 1;
        req.nf.nfgen_family = NFPROTO_INET;
        req.nf.version = NFNETLINK_V0;
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
        if (fd < 0)
                return -errno;
        if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
                return -errno;
        char buf[8192];
        for (;;) {
                ssize_t n = recv(fd, buf, sizeof(buf), 0);
                if (n < 0)
                        return errno == EINTR ? fw_net_installed(bridge) : -errno;
                for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                /* the chain itself came before the ack */
                                return e->error == 0 ? 1 : e->error == -ENOENT ? 0 : e->error;
                        }
                        if (h->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN))
                                return 1;
                }
        }
}
