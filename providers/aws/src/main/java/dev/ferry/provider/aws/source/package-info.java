/**
 * The source side of a migration off EC2: reading the instance (facts, volumes, prices, security groups
 * translated to neutral firewall intent), the AMI it is exported from, the image export to S3, and the
 * opener that reads the exported artifact back.
 */
package dev.ferry.provider.aws.source;
