/**
 * The AWS provider: its module, provider and session, which wire the sub-packages together, and the
 * expanders that turn an EC2 source or target block into the resources of a migration.
 */
package dev.ferry.provider.aws;
