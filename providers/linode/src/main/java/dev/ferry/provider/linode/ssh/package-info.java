/**
 * SSH to the temporary helper the disk road boots on the new Linode: a key made for one run and never written
 * anywhere ({@link dev.ferry.provider.linode.ssh.EphemeralKey}), the helper's host key pinned the first time it
 * is seen ({@link dev.ferry.provider.linode.ssh.HostKeyPin}), and the few commands ferry runs there
 * ({@link dev.ferry.provider.linode.ssh.HelperCommands}) over Apache MINA SSHD
 * ({@link dev.ferry.provider.linode.ssh.HelperShell}). Knows nothing of the Linode API; the provider's disk road
 * uses it.
 */
package dev.ferry.provider.linode.ssh;
