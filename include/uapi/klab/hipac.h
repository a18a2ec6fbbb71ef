/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* nf_hipac: the HiPAC packet classifier on netfilter (generic netlink family nf_hipac) */
#ifndef _UAPI_KLAB_HIPAC_H
#define _UAPI_KLAB_HIPAC_H

#include <klab/klab.h>

#define NF_HIPAC_FAMILY_NAME	"nf_hipac"
#define NF_HIPAC_FAMILY_VERSION	1

/* Module-specific commands, after the common ones of <klab/klab.h> */
enum nf_hipac_cmd {
	__NF_HIPAC_CMD_END = KLAB_CMD_MODULE_FIRST,
};

/* Module-specific attributes, after the common ones of <klab/klab.h> */
enum nf_hipac_attr {
	__NF_HIPAC_A_END = KLAB_A_MODULE_FIRST,
};

#define NF_HIPAC_A_MAX	(__NF_HIPAC_A_END - 1)

#endif /* _UAPI_KLAB_HIPAC_H */
