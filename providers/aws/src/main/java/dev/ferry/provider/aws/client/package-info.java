/**
 * How the AWS provider talks to AWS: the SDK clients and their configuration, the credentials chain, the
 * retry policy and the calls that word a failure, EC2 tags and units, JSON helpers and the AMI lookups.
 * Nothing here knows a resource type; every other package of the provider builds on it.
 */
package dev.ferry.provider.aws.client;
