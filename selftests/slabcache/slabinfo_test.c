// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/slabcacheinfo against /proc/slabinfo: one parser reads both, and
 * every line of both must be exactly what the kernel's slabinfo 2.1
 * printer (mm/slab_common.c: print_slabinfo_header(), cache_show()) makes
 * of the values parsed from it, byte for byte.  Then the values are
 * checked: objperslab = floor(pagesperslab * 4096 / objsize) in both
 * files, slabcache's counts against its sysfs files, SLUB's task_struct
 * and mm_struct caches, and the writable tunables.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "klab_file.h"
#include "slab_test.h"

#define SLABINFO	"/proc/slabinfo"
#define SLABCACHEINFO	"/proc/slabcacheinfo"
#define MAX_LINES	1024

static const char header1[] = "slabinfo - version: 2.1";
static const char header2[] =
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
	" : tunables <limit> <batchcount> <sharedfactor>"
	" : slabdata <active_slabs> <num_slabs> <sharedavail>";

struct slabinfo_line {
	char name[64];
	unsigned long active_objs, num_objs;
	unsigned int objsize, objperslab, pagesperslab;
	unsigned int limit, batchcount, shared;
	unsigned long active_slabs, num_slabs, sharedavail;
};

struct slabinfo {
	struct slabinfo_line line[MAX_LINES];
	int n;
	char err[1536];
};

/* cache_show() of 6.1 */
static void slabinfo_render(const struct slabinfo_line *l, char *buf,
			    size_t len)
{
	snprintf(buf, len,
		 "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
		 l->name, l->active_objs, l->num_objs, l->objsize,
		 l->objperslab, l->pagesperslab, l->limit, l->batchcount,
		 l->shared, l->active_slabs, l->num_slabs, l->sharedavail);
}

/*
 * Parse a slabinfo 2.1 file: the two header lines, then one line per
 * cache.  Returns 0, or -1 with si->err saying what was wrong.
 */
static int slabinfo_parse(const char *path, struct slabinfo *si)
{
	char line[512], again[512];
	FILE *f = fopen(path, "r");
	int lineno = 0;

	si->n = 0;
	if (!f) {
		snprintf(si->err, sizeof(si->err), "%s: %s", path,
			 strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct slabinfo_line *l = &si->line[si->n];
		size_t len = strlen(line);
		int end = 0;

		lineno++;
		if (!len || line[len - 1] != '\n')
			goto bad;
		line[--len] = '\0';
		if (lineno == 1 || lineno == 2) {
			if (strcmp(line, lineno == 1 ? header1 : header2))
				goto bad;
			continue;
		}
		if (si->n == MAX_LINES)
			goto bad;
		if (sscanf(line,
			   "%63s %lu %lu %u %u %u : tunables %u %u %u : slabdata %lu %lu %lu%n",
			   l->name, &l->active_objs, &l->num_objs, &l->objsize,
			   &l->objperslab, &l->pagesperslab, &l->limit,
			   &l->batchcount, &l->shared, &l->active_slabs,
			   &l->num_slabs, &l->sharedavail, &end) != 12 ||
		    (size_t)end != len)
			goto bad;
		slabinfo_render(l, again, sizeof(again));
		if (strcmp(again, line)) {
			snprintf(si->err, sizeof(si->err),
				 "%s:%d is not as the kernel prints it:\n%s\n%s",
				 path, lineno, line, again);
			fclose(f);
			return -1;
		}
		si->n++;
	}
	fclose(f);
	if (lineno >= 2)
		return 0;
	line[0] = '\0';
bad:
	snprintf(si->err, sizeof(si->err), "%s:%d: bad line \"%s\"", path,
		 lineno, line);
	fclose(f);
	return -1;
}

static const struct slabinfo_line *slabinfo_find(const struct slabinfo *si,
						 const char *name)
{
	int i;

	for (i = 0; i < si->n; i++)
		if (!strcmp(si->line[i].name, name))
			return &si->line[i];
	return NULL;
}

/* The first number of /sys/kernel/slabcache/<cache>/<file> */
static long sysfs_value(const char *cache, const char *file)
{
	return klab_file_ll("/sys/kernel/slabcache/%s/%s", cache, file);
}

static int slabinfo_write_to(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static int slabinfo_write(const char *text)
{
	return slabinfo_write_to(SLABCACHEINFO, text);
}

FIXTURE(slabinfo) {
	struct slabinfo *ours;
	struct slabinfo *slub;
};

FIXTURE_SETUP(slabinfo)
{
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, slab_load());
	slab_klabctl("slab destroy si_a 2>/dev/null");
	slab_klabctl("slab destroy si_b 2>/dev/null");
	ASSERT_EQ(0, slab_klabctl("slab create si_a 700"));
	ASSERT_EQ(0, slab_klabctl("slab create si_b 24 --flags red_zone,poison"));
	ASSERT_EQ(0, slab_klabctl("slab alloc si_a 1000"));
	ASSERT_EQ(0, slab_klabctl("slab alloc si_b 333"));
	self->ours = calloc(1, sizeof(*self->ours));
	self->slub = calloc(1, sizeof(*self->slub));
	ASSERT_NE(NULL, self->ours);
	ASSERT_NE(NULL, self->slub);
}

FIXTURE_TEARDOWN(slabinfo)
{
	slab_klabctl("slab free si_a 1000");
	slab_klabctl("slab free si_b 333");
	slab_klabctl("slab destroy si_a");
	slab_klabctl("slab destroy si_b");
	free(self->ours);
	free(self->slub);
}

TEST_F(slabinfo, both_files_parse_with_the_same_code)
{
	ASSERT_EQ(0, slabinfo_parse(SLABINFO, self->slub))
		TH_LOG("%s", self->slub->err);
	ASSERT_EQ(0, slabinfo_parse(SLABCACHEINFO, self->ours))
		TH_LOG("%s", self->ours->err);
	TH_LOG("%d SLUB caches, %d slabcache caches", self->slub->n,
	       self->ours->n);
	ASSERT_LT(10, self->slub->n);
	ASSERT_LE(8, self->ours->n);	/* two test caches, six magazine caches */
}

TEST_F(slabinfo, objperslab_follows_from_pages_and_objsize)
{
	struct slabinfo *files[] = { self->slub, self->ours };
	int f, i;

	ASSERT_EQ(0, slabinfo_parse(SLABINFO, self->slub));
	ASSERT_EQ(0, slabinfo_parse(SLABCACHEINFO, self->ours));
	for (f = 0; f < 2; f++) {
		for (i = 0; i < files[f]->n; i++) {
			const struct slabinfo_line *l = &files[f]->line[i];

			EXPECT_EQ(l->pagesperslab * 4096 / l->objsize,
				  l->objperslab)
				TH_LOG("%s: %u pages, %u bytes", l->name,
				       l->pagesperslab, l->objsize);
			EXPECT_LE(l->active_objs, l->num_objs) TH_LOG("%s", l->name);
		}
	}
}

TEST_F(slabinfo, task_struct_and_mm_struct_come_from_slub)
{
	const struct slabinfo_line *t, *m;

	ASSERT_EQ(0, slabinfo_parse(SLABINFO, self->slub));
	t = slabinfo_find(self->slub, "task_struct");
	m = slabinfo_find(self->slub, "mm_struct");
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, m);
	EXPECT_LT(0, t->active_objs);
	EXPECT_LT(0, m->active_objs);
	TH_LOG("task_struct: %lu active of %u bytes; mm_struct: %lu of %u",
	       t->active_objs, t->objsize, m->active_objs, m->objsize);
}

TEST_F(slabinfo, ours_agree_with_sysfs)
{
	static const char *const names[] = { "si_a", "si_b", "kslab-mag-126" };
	unsigned int i;

	ASSERT_EQ(0, slabinfo_parse(SLABCACHEINFO, self->ours));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct slabinfo_line *l = slabinfo_find(self->ours,
							      names[i]);
		const char *n = names[i];

		ASSERT_NE(NULL, l) TH_LOG("%s missing", n);
		EXPECT_EQ(sysfs_value(n, "active_objs"), (long)l->active_objs);
		EXPECT_EQ(sysfs_value(n, "total_objs"), (long)l->num_objs);
		EXPECT_EQ(sysfs_value(n, "stride"), (long)l->objsize);
		EXPECT_EQ(sysfs_value(n, "objs_per_slab"), (long)l->objperslab);
		EXPECT_EQ(1L << sysfs_value(n, "order"), (long)l->pagesperslab);
		EXPECT_EQ(sysfs_value(n, "magazine_size"), (long)l->limit);
		EXPECT_EQ(sysfs_value(n, "depot_limit"), (long)l->batchcount);
		EXPECT_EQ(0, l->shared);
		EXPECT_EQ(sysfs_value(n, "slabs_full") +
			  sysfs_value(n, "slabs_partial"),
			  (long)l->active_slabs);
		EXPECT_EQ(l->num_slabs * l->objperslab, l->num_objs);
	}
	EXPECT_EQ(1000, slabinfo_find(self->ours, "si_a")->active_objs);
	EXPECT_EQ(333, slabinfo_find(self->ours, "si_b")->active_objs);
}

TEST_F(slabinfo, writing_tunes_magazines_and_refuses_bad_lines)
{
	static const char *const bad[] = {
		"si_a 30",			/* too few numbers */
		"si_a 30 6 0 1",		/* too many */
		"si_a 30 6 1",			/* sharedfactor must be 0 */
		"si_a 255 6",			/* beyond 254 rounds */
		"si_a 30 1025",			/* beyond the depot limit */
		"si_a -1 6",
		"si_a 30 6x",
		"no_such_cache 30 6",
		"",
		NULL
	};
	const struct slabinfo_line *l;
	unsigned int i;

	ASSERT_EQ(0, slabinfo_write("si_a 30 6\n"));
	ASSERT_EQ(0, slabinfo_write("si_b 0 2 0"));
	ASSERT_EQ(0, slabinfo_parse(SLABCACHEINFO, self->ours));
	l = slabinfo_find(self->ours, "si_a");
	ASSERT_NE(NULL, l);
	EXPECT_EQ(30, l->limit);
	EXPECT_EQ(6, l->batchcount);
	EXPECT_EQ(0, slabinfo_find(self->ours, "si_b")->limit);
	EXPECT_EQ(30, sysfs_value("si_a", "magazine_size"));

	for (i = 0; bad[i]; i++) {
		const char *line = bad[i];

		EXPECT_EQ(-EINVAL, slabinfo_write(line)) TH_LOG("\"%s\"", line);
	}
	ASSERT_EQ(0, slabinfo_parse(SLABCACHEINFO, self->ours));
	l = slabinfo_find(self->ours, "si_a");
	EXPECT_EQ(30, l->limit);
	EXPECT_EQ(6, l->batchcount);
	/* SLUB's /proc/slabinfo takes no tunables: EIO (SLAB's did) */
	EXPECT_EQ(-EIO, slabinfo_write_to(SLABINFO, "task_struct 30 6 0"));
}

TEST_HARNESS_MAIN
