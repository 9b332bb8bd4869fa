/**
 * The SSH side of the sandbox's Linodes: a loopback SSH server (Apache MINA SSHD) that plays the helper Linode
 * of the disk road. It admits {@code root} with a public key given to the helper disk of a running Linode, and
 * runs exactly the few commands ferry sends (write a gzip chunk with {@code gunzip | dd}, digest a range, the
 * size of a device, {@code sync}) against that Linode's disks; anything else is a missing tool (exit 127).
 */
package dev.ferry.sandbox.ssh;
