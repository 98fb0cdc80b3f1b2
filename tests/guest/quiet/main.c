/* SPDX-License-Identifier: ISC */
/* Property: a unikernel that prints nothing leaves the console empty -- no banner, no
 * log line, nothing from the platform or the tender -- and its status 0 reaches the host. */
int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
