/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netlink.h"
#include "util/fileio.h"

/* ---- message builder -------------------------------------------------------- */

#define MSG_MAX 4096

struct msg {
        union {
                struct nlmsghdr h;
                char raw[MSG_MAX];
        } u;
        bool overflow;
};

static void *msg_init(struct msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
        memset(m, 0, sizeof(*m));
        m->u.h.nlmsg_type = type;
        m->u.h.nlmsg_flags = (uint16_t) (NLM_F_REQUEST | NLM_F_ACK | flags);
        m->u.h.nlmsg_len = (uint32_t) NLMSG_LENGTH(hdrlen);
        return NLMSG_DATA(&m->u.h);
}

static struct rtattr *msg_put(struct msg *m, uint16_t type, const void *data, size_t len)
{
        size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
        size_t alen = RTA_LENGTH(len);
        if (off + RTA_ALIGN(alen) > MSG_MAX) {
                m->overflow = true;
                return NULL;
        }
        struct rtattr *a = (struct rtattr *) (m->u.raw + off);
        a->rta_type = type;
        a->rta_len = (uint16_t) alen;
        if (len)
                memcpy(RTA_DATA(a), data, len);
        m->u.h.nlmsg_len = (uint32_t) (off + RTA_ALIGN(alen));
        return a;
}

static void msg_put_u32(struct msg *m, uint16_t type, uint32_t v)
{
        msg_put(m, type, &v, sizeof(v));
}

static void msg_put_str(struct msg *m, uint16_t type, const char *s)
{
        msg_put(m, type, s, strlen(s) + 1);
}

/* A nest is an attribute whose length is fixed up when it ends. */
static size_t msg_nest_start(struct msg *m, uint16_t type)
{
        size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
        msg_put(m, type, NULL, 0);
        return off;
}

static void msg_nest_end(struct msg *m, size_t off)
{
        if (m->overflow)
                return;
        struct rtattr *a = (struct rtattr *) (m->u.raw + off);
        a->rta_len = (uint16_t) (m->u.h.nlmsg_len - off);
}

/* Raw bytes (a struct ifinfomsg inside VETH_INFO_PEER). */
static void msg_put_raw(struct msg *m, const void *data, size_t len)
{
        size_t off = NLMSG_ALIGN(m->u.h.nlmsg_len);
        if (off + NLMSG_ALIGN(len) > MSG_MAX) {
                m->overflow = true;
                return;
        }
        memcpy(m->u.raw + off, data, len);
        m->u.h.nlmsg_len = (uint32_t) (off + NLMSG_ALIGN(len));
}

/* ---- socket ------------------------------------------------------------------ */

int rtnl_open(struct rtnl *rt, struct cu_error **err)
{
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return cu_error_set(err, errno, "opening a netlink socket");
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                int e = errno;
                close(fd);
                return cu_error_set(err, e, "binding a netlink socket");
        }
        rtnl_from_fd(rt, fd);
        return 0;
}

void rtnl_from_fd(struct rtnl *rt, int fd)
{
        rt->fd = fd;
        rt->seq = 1;
        int one = 1;
        /* extended acks carry the kernel's text; we only need the code */
        setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

void rtnl_close(struct rtnl *rt)
{
        rt->fd = safe_close(rt->fd);
}

/* Sends m; reads until the ack.  When reply is non-NULL, the first
 * non-error message of the answer is copied there (MSG_MAX bytes). */
static int transact(struct rtnl *rt, struct msg *m, void *reply)
{
        if (m->overflow)
                return -EMSGSIZE;
        uint32_t seq = ++rt->seq;
        m->u.h.nlmsg_seq = seq;
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        ssize_t w = sendto(rt->fd, m->u.raw, m->u.h.nlmsg_len, 0, (struct sockaddr *) &sa, sizeof(sa));
        if (w < 0)
                return -errno;
        bool got_reply = false;
        for (;;) {
                union {
                        struct nlmsghdr h;
                        char raw[16384];
                } buf;
                ssize_t n = recv(rt->fd, buf.raw, sizeof(buf.raw), 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = &buf.h; NLMSG_OK(h, (size_t) n); h = NLMSG_NEXT(h, n)) {
                        if (h->nlmsg_seq != seq)
                                continue;
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                return e->error; /* 0 is the ack, else -errno */
                        }
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                        if (reply && !got_reply && h->nlmsg_len <= MSG_MAX) {
                                memcpy(reply, h, h->nlmsg_len);
                                got_reply = true;
                        }
                }
        }
}

/* ---- links ------------------------------------------------------------------- */

int rtnl_link_index(struct rtnl *rt, const char *name, struct cu_error **err)
{
        struct msg m;
        if (strlen(name) >= IFNAMSIZ)
                return cu_error_setx(err, EINVAL, "interface name %s is too long", name);
        struct ifinfomsg *ifi = msg_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        msg_put_str(&m, IFLA_IFNAME, name);
        union {
                struct nlmsghdr h;
                char raw[MSG_MAX];
        } reply;
        int r = transact(rt, &m, &reply);
        if (r < 0)
                return cu_error_set(err, -r, "looking up interface %s", name);
        if (reply.h.nlmsg_type != RTM_NEWLINK)
                return cu_error_set(err, ENODEV, "looking up interface %s", name);
        const struct ifinfomsg *ri = NLMSG_DATA(&reply.h);
        return ri->ifi_index;
}

int rtnl_link_mac(struct rtnl *rt, int ifindex, char out[18], struct cu_error **err)
{
        struct msg m;
        struct ifinfomsg *ifi = msg_init(&m, RTM_GETLINK, 0, sizeof(*ifi));
        ifi->ifi_index = ifindex;
        union {
                struct nlmsghdr h;
                char raw[MSG_MAX];
        } reply;
        int r = transact(rt, &m, &reply);
        if (r < 0)
                return cu_error_set(err, -r, "reading interface %d", ifindex);
        const struct ifinfomsg *ri = NLMSG_DATA(&reply.h);
        int len = (int) IFLA_PAYLOAD(&reply.h);
        for (const struct rtattr *a = IFLA_RTA(ri); RTA_OK(a, len); a = RTA_NEXT(a, len))
                if (a->rta_type == IFLA_ADDRESS && RTA_PAYLOAD(a) == 6) {
                        const uint8_t *b = RTA_DATA(a);
                        snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
                        return 0;
                }
        return cu_error_setx(err, ENOENT, "interface %d has no MAC address", ifindex);
}

static int parse_mac(const char *s, uint8_t b[6])
{
        unsigned v[6];
        char tail;
        if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", v, v + 1, v + 2, v + 3, v + 4, v + 5, &tail) != 6)
                return -EINVAL;
        for (int i = 0; i < 6; i++)
                b[i] = (uint8_t) v[i];
        return 0;
}

int rtnl_bridge_create(struct rtnl *rt, const char *name, unsigned mtu, struct cu_error **err)
{
        struct msg m;
        struct ifinfomsg *ifi = msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        msg_put_str(&m, IFLA_IFNAME, name);
        if (mtu)
                msg_put_u32(&m, IFLA_MTU, mtu);
        size_t li = msg_nest_start(&m, IFLA_LINKINFO);
        msg_put_str(&m, IFLA_INFO_KIND, "bridge");
        msg_nest_end(&m, li);
        int r = transact(rt, &m, NULL);
        if (r < 0)
                return cu_error_set(err, -r, "creating bridge %s", name);
        return 0;
}

int rtnl_veth_create(struct rtnl *rt, const char *name, const char *peer_name, int peer_netns_fd,
                     const char *peer_mac, unsigned mtu, struct cu_error **err)
{
        struct msg m;
        uint8_t mac[6];
        if (peer_mac && parse_mac(peer_mac, mac) < 0)
                return cu_error_setx(err, EINVAL, "invalid MAC address %s", peer_mac);
        struct ifinfomsg *ifi = msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        msg_put_str(&m, IFLA_IFNAME, name);
        if (mtu)
                msg_put_u32(&m, IFLA_MTU, mtu);
        size_t li = msg_nest_start(&m, IFLA_LINKINFO);
        msg_put_str(&m, IFLA_INFO_KIND, "veth");
        size_t data = msg_nest_start(&m, IFLA_INFO_DATA);
        size_t peer = msg_nest_start(&m, VETH_INFO_PEER);
        struct ifinfomsg pifi = { .ifi_family = AF_UNSPEC };
        msg_put_raw(&m, &pifi, sizeof(pifi));
        msg_put_str(&m, IFLA_IFNAME, peer_name);
        if (peer_netns_fd >= 0)
                msg_put_u32(&m, IFLA_NET_NS_FD, (uint32_t) peer_netns_fd);
        if (mtu)
                msg_put_u32(&m, IFLA_MTU, mtu);
        if (peer_mac)
                msg_put(&m, IFLA_ADDRESS, mac, 6);
        msg_nest_end(&m, peer);
        msg_nest_end(&m, data);
        msg_nest_end(&m, li);
        int r = transact(rt, &m, NULL);
        if (r < 0)
                return cu_error_set(err, -r, "creating veth pair %s/%s", name, peer_name);
        return 0;
}

int rtnl_link_set(struct rtnl *rt, int ifindex, int up, unsigned mtu, int master, const char *mac,
                  struct cu_error **err)
{
        struct msg m;
        uint8_t b[6];
        if (mac && parse_mac(mac, b) < 0)
                return cu_error_setx(err, EINVAL, "invalid MAC address %s", mac);
        struct ifinfomsg *ifi = msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        if (up) {
                ifi->ifi_change = IFF_UP;
                ifi->ifi_flags = up > 0 ? IFF_UP : 0;
        }
        if (mtu)
                msg_put_u32(&m, IFLA_MTU, mtu);
        if (master)
                msg_put_u32(&m, IFLA_MASTER, (uint32_t) master);
        if (mac)
                msg_put(&m, IFLA_ADDRESS, b, 6);
        int r = transact(rt, &m, NULL);
        if (r < 0)
                return cu_error_set(err, -r, "configuring interface %d", ifindex);
        return 0;
}

int rtnl_link_delete(struct rtnl *rt, const char *name, struct cu_error **err)
{
        struct msg m;
        struct ifinfomsg *ifi = msg_init(&m, RTM_DELLINK, 0, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        msg_put_str(&m, IFLA_IFNAME, name);
        int r = transact(rt, &m, NULL);
        if (r < 0)
                return cu_error_set(err, -r, "deleting interface %s", name);
        return 0;
}

/* ---- addresses and routes ---------------------------------------------------- */

int rtnl_addr_add(struct rtnl *rt, int ifindex, const struct cu_ip *ip, unsigned prefix,
                  struct cu_error **err)
{
        struct msg m;
        struct ifaddrmsg *ifa = msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
        ifa->ifa_family = (uint8_t) ip->family;
        ifa->ifa_prefixlen = (uint8_t) prefix;
        ifa->ifa_index = (uint32_t) ifindex;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        size_t len = ip->family == AF_INET ? 4 : 16;
        msg_put(&m, IFA_LOCAL, ip->a, len);
        msg_put(&m, IFA_ADDRESS, ip->a, len);
        if (ip->family == AF_INET && prefix < 31) {
                struct cu_cidr c = { .ip = *ip, .prefix = prefix };
                struct cu_ip bcast;
                cu_cidr_last(&c, &bcast);
                msg_put(&m, IFA_BROADCAST, bcast.a, 4);
        }
        if (ip->family == AF_INET6) {
                ifa->ifa_flags = IFA_F_NODAD;
                msg_put_u32(&m, IFA_FLAGS, IFA_F_NODAD);
        }
        int r = transact(rt, &m, NULL);
        if (r < 0) {
                char b[CU_IP_STRLEN];
                return cu_error_set(err, -r, "adding address %s/%u", cu_ip_format(ip, b), prefix);
        }
        return 0;
}

int rtnl_route_add_default(struct rtnl *rt, const struct cu_ip *gw, int ifindex, struct cu_error **err)
{
        struct msg m;
        struct rtmsg *rtm = msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
        rtm->rtm_family = (uint8_t) gw->family;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_BOOT;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        msg_put(&m, RTA_GATEWAY, gw->a, gw->family == AF_INET ? 4 : 16);
        msg_put_u32(&m, RTA_OIF, (uint32_t) ifindex);
        int r = transact(rt, &m, NULL);
        if (r < 0) {
                char b[CU_IP_STRLEN];
                return cu_error_set(err, -r, "adding the default route via %s", cu_ip_format(gw, b));
        }
        return 0;
}

int sysctl_write(const char *path, const char *value, struct cu_error **err)
{
        char full[256];
        snprintf(full, sizeof(full), "/proc/sys/%s", path);
        int r = write_string_file(full, value);
        if (r < 0)
                return cu_error_set(err, -r, "setting %s to %s", full, value);
        return 0;
}
