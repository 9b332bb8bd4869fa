/**
 * The sandbox's machines on the network: the TCP services their disks serve, reached through a SOCKS5 proxy on a
 * loopback port ({@code FERRY_PROBE_PROXY}) as the operator at {@link dev.ferry.sandbox.network.Reachability#OPERATOR}
 * would reach them, through their security groups or Cloud Firewall.
 */
package dev.ferry.sandbox.network;
