// SPDX-License-Identifier: GPL-2.0
/*
 * chardev: the character-device half's frame - the class "klab", the
 * chrdev region shared by the scull and pipe devices, and the order in
 * which they and the interrupt source come and go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "chardev.h"

#define KCDEV_DEVS_MAX	16

unsigned int kcdev_nr_scull = 4;
module_param_named(nr_scull, kcdev_nr_scull, uint, 0444);
MODULE_PARM_DESC(nr_scull, "Number of /dev/klab_scull devices, 0-16 (default: 4)");

unsigned int kcdev_nr_pipe = 2;
module_param_named(nr_pipe, kcdev_nr_pipe, uint, 0444);
MODULE_PARM_DESC(nr_pipe, "Number of /dev/klab_pipe devices, 0-16 (default: 2)");

struct class *kcdev_class;
static dev_t kcdev_base;

/* Nodes are for everyone: privileged ioctls check capabilities */
static char *kcdev_devnode(struct device *dev, umode_t *mode)
{
	if (mode)
		*mode = 0666;
	return NULL;
}

/**
 * kcdev_chr_init - create the class, the devices and the interrupt source
 *
 * Return: 0 or a negative errno.
 */
int kcdev_chr_init(void)
{
	int err;

	if (kcdev_nr_scull > KCDEV_DEVS_MAX || kcdev_nr_pipe > KCDEV_DEVS_MAX) {
		pr_err("nr_scull and nr_pipe must be 0-%d\n", KCDEV_DEVS_MAX);
		return -EINVAL;
	}

	err = alloc_chrdev_region(&kcdev_base, 0,
				  kcdev_nr_scull + kcdev_nr_pipe, "klab");
	if (err)
		return err;

	kcdev_class = class_create(THIS_MODULE, "klab");
	if (IS_ERR(kcdev_class)) {
		err = PTR_ERR(kcdev_class);
		goto err_unregister_region;
	}
	kcdev_class->devnode = kcdev_devnode;

	err = kcdev_scull_init(kcdev_base);
	if (err)
		goto err_destroy_class;

	err = kcdev_pipe_init(MKDEV(MAJOR(kcdev_base),
				    MINOR(kcdev_base) + kcdev_nr_scull));
	if (err)
		goto err_scull_exit;

	/* after the pipes: its bottom halves append to klab_pipe0 */
	err = kcdev_irq_init();
	if (err)
		goto err_pipe_exit;

	return 0;

err_pipe_exit:
	kcdev_pipe_exit();
err_scull_exit:
	kcdev_scull_exit();
err_destroy_class:
	class_destroy(kcdev_class);
err_unregister_region:
	unregister_chrdev_region(kcdev_base, kcdev_nr_scull + kcdev_nr_pipe);
	return err;
}

/**
 * kcdev_chr_exit - undo kcdev_chr_init()
 */
void kcdev_chr_exit(void)
{
	kcdev_irq_exit();
	kcdev_pipe_exit();
	kcdev_scull_exit();
	class_destroy(kcdev_class);
	unregister_chrdev_region(kcdev_base, kcdev_nr_scull + kcdev_nr_pipe);
}
