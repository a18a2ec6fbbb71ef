// SPDX-License-Identifier: GPL-2.0
// The process behind a netlink port id.  The kernel reports only the port
// id; /proc/net/netlink maps it to the socket's inode, and the process is
// the one with a descriptor on "socket:[INODE]".  Most programs bind their
// first netlink socket to their pid, so that pid is tried before a scan of
// every process.
#include "netlink_owner.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace klab {

namespace {

std::optional<std::string> stat_name(unsigned long pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat;

    if (!std::getline(in, stat))
        return std::nullopt;
    // "PID (NAME) STATE ...": conntrack reads NAME up to the first ')'.
    size_t open = stat.find('(');
    if (open == std::string::npos)
        return std::nullopt;
    size_t close = stat.find(')', open + 1);
    if (close == std::string::npos)
        return std::nullopt;
    return stat.substr(open + 1, close - open - 1);
}

bool holds_socket(unsigned long pid, unsigned long inode)
{
    std::string fds = "/proc/" + std::to_string(pid) + "/fd";
    std::string want = "socket:[" + std::to_string(inode) + "]";
    DIR *dir = opendir(fds.c_str());
    bool found = false;

    if (!dir)
        return false;
    while (const struct dirent *ent = readdir(dir)) {
        char target[64];
        std::string path = fds + "/" + ent->d_name;
        ssize_t n = readlink(path.c_str(), target, sizeof(target) - 1);

        if (n <= 0)
            continue;
        if (want.compare(0, std::string::npos, target, static_cast<size_t>(n)) == 0) {
            found = true;
            break;
        }
    }
    closedir(dir);
    return found;
}

std::optional<std::string> owner_by_inode(uint32_t portid, unsigned long inode)
{
    std::optional<std::string> name;

    if (portid > 1 && holds_socket(portid, inode))
        return stat_name(portid);
    DIR *proc = opendir("/proc");
    if (!proc)
        return std::nullopt;
    while (const struct dirent *ent = readdir(proc)) {
        char *end;
        unsigned long pid = std::strtoul(ent->d_name, &end, 10);

        if (*end || pid <= 1 || pid == portid)
            continue;
        if (holds_socket(pid, inode)) {
            name = stat_name(pid);
            break;
        }
    }
    closedir(proc);
    return name;
}

} // namespace

std::optional<unsigned long> netlink_line_inode(const std::string &line, int protocol,
                                                uint32_t portid)
{
    std::istringstream in(line);
    std::string sk, groups;
    int eth;
    uint32_t pid;
    long rmem, wmem, dump, locks;
    unsigned long drops, inode;

    if (!(in >> sk >> eth >> pid >> groups >> rmem >> wmem >> dump >> locks >> drops >> inode))
        return std::nullopt;
    if (eth != protocol || pid != portid)
        return std::nullopt;
    return inode;
}

std::optional<std::string> netlink_owner(int protocol, uint32_t portid)
{
    static struct {
        uint32_t portid = 0;
        unsigned long inode = 0;
        std::optional<std::string> name;
    } last;
    std::ifstream in("/proc/net/netlink");
    std::string line;

    while (std::getline(in, line)) {
        std::optional<unsigned long> inode = netlink_line_inode(line, protocol, portid);

        if (!inode)
            continue;
        if (last.portid != portid || last.inode != *inode) {
            last.portid = portid;
            last.inode = *inode;
            last.name = owner_by_inode(portid, *inode);
        }
        return last.name;
    }
    return std::nullopt;
}

} // namespace klab
