/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading one number from a sysfs or procfs file, for the selftests:
 * /sys/module/NAME/refcnt, a cache's or a device's attribute.
 */
#ifndef _KLAB_FILE_H
#define _KLAB_FILE_H

#include <stdarg.h>
#include <stdio.h>

/* The first number of the file whose path @fmt formats, or -1 */
static inline __attribute__((format(printf, 1, 2)))
long long klab_file_ll(const char *fmt, ...)
{
	char path[256];
	long long v = -1;
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* /sys/module/@mod/refcnt: the module's references, or -1 */
static inline long long klab_module_refcnt(const char *mod)
{
	return klab_file_ll("/sys/module/%s/refcnt", mod);
}

#endif /* _KLAB_FILE_H */
