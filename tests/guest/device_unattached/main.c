/* SPDX-License-Identifier: ISC */
/*
 * Property (with test.conf): the host refuses to start a unikernel whose attached devices
 * do not match its manifest -- here an attached device it does not declare, or a
 * declared device left unattached -- so main never runs.
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("FAIL: main ran with devices that do not match the manifest\n");
	return 0;
}
